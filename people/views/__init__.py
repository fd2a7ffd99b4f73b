"""The ledger's pages, built on core's generic views. Every record is reached through `visible_to`.

listing: the list, the autocomplete and the search by ID number; detail: a person's page and the reveal of the
sensitive fields; edit: create, edit, delete, status and tier; transfers: one person's or a selection's transfer
and the register of transfers; bulk: the actions on a selection; attachments: attachments and photo;
categories: the categories (统战成员类别) and their sub-types. people.urls routes the classes re-exported here.
"""

from .attachments import AttachmentDeleteView, AttachmentDownloadView, AttachmentUploadView, PersonPhotoView
from .bulk import BulkTagView
from .detail import PersonDetailView, PersonRevealView
from .edit import PersonDeleteView, PersonEditView, PersonStatusView, PersonTierView
from .listing import PersonAutocompleteView, PersonIdSearchView, PersonListView
from .transfers import BulkTransferView, PersonTransferView, TransferListView

__all__ = [
    "AttachmentDeleteView", "AttachmentDownloadView", "AttachmentUploadView", "BulkTagView", "BulkTransferView",
    "PersonAutocompleteView", "PersonDeleteView", "PersonDetailView", "PersonEditView", "PersonIdSearchView",
    "PersonListView", "PersonPhotoView", "PersonRevealView", "PersonStatusView", "PersonTierView",
    "PersonTransferView", "TransferListView",
]
