"""Attachments: documents are stored as sent, JPG/PNG attachments go through the image pipeline."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import uploads

from .test_images import GPS_IFD, jpeg_bytes


def test_documents_are_returned_as_sent():
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test")
    assert uploads.clean_attachment(pdf) is pdf


@pytest.mark.parametrize("name, fmt", [("证书.JPG", "JPEG"), ("扫描件.png", "PNG")])
def test_image_attachments_are_re_encoded_without_metadata(name, fmt):
    original = jpeg_bytes(size=(1200, 900), gps=True, fmt=fmt)
    cleaned = uploads.clean_attachment(SimpleUploadedFile(name, original))
    assert cleaned.name == name
    data = cleaned.read()
    assert cleaned.size == len(data)
    assert data != original
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == fmt
        assert image.size == (1200, 900)
        assert not image.getexif().get_ifd(GPS_IFD)
        assert "exif" not in image.info


def test_large_scans_keep_a_readable_size():
    cleaned = uploads.clean_attachment(SimpleUploadedFile("a.jpg", jpeg_bytes(size=(5000, 4000))))
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.size == (uploads.ATTACHMENT_IMAGE_MAX_SIDE, 2880)


def test_type_checks_come_first_and_broken_images_are_explained():
    with pytest.raises(ValidationError, match="文件内容与扩展名“.jpg”不符"):
        uploads.clean_attachment(SimpleUploadedFile("a.jpg", "文本".encode()))
    with pytest.raises(ValidationError) as caught:
        uploads.clean_attachment(SimpleUploadedFile("a.jpg", b"\xff\xd8\xff" + b"\0" * 100))
    assert caught.value.messages == [uploads.IMAGE_UNREADABLE]
