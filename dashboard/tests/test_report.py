"""The Word work report (工作汇报): every figure against a hand-counted fixture, read back with python-docx;
scope; uploaded templates; the command line."""

import datetime
import io
from pathlib import Path
from unittest import mock

import docx
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from accounts.models import Grant, Role
from accounts.testing import create_user
from activities.models import Activity, ActivityType, Frequency, Plan
from core import navigation, word
from core.metrics import Metric, Period
from core.models import AuditEvent
from dashboard import reports
from dashboard.models import ReportTemplate
from friendship.models import Contact, FollowUp, Pairing
from org.testing import build_county
from people.choices import Status, Tier
from people.models import Category, Person
from people.testing import check_digit
from representatives.models import Field as RepField
from representatives.models import Level, Representative, Stage, StageChange

D = datetime.date


def at(year, month, day, hour=10):
    return timezone.make_aware(datetime.datetime(year, month, day, hour))


def valid_id(seq):
    first17 = f"33099819800101{seq:03d}"
    return first17 + check_digit(first17)


def document_text(data):
    """Paragraphs and table cells of a .docx, one line each (cells of a row joined by " | ")."""
    document = docx.Document(io.BytesIO(data))
    lines = [p.text for p in document.paragraphs]
    for table in document.tables:
        lines.extend(" | ".join(cell.text for cell in row.cells) for row in table.rows)
    return "\n".join(lines)


class ReportFixture(TestCase):
    """Everything in town1 (东溪镇) unless said otherwise; the report is of 2025, compared with 2024.

    People (created on; categories; tier; status):
      P1 2024-06-01  民主党派成员             镇管  在册  (complete)
      P2 2025-03-01  民主党派成员、党外知识分子  村管  在册  (no phone)
      P3 2025-04-01  党外知识分子             村管  在册  (no phone)
      P4 2025-05-01  民主党派成员             村管  退出 on 2025-08-01
      P5 (this year) 民主党派成员             村管  在册  — after the period
      P6 2025-02-01  民主党派成员 in town2    村管  在册  — outside town1
    → 2025: 在册 3 (2024: 1, 增长200%), 新登记 3 (P2 P3 P4; 2024: 1), 调出退出去世 1, 2 categories
      (民主党派成员 2 = P1 P2, 党外知识分子 2 = P2 P3), tiers 县管0 镇管1 村管2, completeness 1/3 = 33.3%
      (2024: 100%, 下降66.7个百分点).

    Representatives (steps): R1 (P1) 发现 2024-03-01, 培养 2024-09-01, 认定 2025-05-01 (县级);
      R2 (P2) 发现 2025-02-01 (镇级); R3 (P3) 发现 2024-01-10, 退出 2025-07-01 (镇级).
    → 2025: total 2 (R1 认定, R2 发现; 2024: R1 培养 + R3 发现 = 2, 持平), certified 1 (2024: 0, 上期为0),
      new: discovered 1 (2024: 2, 下降50%), cultivated 0, certified 1, exited 1; stages 发现1 培养0 认定1 退出1;
      levels 市级0 县级1 镇级1.

    Pairings: PA R1 from 2024-01-01 (2 a year); PB R2 from 2025-06-01 (4 a year), no contact.
      Contacts of PA: 2024-06-01 走访; 2025-03-10 走访, 2025-09-10 谈心谈话 (raising one follow-up, closed
      2025-10-01).
    → 2025: pairings 2 (2024: 1, 增长100%), contacts 2 (2024: 1, 增长100%), contact rate 50% (PA yes, PB no),
      coverage 50% (PA 2 of 2 owed, PB behind), behind 1, follow-ups 1, closed 1;
      2024: contact rate 100%, coverage 0% (PA 1 of 2 owed) → 上升50个百分点.

    Activities: plan 2025 同心大讲堂 quarterly (town1); 同心大讲堂 2025-02-10 (plan, P1, +10 others),
      2025-08-10 (plan, P1 P2); 同心行活动日 2025-05-05 in village1 (no plan); 同心行活动日 2024-05-05.
    → 2025: held 3 (2024: 1, 增长200%), by type 同心行活动日 1, 同心大讲堂 2; participants 2 (P1 P2);
      headcount 3 links + 10 = 13; plan occurrences 4 expected, 2 fulfilled, 50%; 2024: no plan ("—").
    """

    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.county_user = create_user("r_county", org.county, "county_staff")
        cls.town1_user = create_user("r_town1", org.town1, "town_officer")
        cls.town2_user = create_user("r_town2", org.town2, "town_officer")
        cls.sysadmin = create_user("r_sys", org.county, "sysadmin")
        party, intellectual = Category.objects.get(code="01"), Category.objects.get(code="03")

        def person(seq, created, categories, unit=None, tier=Tier.VILLAGE, **fields):
            values = {"name": f"成员{seq}", "owner_unit": unit or org.village1, "tier": tier, "gender": "F",
                      "ethnicity": "01", "birth_date": D(1980, 1, 1), "id_number": valid_id(seq),
                      "phone": f"1390000{seq:04d}", "education": "bachelor", "workplace": "某单位",
                      "position": "职员", "affiliation": "06"}
            values.update(fields)
            created_person = Person.objects.create(**values)
            created_person.categories.set(categories)
            if created is not None:
                Person.objects.filter(pk=created_person.pk).update(created_at=created)
            return created_person

        cls.p1 = person(1, at(2024, 6, 1), [party], unit=org.town1, tier=Tier.TOWN)
        cls.p2 = person(2, at(2025, 3, 1), [party, intellectual], phone="")
        cls.p3 = person(3, at(2025, 4, 1), [intellectual], phone="")
        person(4, at(2025, 5, 1), [party], status=Status.EXITED, status_date=D(2025, 8, 1))
        person(5, None, [party])
        person(6, at(2025, 2, 1), [party], unit=org.village2)

        def representative(who, level, steps):
            rep = Representative.objects.create(person=who, owner_unit=who.owner_unit, level=level,
                                                field=RepField.OTHER, stage=steps[-1][0], stage_date=steps[-1][1])
            for stage, day in steps:
                StageChange.objects.create(representative=rep, stage=stage, level=level, date=day, reason="测试")
            return rep

        r1 = representative(cls.p1, Level.COUNTY, [(Stage.DISCOVERED, D(2024, 3, 1)),
                                                   (Stage.CULTIVATING, D(2024, 9, 1)),
                                                   (Stage.CERTIFIED, D(2025, 5, 1))])
        r2 = representative(cls.p2, Level.TOWN, [(Stage.DISCOVERED, D(2025, 2, 1))])
        representative(cls.p3, Level.TOWN, [(Stage.DISCOVERED, D(2024, 1, 10)), (Stage.EXITED, D(2025, 7, 1))])

        pa = Pairing.objects.create(official_name="张书记", representative=r1, contacts_per_year=2,
                                    start_date=D(2024, 1, 1), owner_unit=org.town1)
        Pairing.objects.create(official_name="李委员", representative=r2, contacts_per_year=4,
                               start_date=D(2025, 6, 1), owner_unit=org.town1)
        for day, form in ((D(2024, 6, 1), Contact.Form.VISIT), (D(2025, 3, 10), Contact.Form.VISIT)):
            Contact.objects.create(pairing=pa, date=day, form=form, summary="走访", owner_unit=org.town1)
        talk = Contact.objects.create(pairing=pa, date=D(2025, 9, 10), form=Contact.Form.TALK, summary="谈心",
                                      issues="反映用地问题", owner_unit=org.town1)
        FollowUp.objects.create(contact=talk, description="用地问题", due_date=D(2025, 9, 30),
                                status=FollowUp.Status.DONE, result="已解决", closed_at=D(2025, 10, 1),
                                owner_unit=org.town1)

        lecture = ActivityType.objects.get(name="同心大讲堂")
        day = ActivityType.objects.get(name="同心行活动日")
        plan = Plan.objects.create(title="同心大讲堂计划", activity_type=lecture, frequency=Frequency.QUARTER,
                                   year=2025, owner_unit=org.town1)

        def activity(kind, start, unit, plan=None, people=(), others=0):
            created = Activity.objects.create(title=f"{kind.name}{start:%m%d}", activity_type=kind, start=start,
                                              end=start + datetime.timedelta(hours=2), place="会议室", plan=plan,
                                              content="活动", owner_unit=unit, other_participants=others)
            created.participants.set(people)

        activity(lecture, at(2025, 2, 10), org.town1, plan, [cls.p1], others=10)
        activity(lecture, at(2025, 8, 10), org.town1, plan, [cls.p1, cls.p2])
        activity(day, at(2025, 5, 5), org.village1)
        activity(day, at(2024, 5, 5), org.town1)


class ReportFiguresTests(ReportFixture):
    def context(self, unit=None, user=None, period=None):
        return reports.build_context(unit or self.org.town1, period or Period.year(2025), user, today=D(2026, 1, 5))

    def test_headline_figures(self):
        c = self.context(user=self.town1_user)
        expected = {
            "unit_name": "东溪镇", "period_label": "2025年", "previous_period_label": "2024年",
            "period_start": "2025年1月1日", "period_end": "2025年12月31日", "report_date": "2026年1月5日",
            "people_total": 3, "people_total_prev": 1, "people_total_trend": "增长200%",
            "people_added": 3, "people_added_prev": 1, "people_left": 1, "category_count": 2,
            "completeness_rate": "33.3%", "completeness_rate_prev": "100%",
            "completeness_rate_trend": "下降66.7个百分点",
            "reps_total": 2, "reps_total_prev": 2, "reps_total_trend": "持平",
            "reps_certified": 1, "reps_certified_prev": 0, "reps_certified_trend": "上期为0",
            "reps_new_discovered": 1, "reps_new_discovered_prev": 2, "reps_new_discovered_trend": "下降50%",
            "reps_new_cultivated": 0, "reps_new_certified": 1, "reps_exited": 1,
            "pairings": 2, "pairings_prev": 1, "pairings_trend": "增长100%",
            "contacts": 2, "contacts_prev": 1, "contacts_trend": "增长100%",
            "contact_rate": "50%", "contact_rate_prev": "100%", "contact_rate_trend": "下降50个百分点",
            "coverage_rate": "50%", "coverage_rate_prev": "0%", "coverage_rate_trend": "上升50个百分点",
            "pairings_behind": 1, "follow_ups": 1, "follow_ups_closed": 1,
            "activities_held": 3, "activities_held_prev": 1, "activities_held_trend": "增长200%",
            "activities_participants": 2, "activities_headcount": 13,
            "occurrences_expected": 4, "occurrences_fulfilled": 2, "fulfilment_rate": "50%",
            "fulfilment_rate_prev": "—", "fulfilment_rate_trend": "—",
            "has_duties": False,  # no published duty-list scheme: the section is left out
        }
        self.assertEqual({key: c[key] for key in expected}, expected)

    def test_tables(self):
        c = self.context(user=self.town1_user)
        categories = {row["name"]: (row["value"], row["prev"], row["share"]) for row in c["people_by_category"]}
        self.assertEqual(categories["民主党派成员"], (2, 1, "66.7%"))
        self.assertEqual(categories["党外知识分子"], (2, 0, "66.7%"))
        self.assertEqual(categories["无党派人士"], (0, 0, "0%"))
        self.assertEqual([(r["name"], r["value"]) for r in c["people_by_tier"]],
                         [("县管", 0), ("镇管", 1), ("村管", 2)])
        self.assertEqual([(r["name"], r["value"], r["prev"]) for r in c["reps_by_stage"]],
                         [("发现", 1, 1), ("培养", 0, 1), ("认定", 1, 0), ("退出", 1, 0)])
        self.assertEqual([(r["name"], r["value"]) for r in c["reps_by_level"]], [("市级", 0), ("县级", 1), ("镇级", 1)])
        forms = {r["name"]: (r["value"], r["prev"], r["trend"]) for r in c["contacts_by_form"]}
        self.assertEqual(forms["走访"], (1, 1, "持平"))
        self.assertEqual(forms["谈心谈话"], (1, 0, "上期为0"))
        types = {r["name"]: (r["value"], r["prev"], r["share"]) for r in c["activities_by_type"]}
        self.assertEqual(types["同心大讲堂"], (2, 0, "66.7%"))
        self.assertEqual(types["同心行活动日"], (1, 1, "33.3%"))
        trends = {r["name"]: (r["value"], r["prev"], r["trend"]) for r in c["trends"]}
        self.assertEqual(trends["在册统战成员"], (3, 1, "增长200%"))
        self.assertEqual(trends["结对联系进度达标率"], ("50%", "0%", "上升50个百分点"))
        self.assertEqual(len(c["trends"]), len(reports.TREND_FIGURES))

    def test_quarter_compares_with_previous_quarter(self):
        c = self.context(user=self.town1_user, period=Period.quarter(2025, 1))
        self.assertEqual((c["period_label"], c["previous_period_label"]), ("2025年第一季度", "2024年第四季度"))
        self.assertEqual((c["people_total"], c["people_total_prev"]), (2, 1))  # P1, P2 by 31 March
        self.assertEqual((c["contacts"], c["contacts_prev"]), (1, 0))
        self.assertEqual((c["activities_held"], c["activities_held_prev"]), (1, 0))

    def test_county_without_user_counts_everything(self):
        c = self.context(unit=self.org.county)
        self.assertEqual(c["people_total"], 4)  # P6 of town2 too
        self.assertEqual(c["people_added"], 4)

    def test_user_scope(self):
        # town2's officer sees nothing of town1 even when asking for the county's figures.
        c = self.context(unit=self.org.county, user=self.town2_user)
        self.assertEqual((c["people_total"], c["reps_total"], c["pairings"], c["activities_held"]), (1, 0, 0, 0))

    def test_trend_wording(self):
        self.assertEqual(reports.trend(120, 100), "增长20%")
        self.assertEqual(reports.trend(90, 120), "下降25%")
        self.assertEqual(reports.trend(5, 5), "持平")
        self.assertEqual(reports.trend(3, 0), "上期为0")
        self.assertEqual(reports.trend(0, 0), "持平")
        self.assertEqual(reports.trend(None, 4), "—")
        self.assertEqual(reports.trend(85.5, 80.0, rate=True), "上升5.5个百分点")
        self.assertEqual(reports.trend(80.0, 80.0, rate=True), "持平")
        self.assertEqual(reports.previous_period(Period.quarter(2026, 1)).key, "2025-Q4")
        self.assertEqual(reports.previous_period(Period.year(2026)).key, "2025")

    def test_duties_section_only_with_duty_figures(self):
        text = document_text(reports.generate(self.org.town1, Period.year(2025), self.town1_user))
        self.assertNotIn("职责清单落实情况", text)
        fakes = [
            Metric("duties.completion_rate", "职责清单完成率", lambda q: 92.5 if q.period.start.year == 2025 else 80.0,
                   unit="%"),
            Metric("duties.items_overdue", "职责清单逾期事项", lambda q: 3 if q.period.start.year == 2025 else 4,
                   unit="项"),
        ]
        with mock.patch.object(reports, "duty_metrics", return_value=fakes):
            context = self.context(user=self.town1_user)
            text = document_text(reports.generate(self.org.town1, Period.year(2025), self.town1_user))
        self.assertTrue(context["has_duties"])
        self.assertEqual((context["duties_completion_rate"], context["duties_completion_rate_trend"]),
                         ("92.5%", "上升12.5个百分点"))
        self.assertEqual(context["duties_score"], "—")  # not registered
        self.assertIn("六、职责清单落实情况", text)
        self.assertIn("职责清单完成率92.5%（上升12.5个百分点），考核得分—分，逾期事项3项。", text)
        self.assertIn("职责清单逾期事项 | 3项 | 4项 | 下降25%", text)


class ReportDocumentTests(ReportFixture):
    def test_default_template_is_valid_and_documented(self):
        used = word.check_template(reports.DEFAULT_TEMPLATE, reports.PLACEHOLDERS)
        self.assertIn("people_total", used)
        self.assertIn("has_duties", used)
        # The committed file is what the build script makes (placeholders and text alike).
        from dashboard.report_templates.build_work_report import build

        self.assertEqual(word.template_placeholders(build()), used)

    def test_web_report_contains_the_figures(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("dashboard:report"), {"unit": self.org.town1.pk, "year": 2025})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], word.DOCX_CONTENT_TYPE)
        self.assertIn("attachment", response["Content-Disposition"])
        text = document_text(response.content)
        for sentence in (
            "东溪镇2025年统战工作情况汇报",
            "建立2类3名统战成员数据台账（2024年为1名，增长200%）。本期新登记统战成员3名，调出、退出或去世1名，"
            "台账信息完整率33.3%。按管理层级分，县管0名、镇管1名、村管2名。",
            "发现、培养、认定党外代表人士2名（持平），其中认定1名。本期新发现1名、新列入培养0名、新认定1名，退出1名。"
            "按层级分，市级0名、县级1名、镇级1名。",
            "结对联系党外代表人士2对（增长100%），开展联系2次（增长100%），结对联系率50%，联系进度达标率50%"
            "（上升50个百分点），联系进度落后的结对1对。联系中反映问题和建议1件，本期办结1件。",
            "开展各类活动3次（增长200%），2名统战成员参加，共13人次（上期为0）。活动计划应开展4期次，已开展2期次，"
            "计划完成率50%。",
            "民主党派成员 | 2 | 66.7% | 1 | 增长100%",
            "认定 | 1 | 33.3% | 0 | 上期为0",
            "走访 | 1 | 50% | 1 | 持平",
            "同心大讲堂 | 2 | 66.7% | 0 | 上期为0",
            "指标 | 2025年 | 2024年 | 变化",
            "党外代表人士（发现、培养、认定） | 2 | 2 | 持平",
        ):
            self.assertIn(sentence, text)
        self.assertNotIn("{{", text)
        self.assertNotIn("{%", text)
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT,
                                                  object_label="工作汇报：东溪镇2025年").exists())

    def test_town2_cannot_request_town1(self):
        self.client.force_login(self.town2_user)
        response = self.client.get(reverse("dashboard:report"), {"unit": self.org.town1.pk, "year": 2025})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "请选择您数据范围内的单位", status_code=400)
        self.assertNotIn(self.org.town1, list(response.context["form"].fields["unit"].queryset))
        self.assertNotIn(self.org.county, list(response.context["form"].fields["unit"].queryset))

    def test_form_errors_and_permissions(self):
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("dashboard:report"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "people_total")  # the placeholder documentation
        future = timezone.localdate().year
        response = self.client.get(reverse("dashboard:report"), {"unit": self.org.town1.pk, "year": future,
                                                                  "quarter": 5})
        self.assertContains(response, "季度须为1至4", status_code=400)
        response = self.client.get(reverse("dashboard:report"), {"unit": self.org.town1.pk, "year": 1999})
        self.assertContains(response, "请选择有效的年度", status_code=400)
        self.client.force_login(self.sysadmin)  # no business data for the system administrator
        self.assertEqual(self.client.get(reverse("dashboard:report")).status_code, 403)

    def test_the_report_needs_the_export_permission(self):
        # Issue 11.6: the read-only leader and a village liaison may not download the report; refusals audited.
        leader = create_user("r_leader", self.org.county, "leader")
        liaison = create_user("r_village", self.org.village1, "village_liaison")
        for user in (leader, liaison):
            self.client.force_login(user)
            for params in ({}, {"unit": user.unit_id, "year": 2025}):
                response = self.client.get(reverse("dashboard:report"), params)
                self.assertEqual(response.status_code, 403, (user, params))
                self.assertNotEqual(response.get("Content-Type"), word.DOCX_CONTENT_TYPE)
            self.assertEqual(self.client.get(reverse("dashboard:report_template_default")).status_code, 403)
            self.assertNotIn("工作汇报", [item.label for _, items in navigation.menu_for(user) for item in items])
        self.assertFalse(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists())
        self.assertEqual(AuditEvent.objects.filter(action=AuditEvent.Action.DENIED,
                                                   object_type="dashboard.report").count(), 4)
        self.assertIn("工作汇报", [item.label for _, items in navigation.menu_for(self.town1_user) for item in items])

    def test_the_report_counts_what_the_user_may_export(self):
        # Viewing the county (a leader's grant) and exporting town01 (its officer's): the report is town01's.
        Grant.objects.create(user=self.town1_user, role=Role.objects.get(code="leader"), unit=self.org.county)
        self.client.force_login(self.town1_user)
        response = self.client.get(reverse("dashboard:report"), {"unit": self.org.county.pk, "year": 2025})
        self.assertEqual(response.status_code, 200)
        self.assertIn("建立2类3名统战成员数据台账", document_text(response.content))  # town01's three people
        whole = document_text(reports.generate(self.org.county, Period.year(2025), self.county_user))
        self.assertNotIn("建立2类3名统战成员数据台账", whole)  # the county's are more


def upload(data, name="模板.docx"):
    return SimpleUploadedFile(name, data, content_type=word.DOCX_CONTENT_TYPE)


class ReportTemplateTests(ReportFixture):
    def test_unknown_placeholder_is_refused_with_its_name(self):
        self.client.force_login(self.county_user)
        bad = word.build_docx("{{ unit_name }}共有{{ people_totl }}名", ["{{ secret_thing }}"])
        response = self.client.post(reverse("dashboard:report_templates"), {"name": "错误模板", "file": upload(bad),
                                                                             "activate": "on"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "{{ people_totl }}", status_code=400)
        self.assertContains(response, "{{ secret_thing }}", status_code=400)
        self.assertFalse(ReportTemplate.objects.exists())

    def test_not_a_docx_is_refused(self):
        self.client.force_login(self.county_user)
        response = self.client.post(reverse("dashboard:report_templates"),
                                    {"name": "假模板", "file": upload(b"not a zip", "x.docx")})
        self.assertContains(response, "不是有效的 Word 文档", status_code=400)
        response = self.client.post(reverse("dashboard:report_templates"),
                                    {"name": "假模板", "file": upload(b"x", "x.doc")})
        self.assertContains(response, "须为 Word 文档（.docx）", status_code=400)

    def test_uploaded_template_is_used_and_can_be_switched_off(self):
        self.client.force_login(self.county_user)
        custom = word.build_docx("{{ unit_name }}{{ period_label }}：在册{{ people_total }}名，"
                                 "{{ people_total_trend }}。",
                                 [["类别", "人数"], ["{%tr for row in people_by_category %}", ""],
                                  ["{{ row.name }}", "{{ row.value }}"], ["{%tr endfor %}", ""]])
        response = self.client.post(reverse("dashboard:report_templates"),
                                    {"name": "本县模板", "file": upload(custom), "activate": "on"})
        self.assertEqual(response.status_code, 302)
        template = ReportTemplate.objects.get()
        self.assertTrue(template.is_active)
        self.assertEqual((template.unit, template.uploaded_by), (self.org.county, self.county_user))
        self.client.force_login(self.town1_user)  # the county's template serves the town too
        text = document_text(self.client.get(reverse("dashboard:report"), {"unit": self.org.town1.pk,
                                                                           "year": 2025}).content)
        self.assertIn("东溪镇2025年：在册3名，增长200%。", text)
        self.assertIn("党外知识分子 | 2", text)
        self.client.force_login(self.county_user)
        self.client.post(reverse("dashboard:report_template_activate", args=[template.pk]))
        template.refresh_from_db()
        self.assertFalse(template.is_active)
        self.assertIsNone(reports.active_template(self.org.town1))
        self.assertTrue(AuditEvent.objects.filter(action=AuditEvent.Action.CONFIG,
                                                  object_type="dashboard.ReportTemplate").exists())

    def test_one_active_template_per_county(self):
        self.client.force_login(self.county_user)
        data = word.build_docx("{{ unit_name }}")
        for name in ("一", "二"):
            self.client.post(reverse("dashboard:report_templates"), {"name": name, "file": upload(data),
                                                                     "activate": "on"})
        self.assertEqual(list(ReportTemplate.objects.filter(is_active=True).values_list("name", flat=True)), ["二"])
        first = ReportTemplate.objects.get(name="一")
        self.client.post(reverse("dashboard:report_template_activate", args=[first.pk]))
        self.assertEqual(list(ReportTemplate.objects.filter(is_active=True).values_list("name", flat=True)), ["一"])
        response = self.client.get(reverse("dashboard:report_template_download", args=[first.pk]))
        self.assertEqual(b"".join(response.streaming_content), data)
        self.client.post(reverse("dashboard:report_template_delete", args=[first.pk]))
        self.assertFalse(ReportTemplate.objects.filter(name="一").exists())

    def test_only_county_staff_manage_templates(self):
        self.client.force_login(self.sysadmin)
        self.assertEqual(self.client.get(reverse("dashboard:report_templates")).status_code, 403)
        self.client.force_login(self.town1_user)
        self.assertEqual(self.client.get(reverse("dashboard:report_templates")).status_code, 403)
        self.assertEqual(self.client.post(reverse("dashboard:report_templates"), {}).status_code, 403)
        self.client.force_login(self.county_user)
        response = self.client.get(reverse("dashboard:report_templates"))
        self.assertEqual(response.status_code, 200)
        for name in reports.PLACEHOLDERS:
            self.assertContains(response, f"{{{{ {name} }}}}")
        response = self.client.get(reverse("dashboard:report_template_default"))
        self.assertEqual(b"".join(response.streaming_content), reports.DEFAULT_TEMPLATE.read_bytes())


class WorkReportCommandTests(ReportFixture):
    def test_command_writes_the_report(self):
        out = Path(self.tmp()) / "report.docx"
        stdout = io.StringIO()
        call_command("work_report", "--unit", self.org.town1.division_code, "--year", "2025", "--out", str(out),
                     stdout=stdout)
        self.assertIn("已生成", stdout.getvalue())
        text = document_text(out.read_bytes())
        self.assertIn("建立2类3名统战成员数据台账（2024年为1名，增长200%）", text)
        # By unit id and a quarter.
        call_command("work_report", "--unit", str(self.org.county.pk), "--year", "2025", "--quarter", "1",
                     "--out", str(out), stdout=io.StringIO())
        text = document_text(out.read_bytes())
        self.assertIn("测试县2025年第一季度统战工作情况汇报", text)
        self.assertIn("建立2类3名统战成员数据台账（2024年第四季度为1名，增长200%）", text)  # P1, P2, P6 by 31 March

    def test_command_fails_cleanly(self):
        out = str(Path(self.tmp()) / "report.docx")
        cases = [
            (["--unit", "999999", "--year", "2025", "--out", out], "找不到单位“999999”"),
            (["--unit", "330998", "--year", "20x5", "--out", out], "年度“20x5”无效"),
            (["--unit", "330998", "--year", "2025", "--quarter", "5", "--out", out], "季度“5”无效"),
            (["--unit", "330998", "--year", "2025", "--out", "/nonexistent/dir/r.docx"], "输出目录"),
            (["--unit", "330998", "--year", "2025", "--out", out[:-1]], "须以 .docx 结尾"),
            (["--year", "2025"], "缺少参数：--unit、--out"),
        ]
        for args, message in cases:
            with self.subTest(args=args), self.assertRaises(CommandError) as caught:
                call_command("work_report", *args, stdout=io.StringIO())
            self.assertIn(message, str(caught.exception))
            self.assertEqual(caught.exception.returncode, 2)
        self.assertFalse(Path(out).exists())

    def tmp(self):
        import tempfile

        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        return directory.name
