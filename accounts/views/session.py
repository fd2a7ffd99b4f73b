"""Signing in and out, and changing one's own password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from core import audit
from core.models import AuditEvent

from ..forms import (
    ChangePasswordForm,
    LoginForm,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): the session is flushed server-side, not just forgotten by the browser."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = ChangePasswordForm
    success_url = reverse_lazy("workbench")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        user.must_change_password = False
        user.save(update_fields=["must_change_password", "password_changed_at"])
        audit.record(AuditEvent.Action.PASSWORD_CHANGE, user=user, object_type="账号", label=user.username)
        messages.success(self.request, "密码已修改。")
        return response
