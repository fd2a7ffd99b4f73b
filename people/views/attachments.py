"""A person's attachments and photo: served only through these views, inside the user's scope."""

import mimetypes
import uuid
from pathlib import Path

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.views import View

from core import audit
from core.models import AuditEvent

from ..forms import (
    AttachmentForm,
)
from ..models import Attachment
from .detail import PersonMixin


class AttachmentUploadView(PersonMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "附件未上传：" + "；".join(e for errors in form.errors.values() for e in errors))
            return HttpResponseRedirect(person.get_absolute_url() + "#attachments")
        upload = form.cleaned_data["file"]
        original = Path(upload.name).name[:200]
        upload.name = uuid.uuid4().hex + Path(original).suffix.lower()
        with transaction.atomic():
            Attachment.objects.create(person=person, file=upload, name=original, size=upload.size,
                                      uploaded_by=request.user)
            touch(person, request.user, f"上传附件：{original}")
            audit.record(AuditEvent.Action.UPDATE, obj=person, changes={"上传附件": original})
        messages.success(request, f"附件“{original}”已上传。")
        return HttpResponseRedirect(person.get_absolute_url() + "#attachments")


def touch(person, user, reason):
    """A history entry for a change that lives outside the person's own row (attachments)."""
    person.updated_by = user
    person._change_reason = reason
    person.save(update_fields=["updated_by", "updated_at"])


class AttachmentDownloadView(PersonMixin, View):
    """Attachments are never served from /media/: only through here, inside the user's scope."""

    def get(self, request, *args, **kwargs):
        person = self.get_person()
        attachment = get_object_or_404(Attachment, pk=kwargs["attachment"], person=person)
        try:
            handle = attachment.file.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(attachment.name)[0] or "application/octet-stream"
        # Attachments may be scans of certificates: every download is on the record.
        audit.record(AuditEvent.Action.EXPORT, obj=person, label=f"{person.name}：下载附件",
                     changes={"附件": attachment.name})
        return FileResponse(handle, as_attachment=True, filename=attachment.name, content_type=content_type)


class AttachmentDeleteView(PersonMixin, View):
    action = "change"

    def post(self, request, *args, **kwargs):
        person = self.get_person()
        attachment = get_object_or_404(Attachment, pk=kwargs["attachment"], person=person)
        name = attachment.name
        with transaction.atomic():
            attachment.delete()
            touch(person, request.user, f"删除附件：{name}")
            audit.record(AuditEvent.Action.UPDATE, obj=person, changes={"删除附件": name})
        transaction.on_commit(lambda: attachment.file.storage.delete(attachment.file.name))
        messages.success(request, f"附件“{name}”已删除。")
        return HttpResponseRedirect(person.get_absolute_url() + "#attachments")


class PersonPhotoView(PersonMixin, View):
    def get(self, request, *args, **kwargs):
        person = self.get_person()
        if not person.photo:
            raise Http404
        try:
            handle = person.photo.open("rb")
        except (FileNotFoundError, OSError) as exc:
            raise Http404 from exc
        content_type = mimetypes.guess_type(person.photo.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        return response
