"""`manage.py reencode_images [--dry-run] [--all]`: pass images stored before every upload went through the
image pipeline (a person's photo, JPG/PNG attachments) through it now, so no EXIF/GPS stays on disk.

Walks every model's ImageFields, and its FileFields holding a .jpg/.jpeg/.png/.webp file. A file carrying
metadata (EXIF, XMP, ICC profile, JPEG comment, PNG text) is re-encoded by core/images.py at its own pixel
size, stored under a new random name, the row pointed at it, and the old file deleted; a file without
metadata is left alone (re-encoding it again would only cost quality), unless `--all` is given. A `size`
column beside the file (attachments) is updated. History tables keep the old names: they are a record.
"""

import os

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand
from django.db import models
from PIL import Image, UnidentifiedImageError

from core import audit, images
from core.models import AuditEvent

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
METADATA_KEYS = ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment")
NO_RESIZE = 1_000_000  # longer side in pixels: larger than any image MAX_PIXELS lets through
STORED_MAX_BYTES = 100 * 1024 * 1024  # files stored before the caps applied may be larger than today's cap


def image_fields():
    """[(model, field)] of every stored image or possibly-image file, history models left out."""
    found = []
    for model in apps.get_models():
        if hasattr(model, "instance_type"):  # a django-simple-history table: names as they were
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                found.append((model, field))
    return found


def carries_metadata(handle):
    try:
        with Image.open(handle) as image:
            text = getattr(image, "text", None) or {}  # PNG tEXt/iTXt/zTXt chunks
            return bool(image.getexif()) or any(key in image.info for key in METADATA_KEYS) or bool(text)
    finally:
        handle.seek(0)


class Command(BaseCommand):
    help = "将以前原样保存的图片（人员照片、JPG/PNG 附件）重新编码，去除 EXIF（含拍摄位置）等附带信息。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计，不修改文件")
        parser.add_argument("--all", action="store_true", dest="everything", help="没有附带信息的图片也重新编码")

    def handle(self, *args, dry_run, everything, **options):
        counts = {"reencoded": 0, "clean": 0}
        unreadable = []
        for model, field in image_fields():
            is_image_field = isinstance(field, models.ImageField)
            has_size = any(f.name == "size" for f in model._meta.concrete_fields)
            rows = model._base_manager.exclude(**{field.name: ""}).exclude(**{f"{field.name}__isnull": True})
            for pk, name in rows.values_list("pk", field.name).iterator(chunk_size=500):
                if not is_image_field and not name.lower().endswith(IMAGE_SUFFIXES):
                    continue
                label = f"{model._meta.verbose_name} {pk}：{name}"
                try:
                    with field.storage.open(name, "rb") as handle:
                        if not everything and not carries_metadata(handle):
                            counts["clean"] += 1
                            continue
                        if dry_run:
                            counts["reencoded"] += 1
                            continue
                        processed = images.process_image(handle, max_bytes=STORED_MAX_BYTES, max_side=NO_RESIZE,
                                                         thumb_side=None)
                except (OSError, UnidentifiedImageError, ValidationError) as exc:
                    reason = "；".join(exc.messages) if isinstance(exc, ValidationError) else "文件缺失或无法读取"
                    unreadable.append(f"{label}（{reason}）")
                    continue
                new_name = field.storage.save(os.path.join(os.path.dirname(name), processed.image.name),
                                              processed.image)
                changes = {field.name: new_name}
                if has_size:
                    changes["size"] = processed.image.size
                model._base_manager.filter(pk=pk).update(**changes)
                field.storage.delete(name)
                counts["reencoded"] += 1

        verb = "需重新编码" if dry_run else "已重新编码"
        self.stdout.write(f"{verb} {counts['reencoded']} 个图片文件，{counts['clean']} 个无附带信息、未改动。")
        for line in unreadable:
            self.stderr.write(f"无法处理：{line}")
        if not dry_run and (counts["reencoded"] or unreadable):
            audit.record(AuditEvent.Action.CONFIG, label="重新编码已存储的图片（去除EXIF）",
                         changes={"重新编码": counts["reencoded"], "未改动": counts["clean"],
                                  "无法处理": unreadable[:200]})
