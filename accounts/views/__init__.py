"""The accounts' pages. session: sign in and out, one's own password; users: the security administrator's
account pages and workbench figures; grants: granting roles and their approval (授权审批); roles: the roles;
tokens: access tokens of the REST API (访问令牌); base: what the administrator's pages share. accounts.urls routes
the classes re-exported here, accounts.apps the workbench panels."""

from .grants import (
    GrantCreateView,
    GrantDeleteView,
    GrantEditView,
    GrantReviewListView,
    GrantReviewView,
    approval_overview,
)
from .roles import RoleCreateView, RoleDeleteView, RoleDetailView, RoleEditView, RoleListView
from .session import LoginView, LogoutView, PasswordChangeView
from .tokens import (
    TokenAdminCreateView,
    TokenAdminListView,
    TokenCreatedView,
    TokenCreateView,
    TokenListView,
    TokenRevokeView,
)
from .users import (
    PasswordIssuedView,
    UserCreateView,
    UserDetailView,
    UserEditView,
    UserExportView,
    UserListView,
    UserPasswordResetView,
    UserSetActiveView,
    UserUnlockView,
    security_overview,
)

__all__ = [
    "GrantCreateView", "GrantDeleteView", "GrantEditView", "GrantReviewListView", "GrantReviewView", "LoginView",
    "LogoutView", "PasswordChangeView", "PasswordIssuedView", "RoleCreateView", "RoleDeleteView", "RoleDetailView",
    "RoleEditView", "RoleListView", "TokenAdminCreateView", "TokenAdminListView", "TokenCreateView",
    "TokenCreatedView", "TokenListView", "TokenRevokeView",
    "UserCreateView", "UserDetailView", "UserEditView", "UserExportView",
    "UserListView", "UserPasswordResetView", "UserSetActiveView", "UserUnlockView", "approval_overview",
    "security_overview",
]
