from django.urls import include, path

from . import views

# The security administrator's pages (安全管理), named "accounts:<name>".
admin_patterns = [
    path("users/", views.UserListView.as_view(), name="user_list"),
    path("users/add/", views.UserCreateView.as_view(), name="user_add"),
    path("users/export/", views.UserExportView.as_view(), name="user_export"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("users/<int:pk>/password/", views.UserPasswordResetView.as_view(), name="user_password"),
    path("users/<int:pk>/password/issued/", views.PasswordIssuedView.as_view(), name="password_issued"),
    path("users/<int:pk>/unlock/", views.UserUnlockView.as_view(), name="user_unlock"),
    path("users/<int:pk>/deactivate/", views.UserSetActiveView.as_view(active=False), name="user_deactivate"),
    path("users/<int:pk>/activate/", views.UserSetActiveView.as_view(active=True), name="user_activate"),
    path("users/<int:pk>/grants/add/", views.GrantCreateView.as_view(), name="grant_add"),
    path("grants/<int:pk>/edit/", views.GrantEditView.as_view(), name="grant_edit"),
    path("grants/<int:pk>/delete/", views.GrantDeleteView.as_view(), name="grant_delete"),
    # The approver's pages (授权审批): a business account's, not the security administrator's.
    path("grants/review/", views.GrantReviewListView.as_view(), name="grant_review_list"),
    path("grants/<int:pk>/review/", views.GrantReviewView.as_view(), name="grant_review"),
    path("roles/", views.RoleListView.as_view(), name="role_list"),
    path("roles/add/", views.RoleCreateView.as_view(), name="role_add"),
    path("roles/<int:pk>/", views.RoleDetailView.as_view(), name="role_detail"),
    path("roles/<int:pk>/edit/", views.RoleEditView.as_view(), name="role_edit"),
    path("roles/<int:pk>/delete/", views.RoleDeleteView.as_view(), name="role_delete"),
    # Access tokens of the REST API: every user's own; every token for the security administrator.
    path("tokens/", views.TokenListView.as_view(), name="token_list"),
    path("tokens/add/", views.TokenCreateView.as_view(), name="token_add"),
    path("tokens/all/", views.TokenAdminListView.as_view(), name="token_admin_list"),
    path("tokens/all/add/", views.TokenAdminCreateView.as_view(), name="token_admin_add"),
    path("tokens/<int:pk>/created/", views.TokenCreatedView.as_view(), name="token_created"),
    path("tokens/<int:pk>/revoke/", views.TokenRevokeView.as_view(), name="token_revoke"),
]

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("", include((admin_patterns, "accounts"))),
]
