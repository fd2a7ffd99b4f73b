import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import images

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_bytes(size=(800, 600), color="red", gps=False, orientation=None, fmt="JPEG"):
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "TestCamera"  # Make
    if orientation:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5), 3: "E", 4: (120.0, 9.0, 30.0)}
    buffer = io.BytesIO()
    image.save(buffer, fmt, exif=exif.tobytes() if fmt != "PNG" else None)
    return buffer.getvalue()


def upload(data, name="photo.jpg"):
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def test_renamed_pdf_and_text_are_refused():
    for data in (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF", "这不是图片".encode()):
        with pytest.raises(ValidationError) as caught:
            images.process_image(upload(data, "活动照片.jpg"))
        assert "文件不是有效的图片（仅支持 JPG、PNG、WebP）" in caught.value.messages[0]
        assert "活动照片.jpg" in caught.value.messages[0]


def test_other_image_formats_are_refused():
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    with pytest.raises(ValidationError, match="仅支持 JPG、PNG、WebP"):
        images.process_image(upload(buffer.getvalue(), "a.jpg"))


def test_oversized_file_is_refused():
    data = jpeg_bytes()
    with pytest.raises(ValidationError, match="照片不能超过 10 MB"):
        images.check_image(upload(data + b"\0" * (10 * 1024 * 1024)))
    with pytest.raises(ValidationError, match="照片不能超过 1 MB"):
        images.check_image(upload(b"\0" * (1024 * 1024 + 1)), max_bytes=1024 * 1024)


def test_decompression_bomb_is_refused():
    with pytest.raises(ValidationError, match="图片尺寸过大"):
        images.process_image(upload(jpeg_bytes(size=(2000, 2000))), max_pixels=1_000_000)


def test_exif_and_gps_are_removed_and_orientation_applied():
    data = jpeg_bytes(size=(800, 600), gps=True, orientation=6)  # 6: rotate 90° clockwise to view
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the fixture really carries a position
    result = images.process_image(upload(data))
    with Image.open(io.BytesIO(result.image.read())) as cleaned:
        assert cleaned.format == "JPEG"
        exif = cleaned.getexif()
        assert not exif.get_ifd(GPS_IFD)
        assert GPS_IFD not in exif and ORIENTATION not in exif and 0x010F not in exif
        assert "exif" not in cleaned.info
        assert cleaned.size == (600, 800)  # turned upright
    assert (result.width, result.height) == (600, 800)


def test_thumbnail_is_made_and_png_webp_accepted():
    for fmt, ext in (("PNG", "png"), ("WEBP", "webp"), ("JPEG", "jpg")):
        result = images.process_image(upload(jpeg_bytes(size=(1600, 1200), fmt=fmt), f"x.{ext}"))
        assert result.image.name.endswith(f".{ext}")
        with Image.open(io.BytesIO(result.thumbnail.read())) as thumb:
            assert thumb.format == "JPEG"
            assert max(thumb.size) == images.THUMB_SIDE
            assert thumb.size == (400, 300)


def test_large_photo_is_scaled_down():
    result = images.process_image(upload(jpeg_bytes(size=(4000, 3000))))
    assert max(result.width, result.height) == images.MAX_SIDE


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg():
    buffer = io.BytesIO()
    first, second = Image.new("RGB", (640, 480), "red"), Image.new("RGB", (640, 480), "blue")
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5)}
    first.save(buffer, "MPO", save_all=True, append_images=[second], exif=exif.tobytes())
    with Image.open(io.BytesIO(buffer.getvalue())) as probe:
        assert probe.format == "MPO"  # what Pillow calls it
    result = images.process_image(upload(buffer.getvalue()))
    assert result.image.name.endswith(".jpg")
    with Image.open(io.BytesIO(result.image.read())) as cleaned:
        assert cleaned.format == "JPEG"
        assert getattr(cleaned, "n_frames", 1) == 1
        assert dict(cleaned.getexif()) == {}
        assert cleaned.getpixel((10, 10))[0] > 200  # the first picture (red) is the one kept


def test_jpeg_comment_is_not_carried_over():
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(buffer, "JPEG", comment=b"owner: zhang san 13812345678")
    result = images.process_image(upload(buffer.getvalue()))
    data = result.image.read()
    assert b"13812345678" not in data
    with Image.open(io.BytesIO(data)) as cleaned:
        assert "comment" not in cleaned.info


def test_no_thumbnail_when_not_asked_for():
    result = images.process_image(upload(jpeg_bytes(size=(1600, 1200))), max_side=1000, thumb_side=None)
    assert result.thumbnail is None
    assert (result.width, result.height) == (1000, 750)


def test_photo_field_cleans_to_the_re_encoded_file():
    field = images.PhotoField(required=False, max_side=500)
    cleaned = field.clean(upload(jpeg_bytes(size=(1000, 800), gps=True), "张三.jpg"))
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", cleaned.name)
    with Image.open(io.BytesIO(cleaned.read())) as image:
        assert image.size == (500, 400)
        assert dict(image.getexif()) == {}
    assert field.clean(False) is False  # "clear" ticked
    assert field.clean(None, "people/photos/2026/stored.jpg") == "people/photos/2026/stored.jpg"
    with pytest.raises(ValidationError, match="文件不是有效的图片"):
        field.clean(upload(b"%PDF-1.4", "a.jpg"))
