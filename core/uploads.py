"""Uploaded documents (attachments, evidence): the allowed types, checked by content, and the size cap.

Photos have their own path (core/images.py): they are decoded and re-encoded, documents are stored as sent.
"""

from pathlib import Path

from django.core.exceptions import ValidationError

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
