"""`manage.py reencode_images`: photos and image attachments stored as uploaded lose their EXIF afterwards."""

import io
from io import StringIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from PIL import Image

from core.models import AuditEvent
from core.tests.test_images import GPS_IFD, jpeg_bytes
from people.models import Attachment

from .test_views import LedgerTestCase


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("reencode_images", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def png_with_gps(size):
    exif = Image.Exif()
    exif[GPS_IFD] = {1: "N", 2: (30.0, 15.0, 12.5)}
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG", exif=exif.tobytes())
    return buffer.getvalue()


def plain_jpeg(size):
    buffer = io.BytesIO()
    Image.new("RGB", size, "blue").save(buffer, "JPEG")
    return buffer.getvalue()


def read(name):
    with default_storage.open(name, "rb") as handle:
        return handle.read()


class ReencodeImagesTests(LedgerTestCase):
    def setUp(self):
        super().setUp()
        # As stored before the pipeline applied to them: the uploaded bytes, under the uploaded name.
        self.p1.photo.save("张三.jpg", ContentFile(jpeg_bytes(size=(900, 600), gps=True)), save=True)
        self.old_photo = self.p1.photo.name
        scan = png_with_gps((1000, 1400))
        self.scan = Attachment(person=self.p1, name="证书.png", size=len(scan))
        self.scan.file.save("a.png", ContentFile(scan), save=True)
        self.pdf = Attachment(person=self.p1, name="文件.pdf", size=8)
        self.pdf.file.save("b.pdf", ContentFile(b"%PDF-1.4"), save=True)
        self.p2.photo.save("clean.jpg", ContentFile(plain_jpeg((300, 200))), save=True)
        self.clean_photo = self.p2.photo.name

    def test_dry_run_changes_nothing(self):
        out, _ = run("--dry-run")
        self.assertIn("需重新编码 2 个图片文件", out)
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.photo.name, self.old_photo)
        self.assertTrue(Image.open(io.BytesIO(read(self.old_photo))).getexif().get_ifd(GPS_IFD))

    def test_photos_and_image_attachments_lose_their_exif_once(self):
        out, err = run()
        self.assertIn("已重新编码 2 个图片文件，1 个无附带信息、未改动", out)
        self.assertEqual(err, "")
        self.p1.refresh_from_db()
        self.assertRegex(self.p1.photo.name, r"^people/photos/\d{4}/[0-9a-f]{32}\.jpg$")
        self.assertFalse(default_storage.exists(self.old_photo))
        with Image.open(io.BytesIO(read(self.p1.photo.name))) as photo:
            self.assertEqual((photo.size, dict(photo.getexif())), ((900, 600), {}))
        scan = Attachment.objects.get(pk=self.scan.pk)
        data = read(scan.file.name)
        self.assertEqual(scan.size, len(data))
        with Image.open(io.BytesIO(data)) as image:
            self.assertEqual((image.format, image.size, dict(image.getexif())), ("PNG", (1000, 1400), {}))
        self.assertEqual(read(Attachment.objects.get(pk=self.pdf.pk).file.name), b"%PDF-1.4")
        self.p2.refresh_from_db()
        self.assertEqual(self.p2.photo.name, self.clean_photo)  # nothing to remove: not re-encoded again
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CONFIG,
                                                  object_label="重新编码已存储的图片（去除EXIF）").exists())
        out, _ = run()
        self.assertIn("已重新编码 0 个图片文件", out)

    def test_a_missing_or_broken_file_is_reported_and_left(self):
        default_storage.delete(self.old_photo)
        _, err = run()
        self.assertIn("无法处理：统战成员", err)
        self.assertIn(self.old_photo, err)
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.photo.name, self.old_photo)
