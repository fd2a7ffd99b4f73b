"""Uploaded photos: checked by content, re-encoded without metadata, a thumbnail made once.

The one image pipeline of the project: every uploaded image of every app goes through `process_image`
(activity photos, a person's photo, JPG/PNG attachments via core/uploads.py). The image that is stored is
never the bytes that were uploaded: it is decoded, turned upright (EXIF orientation applied), and written
again under a random name, so EXIF (GPS position, camera serial, ...), JPEG comments and anything smuggled
after the image data are gone.
"""

import io
import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
# Pillow calls a JPEG with a second picture inside (many phone cameras add a depth map or a preview this way,
# the MPF extension) "MPO": it is a JPEG, and only its first picture is kept.
FORMAT_ALIASES = {"MPO": "JPEG"}
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: any phone camera, not a decompression bomb
MAX_SIDE = 2560  # longer side of the stored photo
THUMB_SIDE = 400
JPEG_QUALITY = 85

ACCEPT = "image/jpeg,image/png,image/webp"  # for <input type=file accept=…>
NOT_AN_IMAGE = "文件不是有效的图片（仅支持 JPG、PNG、WebP）"
TOO_LARGE = "照片不能超过 {mb} MB"
TOO_MANY_PIXELS = "图片尺寸过大（超过 {mp} 百万像素），请缩小后再上传"


@dataclass
class ProcessedImage:
    """The cleaned image and its thumbnail, ready to assign to ImageFields (`field.save(name, content)`)."""

    image: ContentFile
    thumbnail: ContentFile | None
    width: int
    height: int
    original_name: str


def check_image(upload, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS):
    """Raise ValidationError (Chinese) unless `upload` is a JPEG, PNG or WebP within the caps. Returns the format."""
    name = getattr(upload, "name", "") or "文件"
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, io.SEEK_END)
        size = upload.tell()
    if size > max_bytes:
        raise ValidationError(f"“{name}”：" + TOO_LARGE.format(mb=max_bytes // (1024 * 1024)), code="too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as probe:
            image_format = FORMAT_ALIASES.get(probe.format, probe.format)
            width, height = probe.size
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(f"“{name}”：{NOT_AN_IMAGE}", code="invalid_image")
            if width * height > max_pixels:
                raise ValidationError(f"“{name}”：" + TOO_MANY_PIXELS.format(mp=max_pixels // 1_000_000),
                                      code="too_many_pixels")
            probe.verify()
    except ValidationError:
        raise
    except Image.DecompressionBombError as exc:
        raise ValidationError(f"“{name}”：" + TOO_MANY_PIXELS.format(mp=max_pixels // 1_000_000),
                              code="too_many_pixels") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError(f"“{name}”：{NOT_AN_IMAGE}", code="invalid_image") from exc
    finally:
        upload.seek(0)
    return image_format


def _encode(image, image_format):
    """Bytes of `image` in `image_format` with no metadata (no exif=, no icc beyond the colours, no text chunks)."""
    buffer = io.BytesIO()
    if image_format == "JPEG":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif image_format == "WEBP":
        image.save(buffer, "WEBP", quality=JPEG_QUALITY)
    else:
        if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
            image = image.convert("RGBA")
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def process_image(upload, *, max_bytes=MAX_BYTES, max_pixels=MAX_PIXELS, max_side=MAX_SIDE,
                  thumb_side=THUMB_SIDE):
    """Check `upload` (check_image), then return the re-encoded image (upright, without EXIF/GPS, at most
    `max_side` px on its longer side, same format, a random name) and a JPEG thumbnail (at most `thumb_side`
    px; none when `thumb_side` is None)."""
    image_format = check_image(upload, max_bytes=max_bytes, max_pixels=max_pixels)
    name = getattr(upload, "name", "") or "photo"
    try:
        with Image.open(upload) as source:
            source.load()
            image = ImageOps.exif_transpose(source)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError(f"“{name}”：{NOT_AN_IMAGE}", code="invalid_image") from exc
    finally:
        upload.seek(0)
    image.info.pop("exif", None)
    image.info.pop("icc_profile", None)
    image.info.pop("xmp", None)
    image.info.pop("comment", None)  # a JPEG COM segment: JPEG's encoder would write it again
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    stem = uuid.uuid4().hex
    main = ContentFile(_encode(image, image_format), name=f"{stem}.{ALLOWED_FORMATS[image_format]}")
    if thumb_side is None:
        return ProcessedImage(image=main, thumbnail=None, width=image.width, height=image.height,
                              original_name=name)
    thumb = image.copy()
    thumb.thumbnail((thumb_side, thumb_side), Image.Resampling.LANCZOS)
    if thumb.mode in ("RGBA", "LA", "P"):
        # A transparent PNG on white, as a JPEG thumbnail.
        thumb = thumb.convert("RGBA")
        background = Image.new("RGB", thumb.size, "white")
        background.paste(thumb, mask=thumb.getchannel("A"))
        thumb = background
    thumbnail = ContentFile(_encode(thumb, "JPEG"), name=f"{stem}_thumb.jpg")
    return ProcessedImage(image=main, thumbnail=thumbnail, width=image.width, height=image.height,
                          original_name=name)


class PhotoField(forms.FileField):
    """One photo, for a model's ImageField (`field_classes = {"photo": PhotoField}`): a new upload cleans to the
    re-encoded file (process_image, no thumbnail), a cleared one to False, none to the stored file."""

    def __init__(self, *, max_side=MAX_SIDE, **kwargs):
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)
        self.max_side = max_side

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        if isinstance(value, UploadedFile):
            return process_image(value, max_side=self.max_side, thumb_side=None).image
        return value
