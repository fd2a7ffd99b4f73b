"""The ledger's Excel export and the blank import template (people/exports.py, people/export_views.py)."""

import datetime
import io

import openpyxl
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Grant, Role
from accounts.testing import PASSWORD, create_user
from core.models import AuditEvent
from org.testing import build_county
from people import exports
from people.choices import Affiliation, Education, Gender, Tier
from people.columns import HEADERS
from people.importers import import_ledger
from people.models import Category, Person, Tag
from people.tests.test_views import make_id, make_person


def workbook(response):
    assert response.status_code == 200, response.status_code
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def ledger_rows(wb):
    """(subtitle, header, data rows as {header: value}) of the 台账 sheet."""
    rows = list(wb["台账"].iter_rows(values_only=True))
    header = list(rows[2])
    data = [dict(zip(header, row, strict=True)) for row in rows[3:]]
    return rows[1][0], header, data


class ExportTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("c_staff", cls.org.county, "county_staff", full_name="县干部")
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer", full_name="东溪干事")
        cls.town2_user = create_user("town02", cls.org.town2, "town_officer")
        cls.village_user = create_user("village0101", cls.org.village1, "village_liaison")
        cls.dp = Category.objects.get(code="01")
        cls.qiao = Category.objects.get(code="12")  # 华侨、归侨及侨眷: its name contains the separator

    def setUp(self):
        self.p1 = make_person(
            self.org.village1, "张三", id_number=make_id(seq="111"), phone="13812345678", gender=Gender.MALE,
            ethnicity="01", birth_date=datetime.date(1980, 1, 1), affiliation=Affiliation.CDL,
            affiliation_date=datetime.date(2005, 7, 1), workplace="东溪镇中心小学", position="副校长",
            education=Education.BACHELOR, tier=Tier.TOWN, is_representative=True, native_place="浙江测试县",
            address="东溪村12号", field="教育", notes="区政协委员",
        )
        self.p1.categories.set([self.dp, self.qiao])
        self.p1.tags.set([Tag.objects.create(name="同心讲师团", owner_unit=self.org.town1)])
        self.p2 = make_person(self.org.village2, "王西岭", id_number=make_id(seq="222"), phone="13987654321",
                              gender=Gender.FEMALE, birth_date=datetime.date(1980, 1, 1))

    def export(self, user, **params):
        self.client.force_login(user)
        return self.client.get(reverse("people:person_export"), params)

    def full_export(self, user, password=PASSWORD, **params):
        """The full export as the confirmation page posts it: full=1, the password, the filter or selection."""
        self.client.force_login(user)
        return self.client.post(reverse("people:person_export"), {**params, "full": "1", "password": password})

    def last_export_event(self):
        return AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("-id").first()


class LedgerExportTests(ExportTestCase):
    def test_columns_are_the_template_columns(self):
        self.assertEqual(list(exports.WRITTEN_HEADERS), HEADERS)
        _, header, _ = ledger_rows(workbook(self.export(self.county_staff)))
        self.assertEqual(header, HEADERS)

    def test_masked_by_default_and_audited(self):
        wb = workbook(self.export(self.county_staff))
        subtitle, _, rows = ledger_rows(wb)
        row = next(r for r in rows if r["姓名"] == "张三")
        self.assertEqual(row["身份证号"], self.p1.id_number[:6] + "*" * 12)
        self.assertEqual(row["联系电话"], "138****5678")
        text = repr([list(r) for r in wb["台账"].iter_rows(values_only=True)])
        self.assertNotIn(self.p1.id_number, text)
        self.assertNotIn("13812345678", text)
        self.assertIn("县干部", subtitle)
        self.assertIn("已脱敏", subtitle)
        event = self.last_export_event()
        self.assertEqual(event.changes["行数"], 2)
        self.assertIs(event.changes["完整导出"], False)
        self.assertEqual(event.username, "c_staff")

    def test_values_are_written_as_the_importer_reads_them(self):
        _, _, rows = ledger_rows(workbook(self.full_export(self.county_staff)))
        row = next(r for r in rows if r["姓名"] == "张三")
        expected = {
            "性别": "男", "民族": "汉族", "出生年月": "1980-01-01", "身份证号": self.p1.id_number,
            "政治面貌": "民盟盟员", "类别": "民主党派成员、华侨、归侨及侨眷", "工作单位及职务": "东溪镇中心小学",
            "职务": "副校长", "学历": "大学本科",
            "联系电话": "13812345678", "所在村(社区)": "东溪村", "管理层级": "镇管", "是否代表人士": "是",
            "籍贯": "浙江测试县", "住址": "东溪村12号", "所在领域": "教育", "加入时间": "2005-07-01",
            "标签": "同心讲师团", "备注": "区政协委员",
        }
        self.assertEqual({k: row[k] for k in expected}, expected)
        self.assertIsNone(row["学位"])  # empty cells stay empty

    def test_id_and_phone_are_text_cells(self):
        wb = workbook(self.full_export(self.county_staff))
        sheet = wb["台账"]
        id_col, phone_col = HEADERS.index("身份证号") + 1, HEADERS.index("联系电话") + 1
        for row in range(4, sheet.max_row + 1):
            for col in (id_col, phone_col):
                cell = sheet.cell(row, col)
                self.assertEqual(cell.data_type, "s")
                self.assertEqual(cell.number_format, "@")

    def test_full_export_needs_view_sensitive(self):
        for response in (self.full_export(self.town1_user),
                         self.client.get(reverse("people:person_export_full"))):
            self.assertEqual(response.status_code, 403)
            self.assertNotContains(response, self.p1.id_number, status_code=403)
        self.assertIsNone(self.last_export_event())
        denied = AuditEvent.objects.filter(action=AuditEvent.Action.DENIED)
        self.assertEqual([(d.username, d.success) for d in denied], [("town01", False)] * 2)

    def test_full_export_contains_id_and_is_audited(self):
        wb = workbook(self.full_export(self.county_staff, q="张"))
        subtitle, _, rows = ledger_rows(wb)
        self.assertEqual([r["身份证号"] for r in rows], [self.p1.id_number])
        self.assertIn("完整", subtitle)
        self.assertIn("搜索=张", subtitle)
        event = self.last_export_event()
        self.assertEqual(event.changes["行数"], 1)
        self.assertIs(event.changes["完整导出"], True)
        self.assertEqual(event.changes["筛选条件"]["搜索"], "张")
        self.assertEqual(event.changes["筛选条件"]["状态"], "在册")
        self.assertEqual(event.username, "c_staff")

    def test_full_export_unmasks_only_inside_the_view_sensitive_scope(self):
        role = Role.objects.create(
            name="东溪敏感信息", code="sensitive_town1", data_scope=Role.DataScope.UNIT_AND_BELOW,
        )
        role.permissions.set([Permission.objects.get(codename="view_sensitive_person")])
        user = create_user("mixed", self.org.county, "town_officer")  # export over the whole county
        Grant.objects.create(user=user, role=role, unit=self.org.town1)
        _, _, rows = ledger_rows(workbook(self.full_export(user)))
        ids = {r["姓名"]: r["身份证号"] for r in rows}
        self.assertEqual(ids["张三"], self.p1.id_number)
        self.assertNotEqual(ids["王西岭"], self.p2.id_number)
        self.assertIn("*", ids["王西岭"])

    def test_a_get_never_returns_clear_values(self):
        # Issue 11.3: a link (or a forged request) with full=1 leads to the password page, never to the file.
        response = self.export(self.county_staff, full="1", q="张")
        self.assertRedirects(response, reverse("people:person_export_full") + "?q=%E5%BC%A0",
                             fetch_redirect_response=False)
        page = self.client.get(response["Location"])
        self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")
        for clear in (self.p1.id_number, "13812345678"):
            self.assertNotContains(page, clear)
        self.assertContains(page, 'name="password"')
        self.assertContains(page, '<input type="hidden" name="q" value="张">', html=True)
        self.assertEqual(page.context["count"], 1)
        self.assertEqual(page.context["described"], {"搜索": "张", "状态": "在册"})
        self.assertIsNone(self.last_export_event())

    def test_a_wrong_password_exports_nothing_and_is_audited(self):
        for password in ("wrong-password", ""):
            response = self.full_export(self.county_staff, password=password, q="张")
            self.assertEqual(response["Content-Type"], "text/html; charset=utf-8")
            self.assertNotContains(response, self.p1.id_number)
            self.assertNotContains(response, "13812345678")
            self.assertTrue(response.context["form"].errors)
            self.assertContains(response, '<input type="hidden" name="q" value="张">', html=True)
        self.assertContains(self.full_export(self.county_staff, password="wrong-password"), "密码不正确，未导出")
        failures = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, success=False)
        self.assertEqual(failures.count(), 3)
        self.assertEqual(failures.order_by("id").first().changes,
                         {"筛选条件": {"搜索": "张", "状态": "在册"}, "完整导出": True, "原因": "密码错误"})
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, success=True).exists())

    def test_a_selection_is_confirmed_then_exported_in_full(self):
        self.client.force_login(self.county_staff)
        page = self.client.post(reverse("people:person_export"), {"ids": [self.p1.pk], "full": "1"})
        self.assertEqual(page["Content-Type"], "text/html; charset=utf-8")
        self.assertNotContains(page, self.p1.id_number)
        self.assertContains(page, f'<input type="hidden" name="ids" value="{self.p1.pk}">', html=True)
        self.assertEqual((page.context["count"], page.context["selection"]), (1, True))
        response = self.full_export(self.county_staff, ids=[self.p1.pk])
        self.assertTrue(response.streaming)  # spooled to a temporary file, streamed: not built in memory
        _, _, rows = ledger_rows(workbook(response))
        self.assertEqual([(r["姓名"], r["身份证号"], r["联系电话"]) for r in rows],
                         [("张三", self.p1.id_number, "13812345678")])
        event = self.last_export_event()
        self.assertEqual((event.success, event.changes["完整导出"], event.changes["行数"]), (True, True, 1))
        self.assertEqual(event.changes["筛选条件"], {"所选人员": "1人"})

    def test_a_selection_form_with_nothing_ticked_exports_nothing(self):
        self.client.force_login(self.county_staff)
        for data in ({}, {"full": "1"}):
            response = self.client.post(reverse("people:person_export"), data, follow=True)
            self.assertContains(response, "请先勾选要导出的人员")
        self.assertIsNone(self.last_export_event())

    def test_other_town_is_never_exported(self):
        for params in ({}, {"status": "all"}, {"ids": [self.p1.pk, self.p2.pk]}, {"unit": self.org.town1.pk}):
            response = self.export(self.town2_user, **params)
            _, _, rows = ledger_rows(workbook(response)) if response.status_code == 200 else (None, None, [])
            self.assertNotIn("张三", [r["姓名"] for r in rows], params)

    def test_selection_outside_scope_is_dropped(self):
        _, _, rows = ledger_rows(workbook(self.export(self.town1_user, ids=[self.p1.pk, self.p2.pk, 999999])))
        self.assertEqual([r["姓名"] for r in rows], ["张三"])
        event = self.last_export_event()
        self.assertEqual(event.changes["行数"], 1)
        self.assertEqual(event.changes["筛选条件"], {"所选人员": "3人"})

    def test_selection_may_be_posted(self):
        self.client.force_login(self.town1_user)
        response = self.client.post(reverse("people:person_export"), {"ids": [self.p1.pk, self.p2.pk]})
        _, _, rows = ledger_rows(workbook(response))
        self.assertEqual([r["姓名"] for r in rows], ["张三"])
        self.assertEqual(response["Cache-Control"], "no-store")

    def test_filter_is_applied(self):
        other = make_person(self.org.village1, "李四")
        other.categories.set([self.qiao])
        _, _, rows = ledger_rows(workbook(self.export(self.county_staff, category=self.dp.pk)))
        self.assertEqual([r["姓名"] for r in rows], ["张三"])
        self.assertEqual(self.last_export_event().changes["筛选条件"]["类别"], "民主党派成员")

    def test_invalid_filter_exports_nothing(self):
        response = self.export(self.county_staff, age_min="abc")
        self.assertEqual(response.status_code, 302)
        self.assertIsNone(self.last_export_event())

    def test_permissions(self):
        url = reverse("people:person_export")
        response = self.client.get(url)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith(reverse("login")))
        for user in (self.village_user, create_user("sys", self.org.county, "sysadmin")):
            self.client.force_login(user)
            self.assertEqual(self.client.get(url).status_code, 403)

    def test_formulas_are_neutralised(self):
        make_person(self.org.village1, "=cmd", workplace="@SUM(A1)", position="+1", notes="-2+3",
                    address="=HYPERLINK(\"http://x\")")
        wb = workbook(self.export(self.county_staff))
        _, _, rows = ledger_rows(wb)
        row = next(r for r in rows if r["姓名"].endswith("cmd"))
        self.assertEqual(row["姓名"], "'=cmd")
        self.assertEqual(row["工作单位及职务"], "'@SUM(A1)")
        self.assertEqual(row["职务"], "'+1")
        self.assertEqual(row["备注"], "'-2+3")
        self.assertEqual(row["住址"], "'=HYPERLINK(\"http://x\")")
        for sheet_row in wb["台账"].iter_rows():
            for cell in sheet_row:
                self.assertNotEqual(cell.data_type, "f")

    def test_queries_are_bounded_per_chunk(self):
        for i in range(8):
            make_person(self.org.village1, f"测试{i}").categories.set([self.dp])

        def count(chunk_size):
            with CaptureQueriesContext(connection) as queries:
                rows = exports.write_ledger(io.BytesIO(), Person.objects.all(), tags=Tag.objects.all(),
                                            chunk_size=chunk_size)
            self.assertEqual(rows, 10)
            return len(queries)

        # One query for the rows, then two (categories, tags) per chunk, plus a fixed few (units, names).
        self.assertEqual(count(2) - count(10), 2 * (5 - 1))


class ImportTemplateTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer")
        cls.village_user = create_user("village0101", cls.org.village1, "village_liaison")

    def template(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("people:person_template"))
        self.assertIn("attachment", response["Content-Disposition"])
        return workbook(response)

    def test_sheets_and_header(self):
        wb = self.template()
        self.assertEqual(wb.sheetnames[0], "台账")
        self.assertIn("填写说明", wb.sheetnames)
        sheet = wb["台账"]
        self.assertEqual([c.value for c in sheet[2]], HEADERS)
        self.assertEqual(sheet.max_row, 2)  # no data row: the example sits on the instructions sheet
        self.assertEqual(sheet["A1"].value, "统战成员台账")
        for name in wb.sheetnames:
            if name not in ("台账", "填写说明"):
                self.assertEqual(wb[name].sheet_state, "hidden")

    def test_drop_downs(self):
        wb = self.template()
        sheet = wb["台账"]
        lists = {}
        for validation in sheet.data_validations.dataValidation:
            if validation.type == "list":
                column = str(validation.sqref).split(":")[0].rstrip("0123456789")
                lists[sheet.cell(2, openpyxl.utils.column_index_from_string(column)).value] = validation.formula1
        self.assertEqual(set(lists), {"性别", "民族", "政治面貌", "学历", "学位", "管理层级", "是否代表人士"})
        self.assertEqual(lists["性别"], '"男,女"')
        self.assertEqual(lists["是否代表人士"], '"是,否"')
        self.assertIn("民盟盟员", lists["政治面貌"])
        # 民族: 58 names are longer than Excel's 255-character inline limit and come from a hidden sheet.
        reference = lists["民族"]
        sheet_name, cells = reference.lstrip("=").split("!")
        source = wb[sheet_name.strip("'")]
        values = [c.value for row in source[cells.replace("$", "")] for c in row]
        self.assertEqual(len(values), 58)
        self.assertEqual(values[:2], ["汉族", "蒙古族"])

    def test_text_columns(self):
        sheet = self.template()["台账"]
        for header in ("身份证号", "联系电话", "出生年月", "加入时间"):
            letter = openpyxl.utils.get_column_letter(HEADERS.index(header) + 1)
            self.assertEqual(sheet.column_dimensions[letter].number_format, "@", header)

    def test_instructions_list_categories_and_rules(self):
        sheet = self.template()["填写说明"]
        text = "\n".join(str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None)
        for category in Category.objects.filter(is_active=True):
            self.assertIn(category.name, text)
        self.assertIn("、", text)
        self.assertIn("1975.03", text)
        self.assertIn("文本格式", text)

    def test_permissions(self):
        url = reverse("people:person_template")
        self.assertEqual(self.client.get(url).status_code, 302)
        self.client.force_login(self.village_user)
        self.assertEqual(self.client.get(url).status_code, 403)


class RoundTripTests(ExportTestCase):
    """An exported ledger imports again: into the same database nothing changes, into an empty one the same
    people come back."""

    FIELDS = ("name", "gender", "ethnicity", "birth_date", "id_number", "phone", "affiliation", "affiliation_date",
              "workplace", "position", "education", "degree", "owner_unit_id", "tier", "is_representative",
              "native_place", "address", "field", "notes")

    def setUp(self):
        super().setUp()
        # A workplace with a space and a category with the separator in its name must survive as they are.
        self.p2.workplace, self.p2.position = "县人民医院 内科", "主治医师"
        self.p2.save()
        self.p2.categories.set([self.qiao])

    def import_export(self, update):
        data = b"".join(self.full_export(self.county_staff).streaming_content)
        return import_ledger(data, "导出.xlsx", self.org.county, self.county_staff, update=update).report()

    def snapshot(self):
        return {
            p.id_number: ({f: getattr(p, f) for f in self.FIELDS},
                          sorted(c.name for c in p.categories.all()), sorted(t.name for t in p.tags.all()))
            for p in Person.objects.all()
        }

    def test_reimport_into_the_same_database_changes_nothing(self):
        before = self.snapshot()
        for update in ("fill", "overwrite"):
            report = self.import_export(update)
            self.assertEqual(report["errors"], [], report)
            self.assertEqual((report["created"], report["updated"], report["unchanged"]), (0, 0, 2), report)
        self.assertEqual(self.snapshot(), before)

    def test_reimport_into_an_empty_ledger_gives_the_same_people(self):
        before = self.snapshot()
        data = b"".join(self.full_export(self.county_staff).streaming_content)
        Person.objects.all().delete()
        report = import_ledger(data, "导出.xlsx", self.org.county, self.county_staff).report()
        self.assertEqual(report["errors"], [], report)
        self.assertEqual(report["created"], 2, report)
        self.assertEqual(self.snapshot(), before)


