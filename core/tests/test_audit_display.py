"""What the audit administrator sees of an event: field names and who/what/when, personal values masked."""

from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from accounts.testing import create_user
from core import audit
from core.audit_display import mask_text, shown_changes, shown_label
from core.models import AuditEvent
from core.testing import export_text
from core.tests.sample.models import SampleRecord
from org.testing import build_county

NAME = "欧阳明月"
ADDRESS = "东溪村幸福路8号"
SEARCH = "欧阳"
PHONE = "13812345678"


class MaskTextTests(SimpleTestCase):
    def test_each_kind_of_value(self):
        self.assertEqual(mask_text("张三"), "张*")
        self.assertEqual(mask_text(NAME), "欧*")
        self.assertEqual(mask_text(ADDRESS), "（已隐藏，共8字）")
        self.assertEqual(mask_text(PHONE), "138******78")
        self.assertEqual(mask_text("138****5678"), "138******78")
        self.assertEqual(mask_text("1985-03-12"), "**********")
        self.assertEqual(mask_text("330998198001011234"), "330*************34")
        self.assertEqual(mask_text(""), "")

    def test_business_changes_keep_keys_numbers_and_operations(self):
        event = AuditEvent(object_type="sample.SampleRecord", object_label=NAME, changes={
            "操作": "批量修改", "姓名": [NAME, "欧阳明"], "地址": ["", ADDRESS], "行数": 3, "完整导出": True,
            "筛选条件": {"搜索": SEARCH, "单位": "东溪村"}, "人员编号": [4, 5],
        })
        self.assertEqual(shown_label(event), "欧*")
        self.assertEqual(shown_changes(event), {
            "操作": "批量修改", "姓名": ["欧*", "欧*"], "地址": ["", "（已隐藏，共8字）"], "行数": 3, "完整导出": True,
            "筛选条件": {"搜索": "欧*", "单位": "东*"}, "人员编号": [4, 5],
        })

    def test_configuration_events_are_shown_but_an_account_holders_name_and_phone_are_not(self):
        event = AuditEvent(object_type="账号", object_label="wang", changes={
            "用户名": ["", "wang"], "姓名": ["", "王小明"], "联系电话": ["", PHONE], "所属单位": ["", "东溪村"],
        })
        self.assertEqual(shown_label(event), "wang")
        self.assertEqual(shown_changes(event), {
            "用户名": ["", "wang"], "姓名": ["", "王*"], "联系电话": ["", "138******78"], "所属单位": ["", "东溪村"],
        })

    def test_an_unregistered_object_type_counts_as_business_data(self):
        event = AuditEvent(object_type="", object_label=NAME, changes={"备注": ADDRESS})
        self.assertEqual(shown_label(event), "欧*")
        self.assertEqual(shown_changes(event), {"备注": "（已隐藏，共8字）"})


class AuditorPagesMaskTests(TestCase):
    """A person's name, a search term and an address never reach the auditor's list, detail or export."""

    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.auditor = create_user("t_auditor", cls.org.county, "auditor")
        staff = create_user("t_staff", cls.org.county, "county_staff")
        record = SampleRecord.objects.create(name=NAME, phone=PHONE, owner_unit=cls.org.village1)
        cls.update = audit.record(AuditEvent.Action.UPDATE, obj=record, user=staff, changes={
            "名称": ["欧阳", NAME], "地址": ["", ADDRESS], "联系电话": ["", "138****5678"],
        })
        cls.export = audit.record(AuditEvent.Action.EXPORT, user=staff, object_type="sample.SampleRecord",
                                  label=f"{NAME}等（2行）", changes={"筛选条件": {"搜索": SEARCH}, "行数": 2})
        cls.reveal = audit.record(AuditEvent.Action.REVEAL, obj=record, user=staff, changes={"字段": ["联系电话"]})

    def setUp(self):
        self.client.force_login(self.auditor)

    def assertNothingPersonal(self, text):
        for secret in (NAME, ADDRESS, SEARCH, PHONE, "幸福路"):
            self.assertNotIn(secret, text)

    def test_list(self):
        response = self.client.get(reverse("audit:event_list"))
        text = response.content.decode()
        self.assertNothingPersonal(text)
        self.assertIn("地址: （空） → （已隐藏，共8字）", text)
        self.assertIn("搜索=欧*", text)
        self.assertIn("行数: 2", text)
        self.assertIn("字段: 联系电话", text)

    def test_detail(self):
        for event in (self.update, self.export, self.reveal):
            response = self.client.get(reverse("audit:event_detail", args=[event.pk]))
            self.assertNothingPersonal(response.content.decode())
        response = self.client.get(reverse("audit:event_detail", args=[self.update.pk]))
        self.assertContains(response, "<td>地址</td>", html=False)
        self.assertContains(response, f'<dd class="col-7 col-md-9">{self.update.object_id}</dd>', html=False)

    def test_export(self):
        text = export_text(self.client.get(reverse("audit:event_export")))
        self.assertNothingPersonal(text)
        self.assertIn("地址: （空） → （已隐藏，共8字）", text)

    def test_the_stored_events_are_unchanged(self):
        self.client.get(reverse("audit:event_list"))
        self.assertEqual(AuditEvent.objects.get(pk=self.update.pk).changes["地址"], ["", ADDRESS])
        self.assertIsNone(audit.verify_chain()[1])
