"""The ledger's forms. person: a person (create and edit), social positions, attachments; adjust: the dynamic
adjustments (status, tier, transfer, tags) of one person or a selection; sensitive: the search by ID number and
the reveal of sensitive fields; categories: the categories and their sub-types."""

from .adjust import (
    BulkTagForm,
    BulkTransferForm,
    DatedReasonForm,
    StatusForm,
    TierForm,
    TransferForm,
    transfer_destinations,
)
from .person import (
    BIRTH_FROM_ID,
    PHOTO_MAX_SIDE,
    TAG_SEPARATORS,
    AttachmentForm,
    PersonForm,
    PersonPhotoField,
    SocialPositionForm,
    SocialPositionFormSet,
    split_tags,
)
from .sensitive import IdNumberSearchForm, RevealForm

__all__ = [
    "BIRTH_FROM_ID", "PHOTO_MAX_SIDE", "TAG_SEPARATORS", "AttachmentForm", "BulkTagForm", "BulkTransferForm",
    "DatedReasonForm", "IdNumberSearchForm", "PersonForm", "PersonPhotoField", "RevealForm", "SocialPositionForm",
    "SocialPositionFormSet", "StatusForm", "TierForm", "TransferForm", "split_tags", "transfer_destinations",
]
