"""Access tokens of the REST API (访问令牌): a user lists, creates and revokes their own; the security
administrator's pages (安全管理 → 访问令牌) list every token and create one for a chosen business account (a
service account), and the administrator may revoke any token.

Tokens are made and revoked through accounts.tokens only (which audits both). The secret is shown once, on the
page after the form (post/redirect/get): it travels encrypted in the session, which that page's first GET empties.
"""

import time

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView, TemplateView

from core import crypto

from .. import tokens
from ..forms import TokenCreateForm
from ..models import ApiToken
from .base import SecurityAdminMixin

SECRET_SESSION_KEY = "accounts_issued_token"  # noqa: S105 (a session key, not a secret)
SECRET_SHOWN_WITHIN = 10 * 60  # seconds: the page opened later shows no secret


def manages_all(user):
    """The security administrator manages every token; everyone else only their own."""
    return user.is_admin_of("security")


def manageable_tokens(user):
    queryset = ApiToken.objects.select_related("user", "created_by")
    return queryset if manages_all(user) else queryset.filter(user=user)


class TokenMixin(LoginRequiredMixin):
    def get_token(self):
        """The token in the URL: one of the user's own (any, for the security administrator); 404 otherwise."""
        return get_object_or_404(manageable_tokens(self.request.user), pk=self.kwargs["pk"])


class TokenListView(TokenMixin, TemplateView):
    """One's own tokens."""

    template_name = "accounts/token_list.html"
    all_accounts = False

    def get_tokens(self):
        return ApiToken.objects.filter(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(tokens=self.get_tokens().select_related("user", "created_by").order_by("-created_at", "-pk"),
                       all_accounts=self.all_accounts, max_days=tokens.MAX_DAYS,
                       add_url=reverse("accounts:token_admin_add" if self.all_accounts else "accounts:token_add"))
        return context


class TokenAdminListView(SecurityAdminMixin, TokenListView):
    """Every account's tokens, for the security administrator."""

    all_accounts = True

    def get_tokens(self):
        return ApiToken.objects.all()


class TokenCreateView(TokenMixin, FormView):
    """A token of one's own; the security administrator's (TokenAdminCreateView) chooses the account."""

    template_name = "accounts/form.html"
    form_class = TokenCreateForm
    for_others = False

    def list_url(self):
        return reverse("accounts:token_admin_list" if self.for_others else "accounts:token_list")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "for_others": self.for_others}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="为服务账号新建访问令牌" if self.for_others else "新建访问令牌", submit_label="创建令牌",
            cancel_url=self.list_url(), crumbs=[("访问令牌", self.list_url())],
            intro="访问令牌用于其他系统通过接口访问本平台，它拥有所属账号的全部角色和数据范围，请只交给可信的系统，"
                  "并尽量使用只读令牌。令牌只在创建后显示一次。",
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        account = data["account"] if self.for_others else self.request.user
        try:
            token, secret = tokens.issue_token(account, name=data["name"], days=data["days"],
                                               can_write=data["can_write"], created_by=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        self.request.session[SECRET_SESSION_KEY] = {
            "token": token.pk, "secret": crypto.encrypt(secret), "at": time.time()}
        return HttpResponseRedirect(reverse("accounts:token_created", kwargs={"pk": token.pk}))


class TokenAdminCreateView(SecurityAdminMixin, TokenCreateView):
    for_others = True


def back_to_list(user, token):
    """The list a token's page returns to: one's own, or the security administrator's list of every token."""
    return reverse("accounts:token_list" if token.user_id == user.pk else "accounts:token_admin_list")


class TokenCreatedView(TokenMixin, View):
    """The secret, once, with a copy button and an example request; a second visit shows only that it was."""

    def get(self, request, pk):
        token = self.get_token()
        slot = request.session.get(SECRET_SESSION_KEY)
        secret = None
        if slot and slot.get("token") == token.pk:
            del request.session[SECRET_SESSION_KEY]
            if time.time() - slot["at"] < SECRET_SHOWN_WITHIN:
                secret = crypto.decrypt(slot["secret"])
        response = render(request, "accounts/token_created.html", {
            "token": token, "secret": secret, "list_url": back_to_list(request.user, token),
            "example_url": request.build_absolute_uri(reverse("api:list_people")),
            "docs_url": reverse("api:openapi-view"),
        })
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(TokenMixin, TemplateView):
    """GET: what revoking means, for confirmation; POST: revoked (accounts.tokens.revoke audits it)."""

    template_name = "accounts/token_revoke.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = self.get_token()
        context.update(token=token, list_url=back_to_list(self.request.user, token))
        return context

    def post(self, request, pk):
        token = self.get_token()
        if token.revoked_at is not None:
            messages.info(request, f"访问令牌“{token}”已吊销。")
        else:
            tokens.revoke(token, by=request.user)
            messages.success(request, f"访问令牌“{token}”已吊销，使用它的请求将被拒绝。")
        return HttpResponseRedirect(back_to_list(request.user, token))
