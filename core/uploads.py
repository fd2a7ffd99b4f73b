"""Uploaded documents (attachments, evidence): the allowed types, checked by content, and the size cap.

`clean_attachment` is what forms call: documents (PDF, Word, Excel) are stored as sent, while a JPG or PNG
attachment (a scanned certificate, a photo of a paper) goes through the image pipeline (core/images.py) like
every other uploaded image, so no EXIF/GPS data is kept with it.
"""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from . import images

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
# Extension -> the first bytes such a file starts with (Office 2007+ files are zip archives, older Word/Excel
# files OLE2 compound documents).
ATTACHMENT_SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
}
ATTACHMENT_ACCEPT = ",".join(sorted(ATTACHMENT_SIGNATURES))  # for <input type=file accept=…>
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
# A scan of an A4 page at 300 dpi is 2480 × 3508 pixels: attachments keep that much, photos less.
ATTACHMENT_IMAGE_MAX_SIDE = 3600
IMAGE_UNREADABLE = "图片已损坏或无法识别，请重新保存为 JPG 或 PNG 后上传"


def validate_attachment(upload):
    """An uploaded document: allowed type, not empty, at most 10 MB, content matching its extension."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in ATTACHMENT_SIGNATURES:
        raise ValidationError("只能上传 PDF、JPG、PNG、Word（doc/docx）或 Excel（xls/xlsx）文件")
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError("附件不能超过10MB")
    if upload.size == 0:
        raise ValidationError("文件是空的")
    head = upload.read(8)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in ATTACHMENT_SIGNATURES[suffix]):
        raise ValidationError(f"文件内容与扩展名“{suffix}”不符，请确认文件未损坏")
    return upload


def clean_attachment(upload):
    """`validate_attachment`, then, for a JPG or PNG, the re-encoded image (same name, no metadata) in its
    place. Returns the file to store; its `name` is the uploaded name and `size` the stored size."""
    validate_attachment(upload)
    if Path(upload.name).suffix.lower() not in IMAGE_SUFFIXES:
        return upload
    try:
        processed = images.process_image(upload, max_bytes=ATTACHMENT_MAX_BYTES,
                                         max_side=ATTACHMENT_IMAGE_MAX_SIDE, thumb_side=None)
    except ValidationError as exc:
        # The pipeline names the file in its messages; the attachment forms name it themselves.
        if exc.code == "too_many_pixels":
            raise ValidationError(images.TOO_MANY_PIXELS.format(mp=images.MAX_PIXELS // 1_000_000)) from exc
        raise ValidationError(IMAGE_UNREADABLE) from exc
    return ContentFile(processed.image.read(), name=upload.name)
