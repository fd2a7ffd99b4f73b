"""督查进度: the units × items matrix against hand-computed figures, its filters, permission and Excel export.

Fixture: duties/tests/submission_fixtures.py (scheme 2025, towns). By hand:

  town1 (东溪镇): 1.1 passed → 2; 1.2 rule met in Q1, Q2 → 4 × 2/4 = 2 (automatic); 1.3 passed, score 4 → 4;
         2.1 bonus passed, 3 × 0.5 = 1.5 → cap 1; 2.2 submitted → 0.
         total 2 + 2 + 4 + 1 = 9; full marks 2 + 4 + 5 + 3 = 14 → 64.3%;
         completion: occurrences of scored items due by 31 December (or done): 1.1, 1.2 Q1–Q3 (Q4 is due ten
         working days after the quarter, in January 2026), 1.3, 2.2 = 6; done 1.1, Q1, Q2, 1.3 = 4 → 66.7%.
  town2 (西岭镇): 1.1 returned → 0; 1.2 Q1 passed → 4 × 1/4 = 1; 1.3 in progress → 0; 2.1 none; 2.2 not on its list.
         total 1; full marks 11 → 9.1%; completion 1 / 5 → 20.0%.
"""

from decimal import Decimal as D

from django.test import TestCase
from django.urls import reverse

from accounts.models import Grant, Role
from accounts.testing import create_user
from core.models import AuditEvent
from core.testing import export_text
from duties.models import Submission
from duties.progress_views import AUTO, NOT_APPLICABLE, progress
from org.models import Unit

from .submission_fixtures import build

S = Submission.Status
URL = reverse("duties:progress")


class ProgressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.ns = build(with_submissions=True)

    def matrix(self, **options):
        return progress(self.ns.county_staff, self.ns.scheme, **options)

    def test_numbers_against_the_hand_built_fixture(self):
        columns, rows, period = self.matrix()
        self.assertEqual(period.key, "2025")
        self.assertEqual([c.number for c in columns], ["1.1", "1.2", "1.3", "2.1", "2.2"])
        self.assertEqual([r.unit.name for r in rows], ["东溪镇", "西岭镇"])
        town1, town2 = rows
        self.assertEqual((town1.total, town1.full_marks, town1.percent, town1.completion),
                         (D("9.00"), D("14"), 64.3, 66.7))
        self.assertEqual((town2.total, town2.full_marks, town2.percent, town2.completion),
                         (D("1.00"), D("11"), 9.1, 20.0))
        self.assertEqual([c.score for c in town1.cells], [D("2.00"), D("2.00"), D("4.00"), D("1.00"), D("0")])
        self.assertEqual([c.state for c in town1.cells], [S.PASSED, S.IN_PROGRESS, S.PASSED, S.PASSED, S.SUBMITTED])
        self.assertEqual([c.state for c in town2.cells],
                         [S.RETURNED, S.IN_PROGRESS, S.IN_PROGRESS, S.NOT_STARTED, NOT_APPLICABLE])
        self.assertEqual(town2.cells[1].score, D("1.00"))
        # 2025 is over: what is neither done nor awaiting review is overdue
        self.assertTrue(town1.cells[1].overdue)  # Q3, Q4 without a lecture
        self.assertFalse(town1.cells[4].overdue)  # submitted, awaiting review
        self.assertTrue(town2.cells[0].overdue)  # returned and not resubmitted

    def test_quarter_period_and_automatic_state(self):
        columns, rows, period = self.matrix(period_key="2025-Q2")
        self.assertEqual(period.label, "2025年第二季度")
        self.assertEqual([c.number for c in columns], ["1.2"])  # only the quarterly item lies inside a quarter
        town1, town2 = rows
        self.assertEqual((town1.cells[0].state, town1.cells[0].score, town1.total), (AUTO, D("4.00"), D("4.00")))
        # Q2 is due in July: on 30 June nothing is expected of town2 yet (town1's lecture counts, being done)
        self.assertEqual((town2.cells[0].state, town2.total, town2.completion), (S.NOT_STARTED, D("0"), None))
        self.assertEqual(town1.completion, 100.0)

    def test_filters_and_sort(self):
        columns, rows, _ = self.matrix(category=str(self.ns.items.extra.pk))
        self.assertEqual([c.number for c in columns], ["2.1", "2.2"])
        self.assertEqual([r.total for r in rows], [D("9.00"), D("1.00")])  # the score stays the unit's total
        _, rows, _ = self.matrix(state=S.RETURNED)
        self.assertEqual([r.unit.name for r in rows], ["西岭镇"])
        _, rows, _ = self.matrix(state=S.SUBMITTED)
        self.assertEqual([r.unit.name for r in rows], ["东溪镇"])
        _, rows, _ = self.matrix(unit_type=Unit.Type.MEMBER)
        self.assertEqual(rows, [])
        self.ns.org.town2.sort_order = 0
        self.ns.org.town2.save()
        Submission.objects.filter(owner_unit=self.ns.org.town2, indicator=self.ns.items.feature).update(
            status=S.PASSED, score=D("5"))
        _, rows, _ = self.matrix(sort="score")
        self.assertEqual([(r.unit.name, r.total) for r in rows], [("东溪镇", D("9.00")), ("西岭镇", D("6.00"))])
        _, rows, _ = self.matrix(sort="completion")
        self.assertEqual([r.unit.name for r in rows], ["东溪镇", "西岭镇"])

    def test_page_for_county_staff(self):
        self.client.force_login(self.ns.county_staff)
        response = self.client.get(URL, {"scheme": self.ns.scheme.pk, "sort": "score"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "data-progress-matrix")
        self.assertContains(response, "东溪镇")
        self.assertContains(response, "<strong>9</strong>", html=False)
        self.assertContains(response, "64.3", count=0)  # the percent is in the export; the page shows score/full
        self.assertContains(response, "66.7%")
        self.assertContains(response, "sticky-col")
        self.assertContains(response, "自动取数达标")  # legend
        # a bad filter value is ignored, an unknown scheme is not found
        self.assertEqual(self.client.get(URL, {"state": "bogus", "period": "2030-Q9"}).status_code, 200)
        self.assertEqual(self.client.get(URL, {"scheme": 999999}).status_code, 404)

    def test_town_officer_is_forbidden(self):
        self.client.force_login(self.ns.town1_user)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.assertEqual(self.client.get(reverse("duties:progress_export")).status_code, 403)

    def test_an_export_counts_only_the_units_the_user_may_export(self):
        # County-wide reading (领导) but export rights in 东溪镇 only (镇街统战委员): the file holds 东溪镇 alone.
        reader = create_user("d_mixed", self.ns.org.county, "leader")
        Grant.objects.create(user=reader, role=Role.objects.get(code="town_officer"), unit=self.ns.org.town1)
        seen = [row.unit.name for row in progress(reader, self.ns.scheme)[1]]
        exported = [row.unit.name for row in progress(reader, self.ns.scheme, action="export")[1]]
        self.assertEqual((seen, exported), (["东溪镇", "西岭镇"], ["东溪镇"]))

    def test_excel_export(self):
        self.client.force_login(self.ns.county_staff)
        response = self.client.get(reverse("duties:progress_export"), {"scheme": self.ns.scheme.pk})
        text = export_text(response)
        for expected in ("2025年度统战工作考核细则督查进度", "东溪镇", "西岭镇", "镇街", "1.1 报送年度统战工作计划",
                         "已通过（2分）", "退回（0分）", "已提交（0分）", "不适用", "64.3", "20.0"):
            self.assertIn(expected, text)
        lines = text.splitlines()
        town1 = lines.index("东溪镇")
        self.assertEqual(lines[town1 + 2: town1 + 5], ["9.0", "14.0", "64.3"])
        event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("id")
        self.assertIn("督查进度", event.object_label)
        self.assertEqual(event.changes["单位数"], 2)
