"""Routes of the ledger import, included by people/urls.py at `import/` (inside the "people" namespace)."""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.PersonImportView.as_view(), name="person_import"),
    path("<int:pk>/", import_views.PersonImportJobView.as_view(), name="person_import_job"),
    path("<int:pk>/status/", import_views.PersonImportStatusView.as_view(), name="person_import_status"),
    path("<int:pk>/errors/", import_views.PersonImportErrorsView.as_view(), name="person_import_errors"),
]
