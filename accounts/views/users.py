"""The security administrator's (安全管理员) account pages: list, export, detail, create, edit, password reset,
unlock, enable and disable; the workbench panel's figures."""

import time

import axes.utils
import django_tables2 as tables
from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views import View
from django.views.generic import DetailView, FormView
from django_filters.views import FilterView

from core import crypto
from core.crypto import mask_phone
from core.exports import export_xlsx, query_filters
from core.views import HtmxListMixin

from .. import approval, services
from ..forms import (
    PasswordResetForm,
    UserCreateForm,
    UserEditForm,
    UserFilterSet,
)
from ..models import Grant, Role, User
from .base import FormPageMixin, SecurityAdminMixin, UserObjectMixin


def _users():
    return User.objects.select_related("unit").prefetch_related(
        Prefetch("grants", queryset=Grant.objects.select_related("role").order_by("role__admin_kind", "role__name"))
    )


class UserTable(tables.Table):
    username = tables.Column(verbose_name="用户名", linkify=("accounts:user_detail", {"pk": tables.A("pk")}))
    full_name = tables.Column(verbose_name="姓名")
    unit = tables.Column(verbose_name="所属单位", order_by=("unit__path",))
    roles = tables.Column(verbose_name="角色", empty_values=(), orderable=False)
    status = tables.Column(verbose_name="状态", empty_values=(), orderable=False)
    last_login = tables.DateTimeColumn(format="Y-m-d H:i", verbose_name="最后登录")

    class Meta:
        model = User
        fields = ("username", "full_name", "unit", "roles", "status", "last_login")
        empty_text = " "

    def __init__(self, *args, locked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = set(locked)

    def render_roles(self, record):
        return roles_text(record) or "—"

    def render_status(self, record):
        return format_html_join(" ", '<span class="badge {}">{}</span>', _status_badges(record, self.locked))


def roles_text(user):
    """"镇街统战委员、领导（待审批）": a grant not in force is marked."""
    return "、".join(g.role.name + ("" if g.is_effective else f"（{g.get_status_display()}）")
                    for g in user.grants.all())


def _status_badges(user, locked):
    badges = [("bg-success-lt", "启用") if user.is_active else ("bg-secondary-lt", "停用")]
    if user.username in locked:
        badges.append(("bg-danger-lt", "已锁定"))
    if user.must_change_password:
        badges.append(("bg-warning-lt", "待改初始密码"))
    return badges


class UserListView(SecurityAdminMixin, HtmxListMixin, tables.SingleTableMixin, FilterView):
    model = User
    table_class = UserTable
    filterset_class = UserFilterSet
    template_name = "accounts/user_list.html"
    # The table paginates; the ListView must not count the same rows a second time.
    paginate_by = None
    table_pagination = {"per_page": 25}

    def get_queryset(self):
        return _users().order_by("username")

    def get_table_kwargs(self):
        return {"locked": services.locked_usernames()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            opts=User._meta, can_add=True, add_url=reverse("accounts:user_add"),
            can_export=True, export_url=reverse("accounts:user_export"),
        )
        return context


class UserExportView(SecurityAdminMixin, View):
    def get(self, request):
        filterset = UserFilterSet(request.GET, queryset=_users().order_by("unit__path", "username"), request=request)
        users = filterset.qs if filterset.is_valid() else User.objects.none()
        locked = services.locked_usernames()
        return export_xlsx(
            request, admin_kind=Role.AdminKind.SECURITY, title="用户账号清单", filename="用户", object_type="账号",
            headers=["用户名", "姓名", "所属单位", "联系电话", "角色", "状态", "最后登录", "创建时间"],
            text_headers=("用户名", "联系电话"), filters=query_filters(request.GET),
            rows=([user.username, user.full_name, user.unit.name if user.unit_id else "",
                   mask_phone(user.phone) if user.phone else "", roles_text(user),
                   "、".join(label for _, label in _status_badges(user, locked)), user.last_login, user.date_joined]
                  for user in users),
        )


class UserDetailView(SecurityAdminMixin, DetailView):
    template_name = "accounts/user_detail.html"
    context_object_name = "account"

    def get_queryset(self):
        return _users()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        account = self.object
        failures = services.failure_counts([account.username]).get(account.username, 0)
        context.update(
            grants=account.grants.select_related("role", "unit", "user__unit", "requested_by", "decided_by")
            .prefetch_related("units")
            .order_by("role__admin_kind", "role__name"),
            failures=failures,
            locked=failures >= settings.AXES_FAILURE_LIMIT,
            badges=_status_badges(account, services.locked_usernames([account.username])),
            is_self=account.pk == self.request.user.pk,
        )
        return context


class UserCreateView(SecurityAdminMixin, FormPageMixin, FormView):
    template_name = "accounts/form.html"
    form_class = UserCreateForm
    title = "新建用户"
    submit_label = "创建"
    intro = ("系统将生成随机初始密码，只显示一次（可打印“初始密码通知单”交本人），新用户首次登录时必须修改。"
             "创建后请在用户详情页授予角色：业务角色须经授权审批人批准后生效。")

    def form_valid(self, form):
        with transaction.atomic():
            user = form.save()
            changes = services.diff({}, services.account_values(user))
            services.record_account(user, {"操作": ["", "新建账号"], **changes})
        return _password_issued(self.request, user, form.issued_password, created=True)


class UserEditView(SecurityAdminMixin, UserObjectMixin, FormPageMixin, FormView):
    template_name = "accounts/form.html"
    form_class = UserEditForm

    def get_title(self):
        return f"编辑用户 {self.get_account().username}"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs.update(instance=self.get_account(), actor=self.request.user)
        self.before = services.account_values(self.get_account())
        self.old_unit = self.get_account().unit  # the form changes the instance in place
        return kwargs

    def form_valid(self, form):
        old_unit = self.old_unit
        with transaction.atomic():
            user = form.save()
            changes = services.diff(self.before, services.account_values(user))
            if changes:
                services.record_account(user, changes)
            resubmitted = []
            if user.unit_id != (old_unit.pk if old_unit else None):
                resubmitted = approval.resubmit_after_unit_change(user, self.request.user, old_unit)
        messages.success(self.request, f"用户“{user.username}”已保存。" if changes else "没有修改任何内容。")
        if resubmitted:
            names = "、".join(f"“{g.role.name}”" for g, _ in resubmitted)
            messages.warning(self.request, f"所属单位已变更：以所属单位为数据范围的授权{names}"
                                           "须经授权审批人重新批准后才生效。")
        return HttpResponseRedirect(self.get_cancel_url())


def _suspended_message(request, suspended):
    """What the security administrator is told after a reset paused the account's business grants."""
    names = "、".join(f"“{g.role.name}”" for g, _ in suspended)
    messages.warning(request, f"该账号的业务授权已暂停，须经授权审批人确认后恢复：{names}。"
                              "请授权审批人（部领导）确认是本人使用该账号后重新批准。")
    if any(told == 0 for _, told in suspended):
        messages.warning(request, "目前没有可审批其中部分授权的账号（持有“授权审批”角色、数据范围覆盖该账号的部领导）："
                                  "请由运维人员运行 python manage.py bootstrap_accounts --add-approver "
                                  "补充授权审批人。")


class UserPasswordResetView(SecurityAdminMixin, UserObjectMixin, FormPageMixin, FormView):
    template_name = "accounts/form.html"
    form_class = PasswordResetForm
    submit_label = "重置密码"
    intro = ("系统将生成新的随机密码，只显示一次（可打印“初始密码通知单”交本人）。重置后该用户当前的登录会话立即失效，"
             "下次登录必须修改密码；账号的登录失败锁定同时解除。")
    suspension_intro = "该账号持有已生效的业务授权{names}：重置后将暂停，须经授权审批人确认本人身份后恢复。"

    def refusal(self):
        if self.is_self():
            return self.refuse("不能在这里重置自己的密码，请使用“修改密码”。")
        return None

    def get_title(self):
        return f"重置密码 {self.get_account().username}"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        in_force = self.get_account().grants.filter(status=Grant.Status.APPROVED, role__admin_kind="") \
            .order_by("role__name").values_list("role__name", flat=True)
        if in_force:
            names = "、".join(f"“{name}”" for name in in_force)
            context["intro"] = f"{self.intro}{self.suspension_intro.format(names=names)}"
        return context

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.get_account()
        return kwargs

    def form_valid(self, form):
        user = self.get_account()
        before = services.account_values(user)
        with transaction.atomic():
            password = services.issue_password(user)
            user.save(update_fields=["password", "password_changed_at", "must_change_password"])
            axes.utils.reset(username=user.username)
            changes = services.diff(before, services.account_values(user))
            services.record_account(user, {"密码": ["", "已重置"], **changes})
            suspended = approval.suspend_after_password_reset(user, self.request.user)
        if suspended:
            _suspended_message(self.request, suspended)
        return _password_issued(self.request, user, password, created=False)


ISSUED_SESSION_KEY = "accounts_issued_password"
ISSUED_SHOWN_WITHIN = 10 * 60  # seconds: a confirmation page opened later shows no password


def _password_issued(request, user, password, *, created):
    """Hand the new password to the confirmation page (post/redirect/get, so reloading it creates or resets
    nothing again). It travels encrypted in the session, which the first GET of that page empties."""
    request.session[ISSUED_SESSION_KEY] = {
        "account": user.pk, "password": crypto.encrypt(password), "created": created, "at": time.time(),
    }
    return HttpResponseRedirect(reverse("accounts:password_issued", kwargs={"pk": user.pk}))


class PasswordIssuedView(SecurityAdminMixin, UserObjectMixin, View):
    """The password shown once, with a printable slip (初始密码通知单); a second visit shows only that it was."""

    def get(self, request, pk):
        account = self.get_account()
        slot = request.session.get(ISSUED_SESSION_KEY)
        password, created = None, False
        if slot and slot.get("account") == account.pk:
            del request.session[ISSUED_SESSION_KEY]
            if time.time() - slot["at"] < ISSUED_SHOWN_WITHIN:
                password, created = crypto.decrypt(slot["password"]), slot["created"]
        title = "密码已发放" if password is None else "用户已创建" if created else "密码已重置"
        response = render(request, "accounts/password_issued.html", {
            "account": account, "password": password, "created": created, "title": title,
            "issued_at": timezone.localtime(), "issuer": request.user,
        })
        response["Cache-Control"] = "no-store"
        return response


class UserActionView(SecurityAdminMixin, UserObjectMixin, View):
    """A POST-only button on the user's page."""

    http_method_names = ["post"]


class UserUnlockView(UserActionView):
    def post(self, request, pk):
        user = self.get_account()
        failures = services.failure_counts([user.username]).get(user.username, 0)
        removed = axes.utils.reset(username=user.username)
        if not removed:
            messages.info(request, f"账号“{user.username}”当前没有登录失败记录，无需解锁。")
            return HttpResponseRedirect(self.get_cancel_url())
        services.record_account(user, {"登录失败次数": [str(failures), "0"], "锁定状态": ["已锁定" if failures >=
                                settings.AXES_FAILURE_LIMIT else "未锁定", "已解除"]})
        messages.success(request, f"已解除账号“{user.username}”的登录锁定。")
        return HttpResponseRedirect(self.get_cancel_url())


class UserSetActiveView(UserActionView):
    active = False

    def post(self, request, pk):
        user = self.get_account()
        if self.is_self() and not self.active:
            return self.refuse("不能停用自己的账号。")
        if user.is_active == self.active:
            return HttpResponseRedirect(self.get_cancel_url())
        before = services.account_values(user)
        user.is_active = self.active
        user.save(update_fields=["is_active"])
        services.record_account(user, services.diff(before, services.account_values(user)))
        messages.success(request, f"账号“{user.username}”已{'启用' if self.active else '停用'}。")
        return HttpResponseRedirect(self.get_cancel_url())


def security_overview(request):
    """Figures for the security administrator's workbench panel."""
    users = User.objects.all()
    url = reverse("accounts:user_list")
    return {"title": "账号安全概况", "stats": [
        {"label": "启用账号", "value": users.filter(is_active=True).count(), "url": f"{url}?status=active"},
        {"label": "当前锁定", "value": len(services.locked_usernames()), "url": f"{url}?status=locked", "alert": True},
        {"label": "未改初始密码", "value": users.filter(is_active=True, must_change_password=True).count(),
         "url": f"{url}?status=must_change"},
        {"label": "已停用", "value": users.filter(is_active=False).count(), "url": f"{url}?status=inactive"},
        {"label": "授权待审批", "value": Grant.objects.filter(status=Grant.Status.PENDING).count(),
         "url": f"{url}?status=grant_pending"},
    ]}
