from django.urls import include, path

from core.importing.urls import import_urls
from core.urls_helpers import object_urls

from . import views
from .importers import LedgerImporter
from .models import Person

app_name = "people"

urlpatterns = [
    path("find/", views.PersonIdSearchView.as_view(), name="person_find"),
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("bulk/transfer/", views.BulkTransferView.as_view(), name="person_bulk_transfer"),
    path("bulk/tag/", views.BulkTagView.as_view(), name="person_bulk_tag"),
    path("<int:pk>/reveal/", views.PersonRevealView.as_view(), name="person_reveal"),
    path("<int:pk>/status/", views.PersonStatusView.as_view(), name="person_status"),
    path("<int:pk>/tier/", views.PersonTierView.as_view(), name="person_tier"),
    path("<int:pk>/transfer/", views.PersonTransferView.as_view(), name="person_transfer"),
    path("<int:pk>/photo/", views.PersonPhotoView.as_view(), name="person_photo"),
    path("<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment>/", views.AttachmentDownloadView.as_view(),
         name="attachment_download"),
    path("<int:pk>/attachments/<int:attachment>/delete/", views.AttachmentDeleteView.as_view(),
         name="attachment_delete"),
    *object_urls(Person, views, "Person"),
    # Excel: the export (filtered list or a POSTed selection) and the blank import template.
    path("", include("people.export_urls")),
    # Import (core.importing): upload → check → preview → confirm, and the job's pages.
    path("import/", include(import_urls(LedgerImporter, "person_import"))),
    path("categories/", include("people.category_urls")),
]
