"""A small published scheme for the 据单督查 tests (submissions, review, progress).

Year 2025 (over, so every occurrence is due and "as of" is 31 December), covering the towns (东溪镇 = town1,
西岭镇 = town2); the member unit and the villages are not assessed.

  一、基础工作
    1.1 plan      报送年度工作计划        done 2 points, yearly, deadline 2025-03-31
    1.2 lecture   每季度开展同心大讲堂    done 4 points, quarterly, rule 同心大讲堂 ≥ 1 per quarter
    1.3 feature   统战工作特色亮点        review 1–5 points, yearly
  二、加分与个性事项
    2.1 bonus     信息被采用加分          bonus 0.5 each, at most 1, yearly
    2.2 overseas  侨务工作（东溪镇个性）  done 3 points, yearly, 个性: town1 only

Activities: town1 held 同心大讲堂 on 2025-03-20 (Q1) and 2025-05-10 (Q2); town2 none (town2 has one
同心行活动日 activity, which a town1 user must not be able to link).
"""

import datetime
from decimal import Decimal as D
from types import SimpleNamespace

from django.utils import timezone

from accounts.models import Grant, Role
from accounts.testing import create_user
from activities.models import Activity, ActivityType
from duties.models import Indicator, Scheme, Submission, SubmissionStep
from duties.periods import Frequency
from org.models import Unit
from org.testing import build_county

YEAR = 2025
M = Indicator.Method


def at(*args):
    return timezone.make_aware(datetime.datetime(*args, 9, 0))


def activity(unit, start, kind, title=None):
    return Activity.objects.create(title=title or kind.name, activity_type=kind, start=start,
                                   end=start + datetime.timedelta(hours=2), place="活动室", content="测试活动",
                                   owner_unit=unit)


def build_scheme(county, year=YEAR, title=None, status=Scheme.Status.PUBLISHED, town1=None):
    scheme = Scheme.objects.create(year=year, title=title or f"{year}年度统战工作考核细则", owner_unit=county,
                                   unit_types=[Unit.Type.TOWN], status=status)
    basic = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)
    extra = Indicator.objects.create(scheme=scheme, text="加分与个性事项", sort_order=2)

    def item(parent, text, **fields):
        return Indicator.objects.create(scheme=scheme, parent=parent, text=text, **fields)

    items = SimpleNamespace(
        basic=basic, extra=extra,
        plan=item(basic, "报送年度统战工作计划", sort_order=1, method=M.DONE, points=2,
                  deadline=datetime.date(year, 3, 31), evidence_required="年度工作计划文件"),
        lecture=item(basic, "每季度开展同心大讲堂", sort_order=2, method=M.DONE, points=4,
                     frequency=Frequency.QUARTER, deadline_days=10, deadline_anchor=Indicator.DeadlineAnchor.END,
                     metric_key="activities.held_of_type", metric_params={"activity_type": "同心大讲堂"},
                     rule_threshold=1),
        feature=item(basic, "统战工作特色亮点", sort_order=3, method=M.REVIEW, points=5, score_min=1),
        bonus=item(extra, "统战信息被上级采用", sort_order=1, method=M.BONUS, points=1, unit_points=D("0.5")),
        overseas=item(extra, "东溪镇侨务工作", sort_order=2, method=M.DONE, points=3,
                      applies_to=Indicator.Applicability.SPECIFIC),
    )
    if town1 is not None:
        items.overseas.units.set([town1])
    return scheme, items


def build(with_submissions=False):
    """The county, its users, the 2025 scheme, activities; with_submissions adds the progress fixture."""
    org = build_county()
    lecture_type, _ = ActivityType.objects.get_or_create(name="同心大讲堂")
    day_type, _ = ActivityType.objects.get_or_create(name="同心行活动日")
    scheme, items = build_scheme(org.county, town1=org.town1)
    ns = SimpleNamespace(
        org=org, scheme=scheme, items=items, lecture_type=lecture_type,
        county_staff=create_user("d_county", org.county, "county_staff", full_name="县部干部"),
        town1_user=create_user("d_town1", org.town1, "town_officer", full_name="东溪委员"),
        town2_user=create_user("d_town2", org.town2, "town_officer", full_name="西岭委员"),
        leader=create_user("d_leader", org.town1, "leader"),
        lecture_q1=activity(org.town1, at(YEAR, 3, 20), lecture_type, "东溪镇同心大讲堂第一讲"),
        lecture_q2=activity(org.town1, at(YEAR, 5, 10), lecture_type, "东溪镇同心大讲堂第二讲"),
        town2_activity=activity(org.town2, at(YEAR, 4, 2), day_type, "西岭镇同心行活动日"),
    )
    if with_submissions:
        add_progress_submissions(ns)
    return ns


def submission(ns, item, unit, key, status, **fields):
    obj = Submission.objects.create(indicator=item, owner_unit=unit, period_key=key, status=status,
                                    text=fields.pop("text", "已完成"), **fields)
    if status != Submission.Status.IN_PROGRESS:
        Submission.objects.filter(pk=obj.pk).update(submitted_at=timezone.now())
        obj.refresh_from_db()
        SubmissionStep.objects.create(submission=obj, action=SubmissionStep.Action.SUBMIT,
                                      status_after=Submission.Status.SUBMITTED)
    return obj


def add_progress_submissions(ns):
    """The submissions behind the hand-computed progress figures (see test_progress)."""
    S, items, org = Submission.Status, ns.items, ns.org
    submission(ns, items.plan, org.town1, "2025", S.PASSED)
    submission(ns, items.feature, org.town1, "2025", S.PASSED, score=D("4"))
    submission(ns, items.bonus, org.town1, "2025", S.PASSED, count=3)
    submission(ns, items.overseas, org.town1, "2025", S.SUBMITTED)
    submission(ns, items.plan, org.town2, "2025", S.RETURNED)
    submission(ns, items.feature, org.town2, "2025", S.IN_PROGRESS)
    submission(ns, items.lecture, org.town2, "2025-Q1", S.PASSED, text="线下开展，记录已补")


def grant(user, role_code):
    Grant.objects.create(user=user, role=Role.objects.get(code=role_code))
