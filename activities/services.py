"""The activities' public surface (with activities.models): what the pages and the REST API share.

- `add_photos`: store photos already checked and re-encoded by core.images (the form's PhotosField), audited.
"""

from django.db import transaction

from core import audit
from core.models import AuditEvent

from .models import Photo

__all__ = ["add_photos"]


def add_photos(activity, processed, user):
    """Store `processed` (core.images.ProcessedImage, from PhotosField) as photos of `activity`, uploaded by
    `user`, in one transaction with one audit event. Returns the photos."""
    photos = []
    with transaction.atomic():
        for item in processed:
            photo = Photo(activity=activity, uploaded_by=user)
            photo.image.save(item.image.name, item.image, save=False)
            photo.thumbnail.save(item.thumbnail.name, item.thumbnail, save=False)
            photo.save()
            photos.append(photo)
        audit.record(AuditEvent.Action.UPDATE, obj=activity, changes={"上传照片": f"{len(processed)}张"})
    return photos
