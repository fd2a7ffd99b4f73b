"""The member's pages (/me/, mobile first) and the managing unit's pages (opening accounts, reviewing requests).

A member's pages show their own person only, found through their account's link — never through an id in the
URL — so there is no other person's record to reach. The unit's pages follow the ledger's scope: who may change
a person manages their account and decides their requests; anything else is a 404.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth import password_validation
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from activities import services as activity_services
from core import audit
from core.models import AuditEvent
from people import services as ledger
from people.models import Person

from . import services
from .forms import ChangeRequestForm, DecisionForm, InviteForm
from .models import ChangeRequest, MemberLink

ANSWERED_SHOWN = 20


class MemberMixin:
    """Signed in with the role "member" and a linked person (`self.link`, `self.person`); else 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        self.link = services.link_of(request.user)
        if self.link is None:
            raise PermissionDenied
        self.person = self.link.person
        return super().dispatch(request, *args, **kwargs)


class HomeView(MemberMixin, TemplateView):
    template_name = "selfservice/home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            person=self.person, officials=services.pairing_officials(self.person),
            pending=self.person.change_requests.filter(status=ChangeRequest.Status.PENDING).count(),
            open_activities=activity_services.open_for_signup(self.person.owner_unit).count(), **kwargs)


class RecordView(MemberMixin, TemplateView):
    """The member's own record: public-role facts, the ID number and phone masked, the birth date to the month."""

    template_name = "selfservice/record.html"

    def get_context_data(self, **kwargs):
        person = self.person
        field = Person._meta.get_field
        rows = [
            ("姓名", person.name), ("性别", person.get_gender_display()), ("民族", person.get_ethnicity_display()),
            ("出生年月", ledger.birth_date_text(person.birth_date, day=False)),
            ("身份证号", field("id_number").masked(person.id_number) if person.id_number else ""),
            ("联系电话", field("phone").masked(person.phone) if person.phone else ""),
            ("住址", person.address), ("工作单位", person.workplace), ("职务/职称", person.position),
            ("学历", person.get_education_display()), ("学位", person.get_degree_display()),
            ("政治面貌", person.get_affiliation_display()),
            ("类别", "、".join(c.name for c in person.categories.all())), ("所属单位", person.owner_unit.name),
        ]
        return super().get_context_data(
            person=person, rows=rows, positions=person.positions.all(),
            requests=person.change_requests.all()[:ANSWERED_SHOWN], **kwargs)


class ChangeItemView(MemberMixin, TemplateView):
    template_name = "selfservice/change_items.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(items=ChangeRequest.Item.choices, **kwargs)


class ChangeRequestView(MemberMixin, TemplateView):
    template_name = "selfservice/change_form.html"

    def get_form(self):
        if self.kwargs["item"] not in ChangeRequest.Item.values:
            raise Http404
        return ChangeRequestForm(self.request.POST or None, self.request.FILES or None, item=self.kwargs["item"],
                                 person=self.person, user=self.request.user)

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(form=self.get_form()))

    def post(self, request, *args, **kwargs):
        form = self.get_form()
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.submit_change(self.link, form.item, form.values(), form.cleaned_data["note"],
                               form.cleaned_data["proof"])
        messages.success(request, "申报已提交，请等待所属单位审核。")
        return HttpResponseRedirect(reverse("selfservice:record"))

    def get_context_data(self, **kwargs):
        item = ChangeRequest.Item(self.kwargs["item"])
        current = ""
        if item != ChangeRequest.Item.SOCIAL_POSITION:
            current = services.field_display(self.person, item.value, getattr(self.person, item.value))
        return super().get_context_data(item=item, current=current, **kwargs)


class ActivityListView(MemberMixin, TemplateView):
    template_name = "selfservice/activities.html"

    def get_context_data(self, **kwargs):
        activities = list(activity_services.open_for_signup(self.person.owner_unit))
        mine = activity_services.signed_up_activity_ids(self.person)
        for activity in activities:
            activity.signed_up = activity.pk in mine
            activity.full = not activity.signed_up and activity_services.is_full(activity, activity.signed_up_total)
        return super().get_context_data(activities=activities, **kwargs)


class SignUpView(MemberMixin, View):
    """POST: sign up (or, with `cancel`, withdraw) for an activity open to the member; others are 404."""

    cancel = False

    def post(self, request, *args, **kwargs):
        activity = get_object_or_404(activity_services.open_for_signup(self.person.owner_unit), pk=kwargs["pk"])
        if self.cancel:
            if activity_services.cancel_signup(activity, self.person):
                messages.success(request, f"已取消报名“{activity.title}”。")
        else:
            try:
                activity_services.sign_up(activity, self.person)
                messages.success(request, f"已报名“{activity.title}”。")
            except activity_services.SignUpRefused as refused:
                messages.error(request, f"未能报名：{refused}")
        return HttpResponseRedirect(reverse("selfservice:activities"))


@method_decorator(never_cache, name="dispatch")
class InvitationView(View):
    """The one-time link: the member chooses a password. Open to anyone holding a usable link."""

    template_name = "selfservice/invitation.html"

    def dispatch(self, request, *args, **kwargs):
        self.invitation = services.usable_invitation(kwargs["token"])
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form=None):
        if self.invitation is None:
            return render(self.request, self.template_name, {"expired": True}, status=404)
        user = self.invitation.link.user
        return render(self.request, self.template_name, {
            "form": form or SetPasswordForm(user), "account": user,
            "rules": password_validation.password_validators_help_texts()})

    def get(self, request, *args, **kwargs):
        return self.render_form()

    def post(self, request, *args, **kwargs):
        if self.invitation is None:
            return self.render_form()
        form = SetPasswordForm(self.invitation.link.user, request.POST)
        if not form.is_valid():
            return self.render_form(form)
        if not services.accept_invitation(self.invitation, form.cleaned_data["new_password1"]):
            self.invitation = None
            return self.render_form()
        messages.success(request, "密码已设置，请用新密码登录。")
        return HttpResponseRedirect(reverse("login"))


# --- the managing unit's pages ----------------------------------------------------------------------------

class ManagesPeopleMixin:
    """Signed in, allowed to change people of the ledger somewhere (else 403); objects outside that scope are
    404."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return HttpResponseRedirect(f"{reverse('login')}?next={request.path}")
        if not request.user.has_action(Person, "change"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


@method_decorator(never_cache, name="dispatch")
class InviteView(ManagesPeopleMixin, TemplateView):
    """A person's self-service account: open it (username), then a one-time link or an initial password, shown
    once in this response and kept nowhere."""

    template_name = "selfservice/invite.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.link = None

    def get_person(self):
        person = get_object_or_404(Person.objects.visible_to(self.request.user, "change")
                                   .select_related("owner_unit"), pk=self.kwargs["pk"])
        self.link = MemberLink.objects.select_related("user").filter(person=person).first()
        return person

    def get(self, request, *args, **kwargs):
        person = self.get_person()
        return self.render_to_response(self.get_context_data(person=person, form=InviteForm(
            has_account=self.link is not None)))

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        form = InviteForm(request.POST, has_account=self.link is not None)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(person=person, form=form))
        try:
            with transaction.atomic():
                link = self.link or services.create_account(person, form.cleaned_data["username"], request.user)
                if form.cleaned_data["method"] == InviteForm.Method.LINK:
                    token = services.issue_invitation(link, request.user)
                    issued = {"url": request.build_absolute_uri(reverse("selfservice:invitation", args=[token]))}
                else:
                    issued = {"password": services.issue_initial_password(link, request.user)}
        except services.AccountTaken:
            # Another unit opened an account at the same moment (the form's check passed for both).
            if MemberLink.objects.filter(person=person).exists():
                form.add_error(None, "该成员的账号刚由他人开通，请刷新页面后再操作。")
            else:
                form.add_error("username", "该用户名已被使用，请换一个")
            return self.render_to_response(self.get_context_data(person=person, form=form))
        return self.render_to_response(self.get_context_data(person=person, link=link, issued=issued))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("link", self.link)
        return context


class RequestListView(ManagesPeopleMixin, TemplateView):
    template_name = "selfservice/request_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status") or ChangeRequest.Status.PENDING
        if status not in ChangeRequest.Status.values:
            status = ChangeRequest.Status.PENDING
        requests = (ChangeRequest.objects.visible_to(self.request.user, "change").filter(status=status)
                    .select_related("person__owner_unit").order_by("requested_at", "pk"))
        return super().get_context_data(requests=requests[:200], status=status,
                                        statuses=ChangeRequest.Status.choices, **kwargs)


class RequestMixin(ManagesPeopleMixin):
    def get_request(self):
        return get_object_or_404(ChangeRequest.objects.visible_to(self.request.user, "change")
                                 .select_related("person__owner_unit", "requested_by", "decided_by"),
                                 pk=self.kwargs["pk"])


class RequestReviewView(RequestMixin, TemplateView):
    template_name = "selfservice/request_review.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.change = None

    def get(self, request, *args, **kwargs):
        self.change = self.get_request()
        return self.render_to_response(self.get_context_data(form=DecisionForm()))

    def post(self, request, *args, **kwargs):
        self.change = change = self.get_request()
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        approving = form.cleaned_data["decision"] == DecisionForm.Decision.APPROVE
        if approving:
            problems = services.approve(change, request.user)
            done = "已通过，台账已更新。"
        else:
            problems = services.reject(change, request.user, form.cleaned_data["reason"].strip())
            done = "已退回申报人。"
        if problems:
            for problem in problems:
                form.add_error(None, f"无法通过：{problem}" if approving and problem != services.ALREADY_DECIDED
                               else problem)
            if services.ALREADY_DECIDED in problems:
                change.refresh_from_db()  # decided meanwhile: show the decision, not the stale pending form
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, f"“{change.person.name}”的申报{done}")
        return HttpResponseRedirect(reverse("selfservice_review:request_list"))

    def get_context_data(self, **kwargs):
        change = self.change
        new = change.new_display
        if change.item == ChangeRequest.Item.PHONE and ledger.may_see_sensitive(self.request.user, change.person):
            new = change.new_phone
        return super().get_context_data(change=change, new=new, **kwargs)


class RequestAttachmentView(RequestMixin, View):
    def get(self, request, *args, **kwargs):
        change = self.get_request()
        if not change.attachment:
            raise Http404
        audit.record(AuditEvent.Action.EXPORT, obj=change, object_type="本人申报证明材料", label=str(change))
        content_type = mimetypes.guess_type(change.attachment_name)[0] or "application/octet-stream"
        return FileResponse(change.attachment.open("rb"), as_attachment=True, filename=change.attachment_name,
                            content_type=content_type)
