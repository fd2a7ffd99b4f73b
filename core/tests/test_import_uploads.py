"""Uploads held by import jobs: encrypted at rest, deleted when the job ends and at the latest 2 hours after
the upload, by the import pages and by `manage.py expire_import_uploads`."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from core import crypto
from core.models import ImportJob
from core.testing import create_user
from people.tests.ledgers import ledger, make_id, person


@pytest.mark.parametrize("suite", ["aes", "sm"])
def test_bytes_are_sealed_for_one_purpose(settings, suite):
    settings.CRYPTO_SUITE = suite
    data = b"PK\x03\x04" + bytes(range(256)) * 100
    sealed = crypto.encrypt_bytes(data, "import-upload")
    assert sealed.startswith({"aes": b"A1$", "sm": b"S1$"}[suite]) and data[:64] not in sealed
    assert crypto.encrypt_bytes(data, "import-upload") != sealed  # a fresh nonce each time
    assert crypto.decrypt_bytes(sealed, "import-upload") == data
    with pytest.raises(crypto.TamperedValue):
        crypto.decrypt_bytes(sealed, "another-purpose")
    with pytest.raises(crypto.TamperedValue):
        crypto.decrypt_bytes(sealed[:-1] + bytes([sealed[-1] ^ 1]), "import-upload")
    with pytest.raises(crypto.TamperedValue):
        crypto.decrypt_bytes(data, "import-upload")


def test_a_sealed_value_is_opened_after_the_suite_changes(settings):
    settings.CRYPTO_SUITE = "sm"
    sealed = crypto.encrypt_bytes(b"data", "import-upload")
    settings.CRYPTO_SUITE = "aes"
    assert crypto.decrypt_bytes(sealed, "import-upload") == b"data"


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


def test_the_ledger_upload_is_kept_encrypted_and_still_imports(client, org, officer):
    from people.models import Person

    content = ledger([person(身份证号=make_id(seq=123))])
    client.force_login(officer)
    client.post(reverse("people:person_import"), {
        "file": SimpleUploadedFile("花名册.xlsx", content), "unit": org.town1.pk, "update": "fill"})
    job = ImportJob.objects.get()
    stored = bytes(job.data)
    assert job.status == ImportJob.Status.CHECKED
    assert not stored.startswith(b"PK") and b"xl/workbook.xml" not in stored and content[:200] not in stored
    assert job.upload() == content
    client.post(reverse("people:person_import_job", kwargs={"pk": job.pk}), {"action": "confirm"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.data is None and Person.objects.count() == 1


def test_what_cannot_be_decrypted_is_no_upload(org, officer):
    job = ImportJob.objects.create(kind="people.person", user=officer, unit=org.town1, file_name="a.xlsx",
                                   data=b"PK\x03\x04 a plaintext upload from before")
    assert job.upload() is None


def make_job(org, officer, status, *, age):
    job = ImportJob.objects.create(kind="people.person", user=officer, unit=org.town1, file_name="a.xlsx",
                                   status=status, data=ImportJob.seal(b"upload"))
    at = timezone.now() - age
    ImportJob.objects.filter(pk=job.pk).update(created_at=at, updated_at=min(at + age, timezone.now()))
    return job


@pytest.mark.parametrize("status", [ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED])
def test_a_job_that_ends_drops_its_upload(org, officer, status):
    job = make_job(org, officer, ImportJob.Status.CHECKING, age=datetime.timedelta(minutes=1))
    assert job.set_status(status, expected=ImportJob.Status.CHECKING)
    job.refresh_from_db()
    assert job.data is None and job.finished_at is not None


def test_uploads_are_deleted_two_hours_after_the_upload_whatever_the_job_does(org, officer):
    # Polled all along (updated a minute ago) but uploaded 2 hours and 1 minute ago.
    waiting = make_job(org, officer, ImportJob.Status.CHECKED, age=datetime.timedelta(hours=2, minutes=1))
    importing = make_job(org, officer, ImportJob.Status.IMPORTING, age=datetime.timedelta(hours=2, minutes=1))
    fresh = make_job(org, officer, ImportJob.Status.CHECKED, age=datetime.timedelta(hours=1, minutes=50))
    out = io.StringIO()
    call_command("expire_import_uploads", stdout=out)
    assert "已删除 2 个" in out.getvalue()
    for job in (waiting, importing, fresh):
        job.refresh_from_db()
    assert (waiting.status, waiting.data) == (ImportJob.Status.EXPIRED, None)
    # Its task read the upload when it started and finishes the import; only the upload goes.
    assert (importing.status, importing.data) == (ImportJob.Status.IMPORTING, None)
    assert fresh.status == ImportJob.Status.CHECKED and fresh.upload() == b"upload"


def test_the_job_page_expires_old_uploads_when_touched(client, org, officer):
    job = make_job(org, officer, ImportJob.Status.CHECKED, age=datetime.timedelta(hours=3))
    client.force_login(officer)
    client.get(reverse("people:person_import_job", kwargs={"pk": job.pk}))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.EXPIRED and job.data is None
