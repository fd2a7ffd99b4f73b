"""The audit log pages (安全审计), mounted at /audit/. There is no edit or delete route; the only POST appends
an event (a day marked reviewed)."""

from django.urls import path

from . import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.AuditEventListView.as_view(), name="event_list"),
    path("<int:pk>/", audit_views.AuditEventDetailView.as_view(), name="event_detail"),
    path("export/", audit_views.AuditEventExportView.as_view(), name="event_export"),
    path("verify/", audit_views.AuditChainVerifyView.as_view(), name="chain_verify"),
    path("review/", audit_views.DailyReviewView.as_view(), name="daily_review"),
    path("review/export/", audit_views.DailyReviewExportView.as_view(), name="daily_review_export"),
    # The one route here that writes: it appends a "day reviewed" event, it never edits or deletes one.
    path("review/mark/", audit_views.DailyReviewMarkView.as_view(), name="daily_review_mark"),
]
