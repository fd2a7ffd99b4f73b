"""The audit log pages (安全审计), mounted at /audit/. Read-only: there is no edit or delete route."""

from django.urls import path

from . import audit_views

app_name = "audit"
urlpatterns = [
    path("", audit_views.AuditEventListView.as_view(), name="event_list"),
    path("<int:pk>/", audit_views.AuditEventDetailView.as_view(), name="event_detail"),
    path("export/", audit_views.AuditEventExportView.as_view(), name="event_export"),
    path("verify/", audit_views.AuditChainVerifyView.as_view(), name="chain_verify"),
]
