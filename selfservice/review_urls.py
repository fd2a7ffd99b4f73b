"""The managing unit's self-service pages, under /selfservice/: members' accounts and their change requests."""

from django.urls import path

from . import views

app_name = "selfservice_review"

urlpatterns = [
    path("people/<int:pk>/account/", views.InviteView.as_view(), name="invite"),
    path("requests/", views.RequestListView.as_view(), name="request_list"),
    path("requests/<int:pk>/", views.RequestReviewView.as_view(), name="request_review"),
    path("requests/<int:pk>/attachment/", views.RequestAttachmentView.as_view(), name="request_attachment"),
]
