"""The common contract of core's view-test base (core.view_testing) for the duty-list models: schemes and their
indicators, submissions, reminder letters, notices, final results, and the holiday table. The flows of each
(publishing, review, issuing letters, finalising results) are tested in the other modules here."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accounts.testing import AdminViewTestData, CountyViewTestData
from core.models import AuditEvent
from core.view_testing import ViewTestCases
from duties import workdays
from duties.models import FinalResult, Holiday, Indicator, Notice, ReminderLetter, Scheme, Submission
from org.models import Unit

YEAR = 2026


def county_scheme(unit):
    """The county's published scheme of YEAR (one per county), which the documents below belong to."""
    county = Unit.objects.get_root(unit)
    scheme, _ = Scheme.objects.get_or_create(
        year=YEAR, title=f"{YEAR}年度统战工作考核细则",
        defaults={"owner_unit": county, "unit_types": [Unit.Type.TOWN, Unit.Type.VILLAGE],
                  "status": Scheme.Status.PUBLISHED})
    return scheme


def scheme_item(scheme):
    category, _ = Indicator.objects.get_or_create(scheme=scheme, parent=None, defaults={"text": "基础工作"})
    item, _ = Indicator.objects.get_or_create(scheme=scheme, parent=category,
                                              defaults={"text": "报送年度工作计划", "points": 2})
    return item


class SchemeViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    """Schemes are read with "view" and changed with "manage", which only county staff hold."""

    model = Scheme
    url_prefix = "duties:scheme"
    editor = "county_staff"
    route_actions = {"add": "manage", "edit": "manage", "delete": "manage"}
    # The import pages (upload, job, status, error workbook): the import framework's and the scheme import's tests.
    other_routes = ("import", "import_job", "import_status", "import_errors", "publish", "copy", "indicator_import",
                    "indicator_import_job", "indicator_import_status", "indicator_import_errors")
    route_names = {"export": "duties:scheme_export"}

    @classmethod
    def make_object(cls, unit):
        return Scheme.objects.create(year=YEAR, title=f"{unit.name}考核细则", owner_unit=unit,
                                     unit_types=[Unit.Type.VILLAGE], periods=["year"])

    def form_data(self, unit):
        return {"year": str(timezone.localdate().year), "title": "新建考核细则", "unit_types": [Unit.Type.TOWN],
                "units": [], "periods": ["quarter", "year"], "description": "按季度通报"}

    def edit_data(self, obj):
        return {"year": str(obj.year), "title": f"{obj.title}（修订）", "unit_types": [Unit.Type.TOWN],
                "units": [], "periods": ["year"], "description": "修订说明"}

    def url_kwargs(self, kind, obj=None):
        # The export is of one scheme (its indicators as Excel), not of the list.
        if kind == "export":
            return {"pk": self.inside.pk}
        return super().url_kwargs(kind, obj)

    def export_texts(self, obj):
        return [self.inside.title]

    def check_export(self, case, seen, hidden):
        # One scheme's export: the scheme the role sees is downloaded; one it must not reach is 404.
        if self.inside in seen:
            self.assertIn(self.inside.title, self.export_text())
        for obj in hidden:
            response = self.client.get(reverse("duties:scheme_export", kwargs={"pk": obj.pk}))
            self.assertStatus(response, 404, f"{case.name} export of {obj}")

    def test_export_objects(self):
        self.login(self.user)
        since = self.last_event_id()
        self.assertIn(self.inside.title, self.export_text())
        self.assertAudited(AuditEvent.Action.EXPORT, self.inside, self.user, since)


class IndicatorViewTests(CountyViewTestData, ViewTestCases.CreateObject, ViewTestCases.EditObject,
                         ViewTestCases.DeleteObject):
    """Indicators are edited on their scheme's page, with the scheme's "manage"."""

    model = Indicator
    url_prefix = "duties:indicator"
    editor = "county_staff"
    route_actions = {"add": "manage", "edit": "manage", "delete": "manage"}
    route_names = {"add": "duties:indicator_category_add"}
    other_routes = ("item_add", "move")
    refused_create_status = 404  # on the page of a scheme outside the scope

    @classmethod
    def make_object(cls, unit):
        scheme = SchemeViewTests.make_object(unit)
        return Indicator.objects.create(scheme=scheme, text=f"{unit.name}基础工作", sort_order=1)

    @classmethod
    def make_own_object(cls, user):
        indicator = cls.make_object(user.unit)
        Scheme.objects.filter(pk=indicator.scheme_id).update(created_by=user)
        return indicator

    def object_unit(self, obj):
        return obj.scheme.owner_unit

    def url_kwargs(self, kind, obj=None):
        return {"pk": obj.scheme_id, "indicator": obj.pk}

    def add_url(self, unit):
        scheme = Scheme.objects.filter(owner_unit=unit).first() or SchemeViewTests.make_object(unit)
        return reverse("duties:indicator_category_add", kwargs={"pk": scheme.pk})

    def form_data(self, unit):
        return {"text": "新增类别：宣传工作"}


class SubmissionViewTests(CountyViewTestData, ViewTestCases.GetObject):
    """A unit's evidence for one item and period; its form is on the detail page (tested in test_submissions)."""

    model = Submission
    url_prefix = "duties:submission"
    other_routes = ("start", "records", "attachment")

    @classmethod
    def make_object(cls, unit):
        item = scheme_item(county_scheme(unit))
        return Submission.objects.create(indicator=item, owner_unit=unit, period_key=str(YEAR),
                                         status=Submission.Status.SUBMITTED, text=f"{unit.name}已报送年度计划")

    def object_text(self, obj):
        return obj.text


class ReminderLetterViewTests(CountyViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects):
    """A letter is addressed to a unit (its owner_unit); issuing them is tested in test_letters."""

    model = ReminderLetter
    url_prefix = "duties:reminderletter"
    other_routes = ("issue", "download")

    @classmethod
    def make_object(cls, unit):
        return ReminderLetter.create_numbered(year=YEAR, scheme=county_scheme(unit), owner_unit=unit,
                                              deadline=datetime.date(YEAR, 10, 16))


class NoticeViewTests(CountyViewTestData, ViewTestCases.GetObject, ViewTestCases.ListObjects):
    model = Notice
    url_prefix = "duties:notice"
    other_routes = ("issue", "download")

    @classmethod
    def make_object(cls, unit):
        return Notice.create_numbered(year=YEAR, scheme=county_scheme(unit), owner_unit=unit, period_key=str(YEAR),
                                      title=f"{unit.name}工作进度通报")

    def object_text(self, obj):
        return obj.title


class FinalResultViewTests(CountyViewTestData, ViewTestCases.ListObjects, ViewTestCases.ExportObjects):
    """A unit's result of a scheme; finalising and commending are tested in test_results."""

    model = FinalResult
    url_prefix = "duties:finalresult"
    other_routes = ("finalise", "word", "commend")

    @classmethod
    def make_object(cls, unit):
        return FinalResult.objects.create(scheme=county_scheme(unit), owner_unit=unit, total=80, full_marks=100,
                                          rank=1, rank_group=unit.type, commended=True,
                                          commendation=f"{unit.name}工作突出")

    def object_text(self, obj):
        return obj.commendation


class HolidayViewTests(AdminViewTestData, ViewTestCases.ListObjects, ViewTestCases.CreateObject,
                       ViewTestCases.EditObject, ViewTestCases.DeleteObject):
    """The holiday table: the system administrator's (a configuration change is audited as such)."""

    model = Holiday
    url_prefix = "duties:holiday"
    admin_kind = "system"
    other_routes = ("reset",)
    audit_actions = {"add": AuditEvent.Action.CONFIG, "edit": AuditEvent.Action.CONFIG,
                     "delete": AuditEvent.Action.CONFIG}

    @classmethod
    def make_object(cls, unit):
        year = timezone.localdate().year
        workdays.ensure_year(year)  # as the first page of the year does: seeded, then edited
        return Holiday.objects.create(date=datetime.date(year, 12, 16), name="测试放假日")

    def object_text(self, obj):
        return obj.name

    def form_data(self, unit):
        return {"date": f"{timezone.localdate().year}-12-17", "name": "新增放假日"}

    def edit_data(self, obj):
        return {"date": f"{obj.date:%Y-%m-%d}", "name": "改名放假日"}
