"""What the security administrator's pages share: the role check, the form page's context, the account in the
URL."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from core.views import AdminRoleRequiredMixin

from ..models import User


class SecurityAdminMixin(AdminRoleRequiredMixin):
    """Accounts, roles and grants belong to the security administrator alone (三员分立)."""

    admin_kind = "security"

    def dispatch(self, request, *args, **kwargs):
        # A page may refuse a permitted administrator for a reason it explains (e.g. their own grants).
        refusal = getattr(self, "refusal", None)
        if request.user.is_authenticated and request.user.is_admin_of(self.admin_kind) and refusal is not None:
            response = refusal()
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)


class FormPageMixin:
    """Context for accounts/form.html: title, breadcrumbs, cancel link, submit label."""

    title = ""
    submit_label = "保存"
    intro = ""

    def get_crumbs(self):
        return [("用户管理", reverse("accounts:user_list"))]

    def get_cancel_url(self):
        return reverse("accounts:user_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.get_title(), crumbs=self.get_crumbs(), cancel_url=self.get_cancel_url(),
                       submit_label=self.submit_label, intro=self.intro)
        return context

    def get_title(self):
        return self.title


class UserObjectMixin:
    """The account in the URL, and the rules for changing it."""

    def get_account(self):
        if not hasattr(self, "account"):
            self.account = get_object_or_404(User.objects.select_related("unit"), pk=self.kwargs["pk"])
        return self.account

    def is_self(self):
        return self.get_account().pk == self.request.user.pk

    def get_crumbs(self):
        account = self.get_account()
        return [("用户管理", reverse("accounts:user_list")),
                (account.username, reverse("accounts:user_detail", kwargs={"pk": account.pk}))]

    def get_cancel_url(self):
        return reverse("accounts:user_detail", kwargs={"pk": self.get_account().pk})

    def refuse(self, message):
        messages.error(self.request, message)
        return HttpResponseRedirect(self.get_cancel_url())
