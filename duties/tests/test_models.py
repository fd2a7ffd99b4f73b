"""Models: coverage and applicability (共性/个性), the tree, submissions' checks, links to records within the
user's scope, numbered letters, copying a scheme, permissions of the built-in roles."""

import datetime
from decimal import Decimal as D

from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import TestCase
from django.utils import timezone

from accounts.testing import create_user
from activities.models import Activity, ActivityType
from duties import periods
from duties.models import (
    Holiday,
    Indicator,
    Notice,
    ReminderLetter,
    Scheme,
    Submission,
    SubmissionLink,
    SubmissionStep,
    replace_year_in_title,
    shift_year,
)
from duties.periods import Frequency
from org.models import Unit
from org.testing import build_county

M = Indicator.Method


class SchemeTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.scheme = scheme = Scheme.objects.create(year=2026, title="2026年度统战工作考核细则", owner_unit=org.county,
                                                    unit_types=[Unit.Type.TOWN], periods=["quarter", "year"])
        scheme.units.add(org.member)
        cls.basic = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)
        cls.special = Indicator.objects.create(scheme=scheme, text="特色工作", sort_order=2)
        cls.common = Indicator.objects.create(scheme=scheme, parent=cls.basic, text="建立台账", points=5)
        cls.towns_only = Indicator.objects.create(scheme=scheme, parent=cls.basic, text="村级联络员", points=3,
                                                  unit_types=[Unit.Type.TOWN], sort_order=2)
        cls.specific = Indicator.objects.create(scheme=scheme, parent=cls.special, text="教育系统统战工作",
                                                points=4, applies_to=Indicator.Applicability.SPECIFIC)
        cls.specific.units.add(org.member)
        cls.bonus = Indicator.objects.create(scheme=scheme, parent=cls.special, text="经验被推广", points=2,
                                             method=M.BONUS, unit_points=1, sort_order=2)

    def test_covered_units(self):
        self.assertEqual(list(self.scheme.covered_units()), [self.org.town1, self.org.town2, self.org.member])
        self.assertTrue(self.scheme.covers(self.org.town1))
        self.assertTrue(self.scheme.covers(self.org.member))
        self.assertFalse(self.scheme.covers(self.org.village1))
        self.assertFalse(self.scheme.covers(self.org.county))
        self.assertEqual(list(Scheme.objects.covering(self.org.member)), [self.scheme])
        self.assertEqual(list(Scheme.objects.covering(self.org.village1)), [])

    def test_inactive_unit_is_not_covered(self):
        Unit.objects.filter(pk=self.org.town2.pk).update(is_active=False)
        self.assertEqual(list(self.scheme.covered_units()), [self.org.town1, self.org.member])
        self.assertFalse(self.scheme.covers(Unit.objects.get(pk=self.org.town2.pk)))

    def test_items_for_each_unit(self):
        self.assertEqual(self.scheme.items_for(self.org.town1), [self.common, self.towns_only, self.bonus])
        self.assertEqual(self.scheme.items_for(self.org.member), [self.common, self.specific, self.bonus])
        self.assertEqual(self.scheme.items_for(self.org.village1), [])
        self.assertEqual(self.scheme.full_marks(self.org.town1), D(8))  # 5 + 3; the bonus is not full marks
        self.assertEqual(self.scheme.full_marks(self.org.member), D(9))
        self.assertEqual(list(self.scheme.categories()), [self.basic, self.special])

    def test_tree_has_two_levels(self):
        nested = Indicator(scheme=self.scheme, parent=self.common, text="第三级")
        with self.assertRaisesMessage(ValidationError, "指标只有两级"):
            nested.full_clean()
        other = Scheme.objects.create(year=2026, title="另一细则", owner_unit=self.org.county)
        foreign = Indicator(scheme=other, parent=self.basic, text="跨细则")
        with self.assertRaisesMessage(ValidationError, "所属类别不属于本考核细则"):
            foreign.full_clean()

    def test_item_checks(self):
        def problems(**fields):
            item = Indicator(scheme=self.scheme, parent=self.basic, text="测试", points=2, **fields)
            try:
                item.full_clean()
            except ValidationError as error:
                return error.message_dict
            return {}

        self.assertIn("unit_points", problems(method=M.PER_OCCURRENCE))
        self.assertIn("unit_points", problems(method=M.DEDUCTION))
        self.assertEqual(problems(method=M.REVIEW, score_min=3)["score_min"], ["最低分不能大于分值。"])
        self.assertIn("deadline", problems(frequency=Frequency.QUARTER, deadline=datetime.date(2026, 3, 1)))
        self.assertIn("deadline", problems(deadline=datetime.date(2025, 3, 1)))
        self.assertIn("deadline_days", problems(deadline=datetime.date(2026, 3, 1), deadline_days=5))
        self.assertIn("unit_types", problems(unit_types=["planet"]))
        self.assertIn("unit_types", problems(applies_to=Indicator.Applicability.SPECIFIC, unit_types=["town"]))
        self.assertEqual(problems(method=M.PER_OCCURRENCE, unit_points=D("0.5")), {})

    def test_texts(self):
        self.assertEqual(self.bonus.scoring_text(), "每次加1分，最多加2分")
        self.assertEqual(Indicator(points=D("2"), method=M.PER_OCCURRENCE, unit_points=D("0.5")).scoring_text(),
                         "每次0.5分，最高2分")
        self.assertEqual(Indicator(points=5, method=M.REVIEW, score_min=2).scoring_text(), "评分2–5分")
        self.assertEqual(Indicator(points=3).scoring_text(), "完成得3分，未完成不得分")
        self.assertEqual(Indicator(frequency=Frequency.QUARTER, deadline_days=10).deadline_text(),
                         "每期开始后10个工作日内")
        self.assertEqual(Indicator(deadline=datetime.date(2026, 6, 30)).deadline_text(), "2026-06-30前")
        self.assertEqual(str(self.common), "建立台账")

    def test_occurrences(self):
        item = Indicator(scheme=self.scheme, frequency=Frequency.QUARTER)
        self.assertEqual([o.key for o in item.occurrences()], ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
        self.assertEqual([o.key for o in item.occurrences(periods.Period.year(2026))][-1], "2026-Q4")
        half = Indicator(scheme=self.scheme, frequency=Frequency.HALF_YEAR).occurrences()
        self.assertEqual([(o.key, o.label) for o in half], [("2026-H1", "2026年上半年"), ("2026-H2", "2026年下半年")])
        self.assertEqual(half[0].period.end, datetime.date(2026, 6, 30))
        self.assertEqual(periods.parse_key("2026-03").label, "2026年3月")
        with self.assertRaisesMessage(ValueError, "期次“2026-Q5”无效"):
            periods.parse_key("2026-Q5")

    def test_copy_to_next_year(self):
        self.common.deadline = datetime.date(2026, 6, 30)
        self.common.metric_key = "activities.held"
        self.common.rule_threshold = 1
        self.common.save()
        copy = self.scheme.copy_to()
        self.assertEqual((copy.year, copy.title, copy.status), (2027, "2027年度统战工作考核细则", Scheme.Status.DRAFT))
        self.assertEqual(copy.copied_from, self.scheme)
        self.assertEqual((copy.unit_types, copy.periods), (["town"], ["quarter", "year"]))
        self.assertEqual(list(copy.units.all()), [self.org.member])
        self.assertEqual([c.text for c in copy.categories()], ["基础工作", "特色工作"])
        items = list(copy.items())
        self.assertEqual([i.text for i in items], ["建立台账", "村级联络员", "教育系统统战工作", "经验被推广"])
        self.assertEqual({i.parent.scheme_id for i in items}, {copy.pk})
        self.assertEqual(items[0].deadline, datetime.date(2027, 6, 30))
        self.assertEqual((items[0].metric_key, items[0].rule_threshold), ("activities.held", D("1.00")))
        self.assertEqual(list(items[2].units.all()), [self.org.member])
        # the original is untouched
        self.assertEqual(self.scheme.indicators.count(), 6)
        self.assertEqual(Indicator.objects.get(pk=self.common.pk).deadline, datetime.date(2026, 6, 30))

    def test_year_helpers(self):
        self.assertEqual(shift_year(datetime.date(2028, 2, 29)), datetime.date(2029, 2, 28))
        self.assertEqual(replace_year_in_title("考核细则", 2026, 2027), "考核细则（2027年）")

    def test_history_is_kept(self):
        self.common.points = D(6)
        self.common.save()
        self.assertEqual(self.common.history.count(), 2)


class SubmissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = org = build_county()
        cls.scheme = Scheme.objects.create(year=2026, title="细则", owner_unit=org.county, unit_types=["town"])
        category = Indicator.objects.create(scheme=cls.scheme, text="类别")
        cls.item = Indicator.objects.create(scheme=cls.scheme, parent=category, text="季度事项", points=4,
                                            frequency=Frequency.QUARTER)
        cls.review = Indicator.objects.create(scheme=cls.scheme, parent=category, text="评审事项", points=5,
                                              method=M.REVIEW, score_min=1)
        cls.town1_user = create_user("s_town1", org.town1, "town_officer")
        cls.town2_user = create_user("s_town2", org.town2, "town_officer")
        kind, _ = ActivityType.objects.get_or_create(name="同心大讲堂")
        start = timezone.make_aware(datetime.datetime(2026, 3, 1, 9))
        cls.activity1 = Activity.objects.create(title="东溪讲堂", activity_type=kind, start=start, end=start,
                                                place="礼堂", content="内容", owner_unit=org.town1)
        cls.activity2 = Activity.objects.create(title="西岭讲堂", activity_type=kind, start=start, end=start,
                                                place="礼堂", content="内容", owner_unit=org.town2)

    def test_period_key_must_match_the_item(self):
        submission = Submission(indicator=self.item, owner_unit=self.org.town1, period_key="2026")
        with self.assertRaisesMessage(ValidationError, "与该事项的频次或年度不符"):
            submission.full_clean()
        submission.period_key = "2025-Q1"
        with self.assertRaisesMessage(ValidationError, "与该事项的频次或年度不符"):
            submission.full_clean()
        submission.period_key = "Q1"
        with self.assertRaisesMessage(ValidationError, "期次“Q1”无效"):
            submission.full_clean()
        submission.period_key = "2026-Q1"
        submission.full_clean()

    def test_item_must_be_on_the_units_list(self):
        submission = Submission(indicator=self.item, owner_unit=self.org.member, period_key="2026-Q1")
        with self.assertRaisesMessage(ValidationError, "该事项不在本单位的职责清单中"):
            submission.full_clean()

    def test_score_range(self):
        submission = Submission(indicator=self.review, owner_unit=self.org.town1, period_key="2026", score=D(6))
        with self.assertRaisesMessage(ValidationError, "得分应在1至5分之间"):
            submission.full_clean()

    def test_unique_per_item_unit_period(self):
        Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026-Q1")
        with self.assertRaises(IntegrityError):
            Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026-Q1")

    def test_scope_and_editability(self):
        s1 = Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026-Q1")
        s2 = Submission.objects.create(indicator=self.item, owner_unit=self.org.town2, period_key="2026-Q1")
        self.assertEqual(list(Submission.objects.visible_to(self.town1_user, "change")), [s1])
        self.assertEqual(list(Submission.objects.visible_to(self.town2_user)), [s2])
        self.assertTrue(s1.is_editable)
        for status, editable in [("submitted", False), ("passed", False), ("returned", True)]:
            s1.status = status
            self.assertEqual(s1.is_editable, editable, status)
        SubmissionStep.objects.create(submission=s1, action=SubmissionStep.Action.SUBMIT, user=self.town1_user,
                                      status_after="submitted")
        SubmissionStep.objects.create(submission=s1, action=SubmissionStep.Action.RETURN, comment="材料不全",
                                      status_after="returned")
        self.assertEqual([s.get_action_display() for s in s1.steps.all()], ["提交", "退回"])

    def test_link_only_records_the_user_may_see(self):
        submission = Submission.objects.create(indicator=self.item, owner_unit=self.org.town1, period_key="2026-Q1")
        link = SubmissionLink.link(submission, self.activity1, self.town1_user)
        self.assertEqual(link.label, "活动：东溪讲堂")
        self.assertEqual(link.record, self.activity1)
        self.assertEqual([x.url for x in SubmissionLink.with_urls([link], self.town1_user)],
                         [self.activity1.get_absolute_url()])
        self.assertEqual(SubmissionLink.link(submission, self.activity1, self.town1_user), link)  # idempotent
        with self.assertRaisesMessage(ValidationError, "找不到该记录，或您无权查看该记录"):
            SubmissionLink.link(submission, self.activity2, self.town1_user)
        with self.assertRaisesMessage(ValidationError, "只能关联"):
            SubmissionLink.link(submission, submission, self.town1_user)
        with self.assertRaisesMessage(ValidationError, "只能关联"):
            SubmissionLink.link(submission, self.org.town1, self.town1_user)
        self.assertEqual(submission.links.count(), 1)


class NumberedDocumentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.scheme = Scheme.objects.create(year=2026, title="细则", owner_unit=cls.org.county)

    def test_letters_are_numbered_per_year(self):
        deadline = datetime.date(2026, 12, 1)
        first = ReminderLetter.create_numbered(year=2026, owner_unit=self.org.town1, scheme=self.scheme,
                                               deadline=deadline)
        second = ReminderLetter.create_numbered(year=2026, owner_unit=self.org.town2, scheme=self.scheme,
                                                deadline=deadline)
        other_year = ReminderLetter.create_numbered(year=2027, owner_unit=self.org.town2, scheme=self.scheme,
                                                    deadline=deadline)
        self.assertEqual([first.number, second.number, other_year.number], [1, 2, 1])
        self.assertEqual(second.doc_number, "统战提醒〔2026〕2号")
        self.assertEqual(str(first), "统战提醒〔2026〕1号")
        self.assertEqual(first.addressee, self.org.town1)
        town1_user = create_user("n_town1", self.org.town1, "town_officer")
        self.assertEqual(list(ReminderLetter.objects.visible_to(town1_user)), [first])
        notice = Notice.create_numbered(year=2026, owner_unit=self.org.county, scheme=self.scheme,
                                        period_key="2026-Q3", title="第三季度工作进展通报")
        self.assertEqual(notice.doc_number, "统战通报〔2026〕1号")


class PermissionTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()

    def test_county_staff_manage_and_review(self):
        staff = create_user("p_staff", self.org.county, "county_staff")
        town = create_user("p_town", self.org.town1, "town_officer")
        member = create_user("p_member", self.org.member, "member_liaison")
        for model in (Scheme, ReminderLetter, Notice):
            self.assertTrue(staff.has_action(model, "manage"), model)
            self.assertFalse(town.has_action(model, "manage"), model)
        self.assertTrue(staff.has_action(Submission, "review"))
        self.assertFalse(town.has_action(Submission, "review"))
        self.assertFalse(town.has_action(Scheme, "add"))
        self.assertTrue(town.has_action(Submission, "add"))
        self.assertTrue(member.has_action(Submission, "change"))
        self.assertFalse(town.has_action(Submission, "delete"))


class HolidayModelTests(TestCase):
    def test_workday_flag_only_on_weekends(self):
        with self.assertRaisesMessage(ValidationError, "调休上班只用于周六、周日"):
            Holiday(date=datetime.date(2027, 1, 4), is_workday=True).full_clean()
        Holiday(date=datetime.date(2027, 1, 2), is_workday=True, name="调休").full_clean()


class AttachmentValidationTests(TestCase):
    def test_uploads(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        from core.uploads import ATTACHMENT_MAX_BYTES, validate_attachment

        pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test")
        self.assertIs(validate_attachment(pdf), pdf)
        self.assertEqual(pdf.read(4), b"%PDF")  # rewound after sniffing
        cases = [
            (SimpleUploadedFile("a.exe", b"MZ"), "只能上传"),
            (SimpleUploadedFile("a.pdf", b""), "文件是空的"),
            (SimpleUploadedFile("a.docx", b"%PDF-1.4"), "文件内容与扩展名“.docx”不符"),
            (SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"0" * ATTACHMENT_MAX_BYTES), "附件不能超过10MB"),
        ]
        for upload, message in cases:
            with self.assertRaisesMessage(ValidationError, message):
                validate_attachment(upload)
