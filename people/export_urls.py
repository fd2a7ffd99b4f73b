"""Routes of the ledger's Excel export and import template; included by people/urls.py inside the "people"
namespace at the root of /people/."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("export/", export_views.PersonExportView.as_view(), name="person_export"),
    path("export/full/", export_views.PersonFullExportView.as_view(), name="person_export_full"),
    path("template/", export_views.PersonTemplateView.as_view(), name="person_template"),
]
