"""The web flow of the ledger import, end to end with the ImmediateBackend (tasks run at once):
upload → preview → confirm → result; the error workbook; permissions, scope and what is kept."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.urls import NoReverseMatch, reverse

from accounts.testing import create_user
from core.models import AuditEvent, ImportJob
from people.importers import NUMERIC_ID, LedgerImporter
from people.lookups import registered_elsewhere
from people.models import Person

from .test_importer import HEADERS, ledger, make_id, person

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload_file(content, name="花名册.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def good_file():
    return ledger([person(身份证号=make_id(seq=123), **{"所在村(社区)": "东溪村"}),
                   person("李四", 身份证号=make_id(seq=125))])


def bad_file():
    return ledger([person(身份证号=make_id(seq=123)), person("李四", 身份证号=330998197503141230),
                   person("王五", 身份证号=make_id(seq=127))])


@pytest.fixture
def officer(org):
    return create_user("town01", org.town1, "town_officer")


@pytest.fixture
def client_in(client, officer):
    client.force_login(officer)
    return client


def post_upload(client, org, content, **fields):
    data = {"file": upload_file(content), "unit": org.town1.pk, "update": "fill", **fields}
    return client.post(reverse("people:person_import"), data)


def the_job():
    return ImportJob.objects.get()


def test_only_roles_with_the_import_action_get_the_pages(client, org, officer):
    url = reverse("people:person_import")
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    others = [("norole", None), ("leader1", "leader"), ("sys1", "sysadmin"), ("liaison", "village_liaison")]
    for username, role in others:
        user = create_user(username, org.town1, *([role] if role else []))
        client.force_login(user)
        assert client.get(url).status_code == 403, username
        assert client.post(url, {}).status_code == 403, username
    client.force_login(officer)
    assert client.get(url).status_code == 200


def test_upload_page_offers_units_in_scope_and_the_template(client_in, org):
    response = client_in.get(reverse("people:person_import"))
    units = list(response.context["form"].fields["unit"].queryset)
    assert org.town1 in units and org.village1 in units
    assert org.town2 not in units and org.county not in units
    assert response.context["form"].fields["unit"].initial == org.town1.pk
    try:
        template_url = reverse("people:person_template")
    except NoReverseMatch:
        template_url = None
    if template_url:
        assert template_url in response.content.decode()


def test_upload_preview_confirm_and_result(client_in, org, officer):
    response = post_upload(client_in, org, good_file())
    job = the_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("people:person_import_job", kwargs={"pk": job.pk})
    assert job.status == ImportJob.Status.CHECKED and job.data is not None
    assert (job.file_name, job.unit, job.user) == ("花名册.xlsx", org.town1, officer)
    assert Person.objects.count() == 0

    preview = client_in.get(response["Location"])
    assert preview.status_code == 200
    text = preview.content.decode()
    for label in ("数据行", "有效", "将新增", "将更新", "无变化", "错误（行）", "确认导入"):
        assert label in text
    assert preview.context["counts"]["created"] == 2

    done = client_in.post(response["Location"], {"action": "confirm"})
    assert done.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.data is None and job.finished_at
    assert job.result["written"] and job.result["counts"]["created"] == 2
    assert Person.objects.get(name="张三").owner_unit == org.village1
    assert Person.objects.get(name="李四").created_by == officer
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_label="花名册.xlsx").count() == 1
    result = client_in.get(response["Location"])
    assert "导入完成：新增 2 人" in result.content.decode()
    # The same file again: nothing to do.
    post_upload(client_in, org, good_file())
    again = ImportJob.objects.exclude(pk=job.pk).get()
    assert again.result["counts"]["unchanged"] == 2 and not again.result["counts"]["created"]


def test_errors_are_listed_and_block_the_import_until_asked_to_skip(client_in, org):
    post_upload(client_in, org, bad_file())
    job = the_job()
    url = reverse("people:person_import_job", kwargs={"pk": job.pk})
    preview = client_in.get(url)
    text = preview.content.decode()
    assert "第4行" in text and "身份证号<span class=\"text-secondary\">（F列）" in text and NUMERIC_ID in text
    assert reverse("people:person_import_errors", kwargs={"pk": job.pk}) in text

    refused = client_in.post(url, {"action": "confirm"}, follow=True)
    assert "文件中有错误的行" in refused.content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED and Person.objects.count() == 0

    download = client_in.get(reverse("people:person_import_errors", kwargs={"pk": job.pk}))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert [c.value for c in sheet[2]] == HEADERS + ["错误说明"]
    assert sheet["F4"].fill.fgColor.rgb == "FFFFC7CE"
    assert sheet.cell(row=4, column=len(HEADERS) + 1).value == "身份证号：" + NUMERIC_ID

    client_in.post(url, {"action": "confirm", "skip_invalid": "1"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.data is None
    assert sorted(Person.objects.values_list("name", flat=True)) == ["张三", "王五"]
    # Once the job has ended, the upload is gone and so is the error workbook.
    gone = client_in.get(reverse("people:person_import_errors", kwargs={"pk": job.pk}))
    assert gone.status_code == 302


def test_skip_invalid_chosen_at_upload(client_in, org):
    post_upload(client_in, org, bad_file(), skip_invalid="on")
    job = the_job()
    assert job.options == {"update": "fill", "skip_invalid": True}
    client_in.post(reverse("people:person_import_job", kwargs={"pk": job.pk}), {"action": "confirm"})
    assert Person.objects.count() == 2


def test_many_problems_are_paginated(client_in, org):
    rows = [person(f"人员{i}", 联系电话="123") for i in range(150)]
    post_upload(client_in, org, ledger(rows))
    url = reverse("people:person_import_job", kwargs={"pk": the_job().pk})
    first = client_in.get(url).content.decode()
    assert "第3行" in first and "第152行" not in first and "下一页" in first
    second = client_in.get(url, {"page": 2}).content.decode()
    assert "第152行" in second


def test_cancel_drops_the_upload(client_in, org):
    post_upload(client_in, org, good_file())
    job = the_job()
    client_in.post(reverse("people:person_import_job", kwargs={"pk": job.pk}), {"action": "cancel"})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.data is None
    client_in.post(reverse("people:person_import_job", kwargs={"pk": job.pk}), {"action": "confirm"})
    assert Person.objects.count() == 0


def test_status_fragment_polls_while_running_and_reloads_after(client_in, org):
    post_upload(client_in, org, good_file())
    job = the_job()
    url = reverse("people:person_import_status", kwargs={"pk": job.pk})
    job.set_status(ImportJob.Status.IMPORTING, progress_done=500, progress_total=1000)
    running = client_in.get(url, HTTP_HX_REQUEST="true")
    text = running.content.decode()
    assert 'hx-trigger="every 1s"' in text and "width: 50%" in text and "500 / 1000" in text
    assert "HX-Refresh" not in running
    page = client_in.get(reverse("people:person_import_job", kwargs={"pk": job.pk}))
    assert 'hx-get="' + url in page.content.decode()
    job.set_status(ImportJob.Status.DONE, result={})
    finished = client_in.get(url, HTTP_HX_REQUEST="true")
    assert finished["HX-Refresh"] == "true"


def test_a_job_is_seen_by_its_creator_only(client, org, officer):
    client.force_login(officer)
    post_upload(client, org, good_file())
    job = the_job()
    colleague = create_user("town01b", org.town1, "town_officer")
    client.force_login(colleague)
    for name in ("person_import_job", "person_import_status", "person_import_errors"):
        assert client.get(reverse(f"people:{name}", kwargs={"pk": job.pk})).status_code == 404, name
    assert client.post(reverse("people:person_import_job", kwargs={"pk": job.pk}), {"action": "confirm"}
                       ).status_code == 404
    assert Person.objects.count() == 0


def test_a_town02_user_can_neither_target_town01_nor_import_over_its_people(client, org):
    Person.objects.create(name="秘密人", id_number=make_id(seq=123), owner_unit=org.village1)
    town02 = create_user("town02", org.town2, "town_officer")
    client.force_login(town02)
    response = post_upload(client, org, good_file())
    assert response.status_code == 200 and "请选择您有权导入的单位" in response.content.decode()
    assert not ImportJob.objects.exists()
    response = client.post(reverse("people:person_import"), {
        "file": upload_file(ledger([person("张三", 身份证号=make_id(seq=123))])), "unit": org.town2.pk,
        "update": "overwrite"})
    assert the_job().unit == org.town2
    preview = client.get(response["Location"]).content.decode()
    assert registered_elsewhere("东溪村") in preview and "秘密人" not in preview
    assert Person.objects.get().name == "秘密人"


@pytest.mark.parametrize("content, message", [
    (b"%PDF-1.4 not a workbook", "不是 Excel"),
])
def test_files_that_are_not_xlsx_are_refused_on_upload(client_in, org, content, message):
    response = post_upload(client_in, org, content)
    assert response.status_code == 200 and message in response.content.decode()
    assert not ImportJob.objects.exists()


def test_an_xls_is_read_and_a_damaged_one_fails_its_job_with_the_reason(client_in, org):
    # .xls files are read (by the caged reader, in the job): one that cannot be read fails there.
    response = post_upload(client_in, org, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    job = the_job()
    assert job.status == ImportJob.Status.FAILED and "另存为" in job.message
    assert "另存为" in client_in.get(response["Location"]).content.decode()


def test_an_unreadable_workbook_fails_the_job_with_the_reason(client_in, org):
    post_upload(client_in, org, b"PK\x03\x04 broken zip")
    job = the_job()
    assert job.status == ImportJob.Status.FAILED and job.data is None and "损坏" in job.message
    page = client_in.get(reverse("people:person_import_job", kwargs={"pk": job.pk}))
    assert "无法导入" in page.content.decode()


def test_a_too_big_upload_is_refused_and_nothing_goes_to_disk(client_in, org, monkeypatch, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # Django itself would spool anything bigger to a temporary file

    def no_temporary_files(*args, **kwargs):
        raise AssertionError("an upload was written to a temporary file")

    monkeypatch.setattr(TemporaryUploadedFile, "__init__", no_temporary_files)
    post_upload(client_in, org, good_file())
    assert the_job().status == ImportJob.Status.CHECKED
    monkeypatch.setattr(LedgerImporter, "max_bytes", 1000)
    response = post_upload(client_in, org, good_file())
    assert response.status_code == 200 and "文件过大" in response.content.decode()
    assert ImportJob.objects.count() == 1


def test_stale_uploads_expire(client_in, org):
    post_upload(client_in, org, good_file())
    job = the_job()
    ImportJob.objects.filter(pk=job.pk).update(updated_at=job.updated_at.replace(year=2020))
    client_in.get(reverse("people:person_import"))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.EXPIRED and job.data is None


def test_the_upload_is_csrf_protected(org, officer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    response = client.post(reverse("people:person_import"), {
        "file": upload_file(good_file()), "unit": org.town1.pk, "update": "fill"})
    assert response.status_code == 403
    assert not ImportJob.objects.exists()
