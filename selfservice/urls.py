"""The member's pages, under /me/ (本人自助)."""

from django.urls import path

from . import views

app_name = "selfservice"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("record/", views.RecordView.as_view(), name="record"),
    path("change/", views.ChangeItemView.as_view(), name="change_items"),
    path("change/<str:item>/", views.ChangeRequestView.as_view(), name="change"),
    path("activities/", views.ActivityListView.as_view(), name="activities"),
    path("activities/<int:pk>/signup/", views.SignUpView.as_view(), name="signup"),
    path("activities/<int:pk>/cancel/", views.SignUpView.as_view(cancel=True), name="signup_cancel"),
    path("invite/<str:token>/", views.InvitationView.as_view(), name="invitation"),
]
