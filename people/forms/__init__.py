"""The ledger's forms. person: a person (create and edit), social positions, attachments; adjust: the dynamic
adjustments (status, tier, transfer, tags) of one person or a selection; sensitive: the search by ID number and
the reveal of sensitive fields; categories: the categories and their sub-types."""

from .adjust import (
    BulkTagForm,
    BulkTransferForm,
    StatusForm,
    TierForm,
    TransferForm,
)
from .person import (
    BIRTH_FROM_ID,
    PHOTO_MAX_SIDE,
    AttachmentForm,
    PersonForm,
    SocialPositionForm,
    SocialPositionFormSet,
)
from .sensitive import IdNumberSearchForm, RevealForm

__all__ = [
    "BIRTH_FROM_ID", "PHOTO_MAX_SIDE", "AttachmentForm", "BulkTagForm", "BulkTransferForm", "IdNumberSearchForm",
    "PersonForm", "RevealForm", "SocialPositionForm", "SocialPositionFormSet", "StatusForm", "TierForm",
    "TransferForm",
]
