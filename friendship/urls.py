from django.urls import path
from django.views.generic import RedirectView

from core.urls_helpers import object_urls

from . import views
from .models import Contact, Pairing

app_name = "friendship"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="friendship:pairing_list"), name="index"),
    path("coverage/", views.CoverageView.as_view(), name="coverage"),
    path("coverage/export/", views.CoverageExportView.as_view(), name="coverage_export"),
    # The main flow on a phone: a pairing's page → 记录联系.
    path("pairings/<int:pairing>/contacts/add/", views.ContactEditView.as_view(), name="pairing_contact_add"),
    *object_urls(Pairing, views, "Pairing", prefix="pairings/"),
    path("contacts/<int:contact>/follow-up/", views.FollowUpCreateView.as_view(), name="followup_create"),
    *object_urls(Contact, views, "Contact", prefix="contacts/"),
    path("follow-ups/", views.FollowUpListView.as_view(), name="followup_list"),
    path("follow-ups/export/", views.FollowUpExportView.as_view(), name="followup_export"),
    path("follow-ups/<int:pk>/", views.FollowUpDetailView.as_view(), name="followup_detail"),
    path("follow-ups/<int:pk>/edit/", views.FollowUpEditView.as_view(), name="followup_edit"),
    path("follow-ups/<int:pk>/close/", views.FollowUpCloseView.as_view(), name="followup_close"),
    path("follow-ups/<int:pk>/delete/", views.FollowUpDeleteView.as_view(), name="followup_delete"),
]
