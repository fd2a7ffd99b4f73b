"""Every URL of the duty lists and assessment (职责清单与考核) as every demo role, inside and outside their scope.

The scheme is the county's (its schemes, indicators and notices are not tagged: every assessed unit sees its
scheme's items on its own list). What belongs to a unit — its evidence, reminder letters, results — carries the
unit's placement tag.
"""

import datetime

from django.core.files.base import ContentFile

from accounts.testing import DemoRolesMatrixTestCase
from core.models import ImportJob
from core.security_testing import ACTION, ANYWHERE, FORM, Redirect, Target, admin, needs, post_only
from core.testing import docx_bytes
from duties.models import (
    FinalResult,
    Holiday,
    Indicator,
    Notice,
    ReminderLetter,
    Scheme,
    Submission,
    SubmissionAttachment,
)
from org.models import Unit
from people.models import Person

YEAR = 2025
UNIT_PLACES = ("village1", "town1", "member", "village2", "town2")


MATRIX = {
    # 考核细则: the county staff manage them; whoever may view schemes sees the county's.
    "duties:scheme_list": needs(Scheme, "view"),
    "duties:scheme_detail": needs(Scheme, "view", "scheme"),
    # The scheme's Excel, letters and notices as Word are exports: `export` (leader and village liaison: 403).
    "duties:scheme_export": needs(Scheme, "export", "scheme"),
    "duties:scheme_add": needs(Scheme, "manage", post=FORM),
    "duties:scheme_import": needs(Scheme, "manage", post=FORM),
    "duties:scheme_edit": needs(Scheme, "manage", "scheme", post=FORM),
    "duties:scheme_delete": needs(Scheme, "manage", "scheme", post=ACTION),
    "duties:scheme_publish": post_only(Scheme, "manage", "scheme"),
    "duties:scheme_copy": needs(Scheme, "manage", "scheme", post=FORM),
    # The scheme already has evidence: replacing its indicators is refused with a message.
    "duties:scheme_indicator_import": needs(Scheme, "manage", "scheme", post=FORM,
                                           post_ok=Redirect("duties:scheme_detail")),
    # An import job is its creator's alone: inside = the actor's own job, outside = another user's.
    "duties:scheme_import_job": needs(Scheme, "manage", "scheme_import_job", post=FORM,
                                      post_ok=Redirect("duties:scheme_import_job")),
    "duties:scheme_import_status": needs(Scheme, "manage", "scheme_import_job"),
    "duties:scheme_import_errors": needs(Scheme, "manage", "scheme_import_job",
                                         get=Redirect("duties:scheme_import_job")),
    "duties:scheme_indicator_import_job": needs(Scheme, "manage", "indicator_import_job", post=FORM,
                                                post_ok=Redirect("duties:scheme_indicator_import_job")),
    "duties:scheme_indicator_import_status": needs(Scheme, "manage", "indicator_import_job"),
    "duties:scheme_indicator_import_errors": needs(Scheme, "manage", "indicator_import_job",
                                                   get=Redirect("duties:scheme_indicator_import_job")),
    "duties:indicator_category_add": needs(Scheme, "manage", "scheme", post=FORM),
    "duties:indicator_item_add": needs(Scheme, "manage", "scheme", post=FORM),
    "duties:indicator_edit": needs(Scheme, "manage", "indicator", post=FORM),
    "duties:indicator_move": post_only(Scheme, "manage", "indicator"),
    "duties:indicator_delete": needs(Scheme, "manage", "indicator", post=ACTION),
    # The working-day calendar is configuration: the system administrator's.
    "duties:holiday_list": admin("system"),
    "duties:holiday_add": admin("system", post=FORM),
    "duties:holiday_reset": admin("system", get=405, post=ACTION),
    "duties:holiday_edit": admin("system", "holiday", post=FORM),
    "duties:holiday_delete": admin("system", "holiday", post=ACTION),
    # 据单督查: a unit's list and evidence for whoever may see the unit's submissions; saving needs add/change.
    "duties:unit_list": needs(Submission, "view", also=(needs(Submission, "view", "unit"),)),
    "duties:submission_start": needs(Submission, "view", "submission_start", post=ACTION, post_action="add"),
    # The fixture's evidence is submitted (no longer editable): an empty POST is refused with a message.
    "duties:submission_detail": needs(Submission, "view", "submission", post=FORM, post_action="change",
                                      post_ok=Redirect("duties:submission_detail")),
    "duties:submission_attachment": needs(Submission, "view", "submission_attachment"),
    "duties:submission_records": needs(Submission, "add", query={"q": "栾"}),
    "duties:review_queue": needs(Submission, "review"),
    "duties:review": needs(Submission, "review", "submission", post=FORM),
    "duties:progress": needs(Submission, "review"),
    "duties:progress_export": needs(Submission, ("review", "export")),
    # 发函提醒 and 通报: a letter is its addressee's; notices are the county's.
    "duties:reminderletter_list": needs(ReminderLetter, "view"),
    "duties:reminderletter_detail": needs(ReminderLetter, "view", "letter"),
    "duties:reminderletter_download": needs(ReminderLetter, "export", "letter"),
    "duties:reminderletter_issue": needs(ReminderLetter, "manage", post=FORM),
    "duties:notice_list": needs(Notice, "view"),
    "duties:notice_detail": needs(Notice, "view", "notice"),
    "duties:notice_download": needs(Notice, "export", "notice"),
    "duties:notice_issue": needs(Notice, "manage", post=FORM),
    # 考核结果: each unit's result is its own; exports need `export`.
    "duties:finalresult_list": needs(FinalResult, "view"),
    "duties:finalresult_finalise": post_only(FinalResult, "manage", post=FORM,
                                             post_ok=Redirect("duties:finalresult_list")),
    "duties:finalresult_commend": needs(FinalResult, "manage", "result", post=ACTION),
    "duties:finalresult_export": needs(FinalResult, "export"),
    "duties:finalresult_word": needs(FinalResult, "export"),
}


class DutiesUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "duties"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        county = places["county"].unit
        scheme = Scheme.objects.create(year=YEAR, title=f"{YEAR}年度统战工作考核细则", owner_unit=county,
                                       unit_types=[Unit.Type.TOWN, Unit.Type.VILLAGE, Unit.Type.MEMBER],
                                       status=Scheme.Status.PUBLISHED)
        category = Indicator.objects.create(scheme=scheme, text="基础工作", sort_order=1)
        reported = Indicator.objects.create(scheme=scheme, parent=category, text="报送年度工作计划", sort_order=1,
                                            points=2, deadline=datetime.date(YEAR, 3, 31))
        open_item = Indicator.objects.create(scheme=scheme, parent=category, text="统战工作特色亮点", sort_order=2,
                                             points=3)
        submissions, attachments, starts, letters, results = {}, {}, {}, {}, {}
        for name in UNIT_PLACES:
            place = places[name]
            Person.objects.create(name=place.tag, owner_unit=place.unit)
            submission = Submission.objects.create(indicator=reported, owner_unit=place.unit, period_key=str(YEAR),
                                                   status=Submission.Status.SUBMITTED, text=f"{place.tag}完成情况")
            attachment = SubmissionAttachment.objects.create(
                submission=submission, file=ContentFile(b"%PDF-1.4", name="e.pdf"), name=f"{place.tag}佐证.pdf",
                size=8)
            letter = ReminderLetter.objects.create(
                year=YEAR, number=len(letters) + 1, owner_unit=place.unit, scheme=scheme,
                deadline=datetime.date(YEAR, 12, 31), items_snapshot=[{"text": f"{place.tag}逾期事项"}],
                file=ContentFile(docx_bytes(f"{place.tag}提醒函"), name="letter.docx"))
            result = FinalResult.objects.create(scheme=scheme, owner_unit=place.unit, total=80, full_marks=100,
                                                rank=1, rank_group=place.unit.type, commended=True,
                                                commendation=f"{place.tag}表彰")
            submissions[name] = Target({"pk": submission.pk})
            attachments[name] = Target({"pk": submission.pk, "attachment": attachment.pk})
            starts[name] = Target({"indicator": open_item.pk, "unit": place.unit.pk, "period": str(YEAR)})
            letters[name] = Target({"pk": letter.pk})
            results[name] = Target({"pk": result.pk})
        notice = Notice.objects.create(year=YEAR, number=1, owner_unit=county, scheme=scheme, period_key=str(YEAR),
                                       title=f"关于{YEAR}年度职责清单落实情况的通报",
                                       file=ContentFile(docx_bytes("通报"), name="notice.docx"))
        holiday = Holiday.objects.create(date=datetime.date(YEAR + 1, 10, 8), name="测试假日")
        cls.scheme = scheme
        return {
            "scheme": {"county": Target({"pk": scheme.pk})},
            "indicator": {"county": Target({"pk": scheme.pk, "indicator": open_item.pk})},
            "submission": submissions, "submission_attachment": attachments, "submission_start": starts,
            "letter": letters, "result": results, "notice": {"county": Target({"pk": notice.pk})},
            "holiday": {ANYWHERE: Target({"pk": holiday.pk})},
            "unit": cls.unit_targets(places),
        }

    @classmethod
    def build_actor_targets(cls, actor, user):
        other = next(u for name, u in cls.users.items() if name != actor.name)
        targets = {}
        for kind, target, options in (("scheme_import_job", "duties.scheme", {"year": YEAR, "title": "导入"}),
                                      ("indicator_import_job", "duties.indicators", {"scheme": cls.scheme.pk})):
            inside = _job(user, target, options, cls.scheme.owner_unit) if user is not None else None
            targets[kind] = (inside, _job(other, target, options, cls.scheme.owner_unit))
        return targets


def _job(user, kind, options, unit):
    # Checked, its upload held (sealed) until the user confirms or cancels.
    job = ImportJob.objects.create(kind=kind, user=user, unit=unit,
                                   file_name="细则.xlsx", data=ImportJob.seal(b"PK"), options=options,
                                   status=ImportJob.Status.CHECKED, result={"counts": {}})
    return Target({"pk": job.pk})
