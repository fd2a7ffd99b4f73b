"""The roles (角色): the built-in ones to read, the custom ones to create, edit and delete."""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from .. import services
from ..forms import (
    RoleForm,
)
from ..models import Role
from .base import FormPageMixin, SecurityAdminMixin


class RoleListView(SecurityAdminMixin, ListView):
    template_name = "accounts/role_list.html"
    context_object_name = "roles"

    def get_queryset(self):
        return Role.objects.annotate(
            user_count=Count("grants", distinct=True), permission_count=Count("permissions", distinct=True),
        ).order_by("-is_builtin", "admin_kind", "name")


class RoleDetailView(SecurityAdminMixin, DetailView):
    model = Role
    template_name = "accounts/role_detail.html"
    context_object_name = "role"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        role = self.object
        context.update(
            matrix=services.permission_matrix(role.permissions.values_list("pk", flat=True)),
            actions=services.ACTION_LABELS.values(),
            user_count=role.grants.count(),
            approves_grants=role.permissions.filter(content_type__app_label="accounts",
                                                    codename="approve_grant").exists(),
        )
        return context


class RoleFormMixin(FormPageMixin):
    template_name = "accounts/role_form.html"
    form_class = RoleForm

    def get_crumbs(self):
        return [("角色管理", reverse("accounts:role_list"))]

    def get_cancel_url(self):
        return reverse("accounts:role_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["actions"] = services.ACTION_LABELS.values()
        return context


class RoleCreateView(SecurityAdminMixin, RoleFormMixin, FormView):
    title = "新建业务角色"

    def form_valid(self, form):
        with transaction.atomic():
            role = form.save()
            services.record_role(role, {"操作": ["", "新建角色"], **services.diff({}, services.role_values(role))})
        messages.success(self.request, f"角色“{role.name}”已创建。")
        return HttpResponseRedirect(reverse("accounts:role_detail", kwargs={"pk": role.pk}))


class CustomRoleMixin:
    """Built-in roles follow the code (accounts/roles.py) and are read-only on screen."""

    def get_role(self):
        if not hasattr(self, "role"):
            self.role = get_object_or_404(Role, pk=self.kwargs["pk"])
        return self.role

    def refusal(self):
        if self.get_role().is_builtin:
            messages.error(self.request, "内置角色不能修改或删除；如需不同的权限，请新建业务角色。")
            return HttpResponseRedirect(reverse("accounts:role_detail", kwargs={"pk": self.get_role().pk}))
        return None


class RoleEditView(SecurityAdminMixin, CustomRoleMixin, RoleFormMixin, FormView):
    def get_title(self):
        return f"编辑角色 {self.get_role().name}"

    def get_cancel_url(self):
        return reverse("accounts:role_detail", kwargs={"pk": self.get_role().pk})

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_role()
        self.before = services.role_values(self.get_role())
        return kwargs

    def form_valid(self, form):
        with transaction.atomic():
            role = form.save()
            changes = services.diff(self.before, services.role_values(role))
            if changes:
                services.record_role(role, changes)
        messages.success(self.request, f"角色“{role.name}”已保存。" if changes else "没有修改任何内容。")
        return HttpResponseRedirect(self.get_cancel_url())


class RoleDeleteView(SecurityAdminMixin, CustomRoleMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        role = self.get_role()
        holders = role.grants.count()
        if holders:
            messages.error(request, f"角色“{role.name}”已授予{holders}个用户，请先撤销这些授权再删除。")
            return HttpResponseRedirect(reverse("accounts:role_detail", kwargs={"pk": role.pk}))
        with transaction.atomic():
            services.record_role(role, {"操作": ["", "删除角色"], **services.diff(services.role_values(role), {})})
            role.delete()
        messages.success(request, f"角色“{role.name}”已删除。")
        return HttpResponseRedirect(reverse("accounts:role_list"))
