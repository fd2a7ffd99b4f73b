"""A person's photo and image attachments go through the one image pipeline (core/images.py)."""

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core.tests.test_images import GPS_IFD, jpeg_bytes
from people.forms import PHOTO_MAX_SIDE
from people.models import Attachment, Person

from .test_views import LedgerTestCase, person_form_data


def stored_image(field_file):
    with field_file.open("rb"):
        data = field_file.read()
    return data, Image.open(io.BytesIO(data))


class PersonPhotoTests(LedgerTestCase):
    def post_photo(self, upload, **extra):
        self.client.force_login(self.town1_user)
        data = person_form_data(self.org.village1, name="张三", photo=upload, **extra)
        return self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}), data)

    def test_photo_with_gps_is_stored_without_exif_under_a_random_name(self):
        original = jpeg_bytes(size=(3000, 2000), gps=True)
        with Image.open(io.BytesIO(original)) as check:
            self.assertTrue(check.getexif().get_ifd(GPS_IFD))  # the fixture carries a position
        response = self.post_photo(SimpleUploadedFile("张三身份证照.jpg", original, content_type="image/jpeg"))
        self.assertRedirects(response, self.p1.get_absolute_url())
        self.p1.refresh_from_db()
        name = self.p1.photo.name
        self.assertRegex(name, r"^people/photos/\d{4}/[0-9a-f]{32}\.jpg$")
        data, image = stored_image(self.p1.photo)
        self.assertNotEqual(data, original)
        self.assertEqual(image.format, "JPEG")
        self.assertNotIn("exif", image.info)
        self.assertEqual(dict(image.getexif()), {})
        self.assertEqual(max(image.size), PHOTO_MAX_SIDE)

        served = self.client.get(reverse("people:person_photo", kwargs={"pk": self.p1.pk}))
        self.assertEqual(served["Content-Type"], "image/jpeg")
        self.assertEqual(b"".join(served.streaming_content), data)

    def test_text_file_named_jpg_is_refused_in_chinese(self):
        response = self.post_photo(SimpleUploadedFile("照片.jpg", "这不是图片".encode(), content_type="image/jpeg"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "文件不是有效的图片（仅支持 JPG、PNG、WebP）")
        self.p1.refresh_from_db()
        self.assertFalse(self.p1.photo)

    def test_gif_is_refused(self):
        buffer = io.BytesIO()
        Image.new("RGB", (20, 20)).save(buffer, "GIF")
        response = self.post_photo(SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png"))
        self.assertContains(response, "仅支持 JPG、PNG、WebP")
        self.assertFalse(Person.objects.get(pk=self.p1.pk).photo)

    def test_replaced_and_cleared_photos_leave_no_file_behind(self):
        self.post_photo(SimpleUploadedFile("a.jpg", jpeg_bytes(gps=True), content_type="image/jpeg"))
        self.p1.refresh_from_db()
        first = self.p1.photo.name
        self.assertTrue(default_storage.exists(first))
        with self.captureOnCommitCallbacks(execute=True):
            self.post_photo(SimpleUploadedFile("b.png", jpeg_bytes(fmt="PNG"), content_type="image/png"))
        self.p1.refresh_from_db()
        second = self.p1.photo.name
        self.assertTrue(second.endswith(".png"))
        self.assertFalse(default_storage.exists(first))
        with self.captureOnCommitCallbacks(execute=True):
            self.post_photo("", **{"photo-clear": "on"})
        self.p1.refresh_from_db()
        self.assertFalse(self.p1.photo)
        self.assertFalse(default_storage.exists(second))

    def test_edit_without_a_new_photo_keeps_the_stored_one(self):
        self.post_photo(SimpleUploadedFile("a.jpg", jpeg_bytes(), content_type="image/jpeg"))
        self.p1.refresh_from_db()
        kept = self.p1.photo.name
        with self.captureOnCommitCallbacks(execute=True):
            self.post_photo("")
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.photo.name, kept)
        self.assertTrue(default_storage.exists(kept))


class ImageAttachmentTests(LedgerTestCase):
    def upload(self, name, content):
        self.client.force_login(self.town1_user)
        return self.client.post(reverse("people:attachment_upload", kwargs={"pk": self.p1.pk}),
                                {"file": SimpleUploadedFile(name, content)}, follow=True)

    def test_jpg_attachment_is_re_encoded_without_exif(self):
        original = jpeg_bytes(size=(2480, 3508), gps=True)  # an A4 scan at 300 dpi keeps its size
        self.upload("荣誉证书.jpg", original)
        attachment = Attachment.objects.get()
        self.assertEqual(attachment.name, "荣誉证书.jpg")
        self.assertRegex(attachment.file.name, r"/[0-9a-f]{32}\.jpg$")
        data, image = stored_image(attachment.file)
        self.assertEqual(attachment.size, len(data))
        self.assertEqual(image.size, (2480, 3508))
        self.assertEqual(dict(image.getexif()), {})

    def test_pdf_attachment_is_stored_as_sent(self):
        self.upload("任职文件.pdf", b"%PDF-1.4 test")
        stored = Attachment.objects.get().file
        with stored.open("rb"):
            self.assertEqual(stored.read(), b"%PDF-1.4 test")

    def test_broken_png_attachment_is_refused(self):
        response = self.upload("扫描件.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
        self.assertContains(response, "附件未上传：图片已损坏或无法识别")
        self.assertFalse(Attachment.objects.exists())
