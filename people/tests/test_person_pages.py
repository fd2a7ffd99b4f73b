"""A person's pages: revealing the ID number, history, transfers, town isolation, duplicate ID numbers, create
and edit, attachments."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.testing import PASSWORD, create_user
from core.models import AuditEvent
from core.tests.test_images import jpeg_bytes
from people.choices import Status, Tier
from people.forms import BIRTH_FROM_ID
from people.models import Attachment, Category, Person, Transfer

from .test_views import LedgerTestCase, make_id, person_form_data


class RevealTests(LedgerTestCase):
    def url(self, person):
        return reverse("people:person_reveal", kwargs={"pk": person.pk})

    def test_town_officer_cannot_reveal(self):
        self.client.force_login(self.town1_user)
        detail = self.client.get(self.p1.get_absolute_url())
        self.assertNotContains(detail, "reveal-modal")
        self.assertNotContains(detail, self.p1.id_number)
        self.assertContains(detail, "330998************")
        self.assertEqual(self.client.post(self.url(self.p1), {"password": PASSWORD}).status_code, 403)
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists())

    def test_county_staff_reveals_with_password_and_is_audited(self):
        self.client.force_login(self.county_staff)
        detail = self.client.get(self.p1.get_absolute_url())
        self.assertContains(detail, "reveal-modal")
        self.assertNotContains(detail, self.p1.id_number)
        wrong = self.client.post(self.url(self.p1), {"password": "wrong-password"}, HTTP_HX_REQUEST="true")
        self.assertContains(wrong, "密码不正确")
        self.assertNotContains(wrong, self.p1.id_number)
        failed = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, success=False)
        self.assertEqual(failed.object_id, str(self.p1.pk))
        right = self.client.post(self.url(self.p1), {"password": PASSWORD}, HTTP_HX_REQUEST="true")
        self.assertContains(right, self.p1.id_number)
        self.assertContains(right, "13812345678")
        event = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL, success=True)
        self.assertEqual((event.object_id, event.changes), (str(self.p1.pk), {"字段": ["身份证号", "联系电话"]}))
        self.assertEqual(event.username, "c_staff")

    def test_no_reveal_response_is_cached(self):
        self.client.force_login(self.county_staff)
        for response in (self.client.get(self.url(self.p1)),
                         self.client.post(self.url(self.p1), {"password": "wrong-password"}),
                         self.client.post(self.url(self.p1), {"password": PASSWORD}, HTTP_HX_REQUEST="true")):
            self.assertEqual(response.status_code, 200)
            self.assertIn("no-store", response["Cache-Control"])
            self.assertIn("private", response["Cache-Control"])

    def test_reveal_without_htmx_renders_a_page(self):
        self.client.force_login(self.county_staff)
        response = self.client.post(self.url(self.p1), {"password": PASSWORD})
        self.assertContains(response, self.p1.id_number)
        self.assertContains(response, "<html", html=False)

    def test_reveal_outside_scope_is_not_found(self):
        from django.contrib.auth.models import Permission

        from accounts.models import Grant, Role

        role = Role.objects.create(name="镇敏感信息", code="town_sensitive", data_scope=Role.DataScope.UNIT_AND_BELOW)
        role.permissions.set(Permission.objects.filter(codename__in=["view_person", "view_sensitive_person"]))
        sensitive_town = create_user("t_sens", self.org.town1)
        Grant.objects.create(user=sensitive_town, role=role)
        self.client.force_login(sensitive_town)
        self.assertEqual(self.client.post(self.url(self.p2), {"password": PASSWORD}).status_code, 404)
        self.assertEqual(self.client.post(self.url(self.p1), {"password": PASSWORD}).status_code, 200)


class HistoryTests(LedgerTestCase):
    def test_history_shows_who_when_what_and_why_with_masked_values(self):
        self.client.force_login(self.town1_user)
        data = person_form_data(self.org.village1, name="张三", phone="13911112222", workplace="东溪茶厂",
                                categories=[Category.objects.get(code="04").pk])
        response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}), data)
        self.assertEqual(response.status_code, 302, getattr(response, "context", None)
                         and response.context["form"].errors)
        self.client.post(reverse("people:person_transfer", kwargs={"pk": self.p1.pk}), {
            "to_unit": self.org.town1.pk, "date": datetime.date.today().isoformat(), "reason": "工作调动",
        })
        detail = self.client.get(self.p1.get_absolute_url())
        history = detail.context["history"]
        self.assertEqual([e.reason for e in history[:2]], ["调出至东溪镇", "编辑"])
        self.assertEqual(history[0].changes["所属单位"], ["东溪村", "东溪镇"])
        edit = history[1]
        self.assertEqual(edit.user, self.town1_user)
        self.assertEqual(edit.changes["联系电话"], ["138****5678", "139****2222"])
        self.assertEqual(edit.changes["工作单位"], ["", "东溪茶厂"])
        self.assertEqual(edit.changes["类别"], ["", "少数民族人士"])
        self.assertContains(detail, "调出至东溪镇")
        self.assertContains(detail, "139****2222")
        self.assertNotContains(detail, "13911112222")
        self.assertNotContains(detail, "13812345678")

    def test_status_and_tier_changes_need_date_and_reason_and_are_kept(self):
        self.client.force_login(self.town1_user)
        url = reverse("people:person_status", kwargs={"pk": self.p1.pk})
        refused = self.client.post(url, {"status": Status.EXITED, "date": "", "reason": ""})
        self.assertContains(refused, "请填写日期")
        self.assertContains(refused, "请填写原因")
        future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
        self.assertContains(self.client.post(url, {"status": Status.EXITED, "date": future, "reason": "x"}),
                            "不能晚于今天")
        self.client.post(url, {"status": Status.EXITED, "date": "2025-06-01", "reason": "本人申请"})
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.status, self.p1.status_date, self.p1.status_reason),
                         (Status.EXITED, datetime.date(2025, 6, 1), "本人申请"))
        self.client.post(reverse("people:person_tier", kwargs={"pk": self.p1.pk}),
                         {"tier": Tier.COUNTY, "reason": "认定为县管代表人士"})
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.tier, Tier.COUNTY)
        reasons = [h.history_change_reason for h in self.p1.history.all()[:2]]
        self.assertEqual(reasons, ["管理层级调整为县管：认定为县管代表人士", "状态变更为退出：本人申请"])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.UPDATE, object_id=str(self.p1.pk)).first()
        self.assertEqual(event.changes["管理层级"], ["village", "county"])


class TransferTests(LedgerTestCase):
    def test_transfer_to_another_town_is_seen_by_the_receiving_side(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_transfer", kwargs={"pk": self.p1.pk}), {
            "to_unit": self.org.village2.pk, "date": "2025-05-01", "reason": "迁居",
        }, follow=True)
        self.assertRedirects(response, reverse("people:person_list"))
        self.assertContains(response, "已不在您的数据范围内")
        transfer = Transfer.objects.get()
        self.assertEqual((transfer.from_unit, transfer.to_unit, transfer.created_by),
                         (self.org.village1, self.org.village2, self.town1_user))
        self.assertEqual(self.client.get(self.p1.get_absolute_url()).status_code, 404)
        outgoing = self.client.get(reverse("people:transfer_list"), {"direction": "out"})
        self.assertContains(outgoing, "张三")
        self.assertNotContains(outgoing, f'href="{self.p1.get_absolute_url()}"')
        self.client.force_login(self.town2_user)
        arrivals = self.client.get(reverse("people:transfer_list"))
        self.assertContains(arrivals, f'href="{self.p1.get_absolute_url()}"')
        self.assertContains(arrivals, "迁居")
        self.assertEqual(self.client.get(self.p1.get_absolute_url()).status_code, 200)
        self.assertEqual(self.p1.history.first().history_change_reason, "调出至西岭村")

    def test_transfer_needs_change_permission_on_the_person(self):
        self.client.force_login(self.leader)
        url = reverse("people:person_transfer", kwargs={"pk": self.p1.pk})
        self.assertEqual(self.client.get(url).status_code, 403)
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(url).status_code, 404)


class TownIsolationTests(LedgerTestCase):
    def test_town02_can_neither_see_find_nor_change_a_town01_person(self):
        self.client.force_login(self.town2_user)
        pk = self.p1.pk
        listing = self.client.get(reverse("people:person_list"), {"status": "all"})
        self.assertNotContains(listing, "张三")
        self.assertEqual(self.names(self.listing(self.town2_user, q="zs")), [])
        found = self.client.post(reverse("people:person_find"), {"id_number": self.p1.id_number}, follow=True)
        self.assertContains(found, "未找到")
        self.assertEqual(self.client.get(reverse("people:person_autocomplete"), {"q": "zs"}).json()["results"], [])
        for name in ("person_detail", "person_edit", "person_delete", "person_status", "person_tier",
                     "person_transfer", "person_photo"):
            self.assertEqual(self.client.get(reverse(f"people:{name}", kwargs={"pk": pk})).status_code, 404, name)
        for name, data in [
            ("person_edit", person_form_data(self.org.town2, name="改名")),
            ("person_status", {"status": Status.EXITED, "date": "2025-01-01", "reason": "x"}),
            ("person_tier", {"tier": Tier.COUNTY, "reason": "x"}),
            ("person_transfer", {"to_unit": self.org.town2.pk, "date": "2025-01-01", "reason": "x"}),
            ("person_delete", {}),
        ]:
            self.assertEqual(self.client.post(reverse(f"people:{name}", kwargs={"pk": pk}), data).status_code, 404)
        self.client.post(reverse("people:person_bulk_transfer"), {
            "ids": [pk], "confirm": "1", "to_unit": self.org.town2.pk, "date": "2025-01-01", "reason": "x"})
        self.client.post(reverse("people:person_bulk_tag"), {"ids": [pk], "confirm": "1", "tag": "x"})
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.name, self.p1.owner_unit, self.p1.status, self.p1.tags.count()),
                         ("张三", self.org.village1, Status.ACTIVE, 0))
        self.assertFalse(Transfer.objects.exists())
        self.assertEqual(self.p1.history.count(), 1)


class DuplicateIdTests(LedgerTestCase):
    def test_duplicate_visible_links_to_the_existing_person(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"),
                                    person_form_data(self.org.village1, id_number=self.p1.id_number))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, f'<a href="{self.p1.get_absolute_url()}">张三</a>', html=False)
        self.assertEqual(Person.objects.count(), 2)

    def test_duplicate_outside_scope_reveals_nothing(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"),
                                    person_form_data(self.org.village1, id_number=self.p2.id_number))
        # Only that it is registered and which unit to ask: neither the person nor a link.
        self.assertContains(response, "该身份证号已在台账中登记（登记单位：西岭村），请与该单位联系核实")
        self.assertNotContains(response, "王西岭")
        self.assertNotContains(response, self.p2.get_absolute_url())
        event = AuditEvent.objects.get(action=AuditEvent.Action.LOOKUP)
        self.assertEqual((event.username, event.changes["来源"], event.changes["登记单位"]),
                         ("town01", "登记查重", "西岭村"))
        self.assertEqual(event.changes["哈希"], self.p2.id_number_hash)
        self.assertNotIn(self.p2.id_number, str(event.changes) + event.object_label)


class CreateAndEditTests(LedgerTestCase):
    def test_create_derives_gender_and_birth_date_and_saves_positions(self):
        self.client.force_login(self.town1_user)
        data = person_form_data(
            self.org.village1, id_number=make_id(birth="19750315", seq="042"), phone="138 0000 1111",
            categories=[Category.objects.get(code="01").pk], tag_names="重点、新人",
            **{"positions-TOTAL_FORMS": "1", "positions-0-kind": "cppcc", "positions-0-level": "county",
               "positions-0-title": "政协委员", "positions-0-term_start": "2021-01-01",
               "positions-0-term_end": "2026-01-01"},
        )
        response = self.client.post(reverse("people:person_add"), data)
        person = Person.objects.get(name="周新建")
        self.assertRedirects(response, person.get_absolute_url())
        self.assertEqual((person.gender, person.birth_date), ("F", datetime.date(1975, 3, 15)))
        self.assertEqual(person.phone, "13800001111")
        self.assertEqual(person.created_by, self.town1_user)
        self.assertEqual(sorted(t.name for t in person.tags.all()), ["新人", "重点"])
        self.assertEqual(person.positions.get().title, "政协委员")
        self.assertEqual(person.history.last().history_change_reason, "新增")
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_id=str(person.pk)))

    def test_mismatching_gender_and_birth_date_are_refused(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_add"), person_form_data(
            self.org.village1, id_number=make_id(birth="19750315", seq="041"), gender="F", birth_date="1975-03-16"))
        self.assertContains(response, "性别与身份证号不符")
        self.assertContains(response, "出生日期与身份证号不符")
        self.assertFalse(Person.objects.filter(name="周新建").exists())

    def test_bad_id_and_phone_are_explained(self):
        self.client.force_login(self.town1_user)
        good = make_id()
        response = self.client.post(reverse("people:person_add"), person_form_data(
            self.org.village1, id_number=good[:17] + ("0" if good[17] != "0" else "1"), phone="12345"))
        self.assertContains(response, "身份证号校验位不正确")
        self.assertContains(response, "联系电话应为11位手机号码")

    def test_edit_form_never_sends_stored_sensitive_values(self):
        self.client.force_login(self.county_staff)
        response = self.client.get(reverse("people:person_edit", kwargs={"pk": self.p1.pk}))
        self.assertNotContains(response, self.p1.id_number)
        self.assertNotContains(response, "13812345678")
        self.assertContains(response, "已登记 138****5678，留空则不修改")

    def test_edit_with_blank_sensitive_inputs_keeps_them(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                                    person_form_data(self.org.village1, name="张三丰"))
        self.assertEqual(response.status_code, 302)
        self.p1.refresh_from_db()
        self.assertEqual((self.p1.name, self.p1.phone, self.p1.id_number[:6]), ("张三丰", "13812345678", "330998"))
        # A birth date typed beside the stored number is refused whatever it is: comparing it with the number
        # would tell a user who may not see the birth day whether they guessed it.
        for typed in ("1999-01-01", self.p1.id_number[6:10] + "-" + self.p1.id_number[10:12] + "-"
                      + self.p1.id_number[12:14]):
            response = self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                                        person_form_data(self.org.village1, name="张三丰", birth_date=typed))
            self.assertContains(response, BIRTH_FROM_ID)
            self.assertNotContains(response, "出生日期与身份证号不符")

    def test_edit_can_clear_phone(self):
        self.client.force_login(self.town1_user)
        self.client.post(reverse("people:person_edit", kwargs={"pk": self.p1.pk}),
                         person_form_data(self.org.village1, name="张三", clear_phone="on"))
        self.p1.refresh_from_db()
        self.assertEqual(self.p1.phone, "")


class AttachmentTests(LedgerTestCase):
    def upload(self, name, content):
        return self.client.post(reverse("people:attachment_upload", kwargs={"pk": self.p1.pk}),
                                {"file": SimpleUploadedFile(name, content)}, follow=True)

    def test_upload_download_and_delete_inside_scope(self):
        self.client.force_login(self.town1_user)
        response = self.upload("任职文件.pdf", b"%PDF-1.4 test")
        self.assertContains(response, "任职文件.pdf")
        attachment = Attachment.objects.get()
        self.assertNotIn("任职文件", attachment.file.name)
        url = reverse("people:attachment_download", kwargs={"pk": self.p1.pk, "attachment": attachment.pk})
        download = self.client.get(url)
        self.assertEqual(b"".join(download.streaming_content), b"%PDF-1.4 test")
        self.assertIn("attachment", download["Content-Disposition"])
        self.assertEqual(AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).changes, {"附件": "任职文件.pdf"})
        self.assertEqual(self.p1.history.first().history_change_reason, "上传附件：任职文件.pdf")
        self.client.force_login(self.town2_user)
        self.assertEqual(self.client.get(url).status_code, 404)
        delete_url = reverse("people:attachment_delete", kwargs={"pk": self.p1.pk, "attachment": attachment.pk})
        self.assertEqual(self.client.post(delete_url).status_code, 404)
        self.client.force_login(self.town1_user)
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(delete_url)
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(attachment.file.storage.exists(attachment.file.name))

    def test_deleting_a_person_removes_their_files(self):
        self.client.force_login(self.town1_user)
        self.upload("a.png", jpeg_bytes(size=(40, 30), fmt="PNG"))
        attachment = Attachment.objects.get()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("people:person_delete", kwargs={"pk": self.p1.pk}))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Person.objects.filter(pk=self.p1.pk).exists())
        self.assertFalse(attachment.file.storage.exists(attachment.file.name))

    def test_bad_uploads_are_refused(self):
        self.client.force_login(self.town1_user)
        self.assertContains(self.upload("a.exe", b"MZ..."), "只能上传")
        self.assertContains(self.upload("a.pdf", b"<html>"), "文件内容与扩展名")
        self.assertContains(self.upload("a.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)), "不能超过10MB")
        self.assertFalse(Attachment.objects.exists())

    def test_media_is_not_served_directly(self):
        self.client.force_login(self.town1_user)
        self.upload("a.png", jpeg_bytes(size=(40, 30), fmt="PNG"))
        path = Attachment.objects.get().file.name
        self.assertEqual(self.client.get(f"/media/{path}").status_code, 404)
