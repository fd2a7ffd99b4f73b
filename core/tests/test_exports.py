"""core.exports.export_xlsx: the one audited Excel export (who, when, filter and notes in the subtitle; the rows
counted; the EXPORT event; the permission it needs)."""

import io
from urllib.parse import unquote

from django.core import signals
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections
from django.test import RequestFactory, TestCase
from python_calamine import CalamineWorkbook

from accounts.testing import create_user
from core.exports import export_xlsx
from core.models import AuditEvent
from core.tests.sample.models import SampleRecord
from org.testing import build_county


def sheet_rows(response):
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return [[str(c) for c in row] for row in workbook.get_sheet_by_index(0).to_python()]


class ExportTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.staff = create_user("x_staff", cls.org.town1, "town_officer", full_name="周干部")
        cls.leader = create_user("x_leader", cls.org.town1, "leader")
        cls.auditor = create_user("x_auditor", cls.org.county, "auditor")

    def request(self, user):
        request = RequestFactory().get("/export/")
        request.user = user
        return request

    def export(self, user, **options):
        arguments = {"models": [SampleRecord], "title": "样例清单", "headers": ["名称", "编号"],
                     "rows": [["甲", 1], ["乙", 2]]}
        arguments.update(options)
        response = export_xlsx(self.request(user), **arguments)
        self.addCleanup(self.close, response)
        return response

    @staticmethod
    def close(response):
        """Close the download (its spooled file) as the test client does: closing a response sends
        request_finished, which would otherwise close the test's database connection."""
        signals.request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            signals.request_finished.connect(close_old_connections)

    def test_the_sheet_says_who_when_what_filter_and_counts_the_rows(self):
        response = self.export(self.staff, filters={"单位": "东溪镇"}, notes=["电话已脱敏"],
                               appendix=[[], ["说明：合计不含下级"]], changes={"年度": 2025}, filename="样例")
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn("样例_", unquote(response["Content-Disposition"]))
        rows = sheet_rows(response)
        self.assertEqual(rows[0][0], "样例清单")
        subtitle = rows[1][0]
        for part in ("导出人：周干部（东溪镇）", "导出时间：", "筛选条件：单位=东溪镇", "电话已脱敏"):
            self.assertIn(part, subtitle)
        self.assertEqual([r[:2] for r in rows[2:5]], [["名称", "编号"], ["甲", "1.0"], ["乙", "2.0"]])
        self.assertEqual(rows[-1][0], "说明：合计不含下级")
        event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
        self.assertEqual((event.object_type, event.object_label, event.username),
                         ("sample.SampleRecord", "样例清单（2行）", "x_staff"))
        self.assertEqual(event.changes, {"筛选条件": {"单位": "东溪镇"}, "行数": 2, "年度": 2025})

    def test_rows_are_streamed_from_an_iterator(self):
        rows = ([record.name] for record in SampleRecord.objects.all().iterator())
        SampleRecord.objects.create(name="样例", owner_unit=self.org.town1)
        self.export(self.staff, headers=["名称"], rows=rows)
        self.assertEqual(AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).changes["行数"], 1)

    def test_a_sheet_of_its_own_layout(self):
        def write(target, title, subtitle):
            from core.excel import SheetWriter

            writer = SheetWriter(target, "自定", ["列"], title=title + "（自定）", subtitle=subtitle)
            for value in "一二三":
                writer.write_row([value])
            writer.close()
            return writer.count

        rows = sheet_rows(self.export(self.staff, write=write, headers=(), rows=()))
        self.assertEqual(rows[0][0], "样例清单（自定）")
        self.assertTrue(rows[1][0].startswith("导出人："))
        self.assertEqual(AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).changes, {"行数": 3})

    def test_a_user_without_export_is_refused_and_the_refusal_audited(self):
        with self.assertRaises(PermissionDenied):
            self.export(self.leader)  # view only
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.DENIED, success=False,
                                                  object_type="sample.SampleRecord").exists())

    def test_an_admins_export_needs_that_admin_role(self):
        self.export(self.auditor, models=(), admin_kind="audit", object_type="core.AuditEvent")
        with self.assertRaises(PermissionDenied):
            self.export(self.staff, models=(), admin_kind="audit")
        with self.assertRaises(PermissionDenied):
            self.export(self.auditor, models=[SampleRecord])  # an admin role reads no business data

    def test_an_export_names_what_it_requires(self):
        for options in ({"models": ()}, {"admin_kind": "audit"}):
            with self.subTest(**options), self.assertRaises(ValueError):
                self.export(self.staff, **options)
