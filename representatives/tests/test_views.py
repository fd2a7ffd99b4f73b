import datetime
import itertools

from django.test import TestCase
from django.urls import reverse

from accounts.testing import CountyViewTestData, create_user
from core.models import AuditEvent
from core.view_testing import ViewTestCases
from org.testing import build_county
from people.models import Person
from people.testing import check_digit
from representatives.models import Assessment, Cultivation, Field, Kind, Level, Representative, Stage, StageChange

NAMES = {"东溪村": "陈东溪", "西岭村": "周西岭", "东溪镇": "吴东镇", "西岭镇": "郑西镇", "测试县": "冯县城"}
_serial = itertools.count(1)


def make_person(unit, name=None, **fields):
    n = next(_serial)
    first17 = f"330998{(datetime.date(1960, 1, 1) + datetime.timedelta(days=n)):%Y%m%d}600"
    fields.setdefault("id_number", first17 + check_digit(first17))
    fields.setdefault("phone", f"136{n:08d}")
    return Person.objects.create(name=name or NAMES.get(unit.name, "孙测试"), owner_unit=unit, **fields)


def make_rep(unit, name=None, *, level=Level.TOWN, stage=Stage.DISCOVERED, stage_date=None, person=None, **fields):
    """A representative (with its 发现 step) of a new person in `unit`."""
    person = person or make_person(unit, name)
    stage_date = stage_date or datetime.date(2024, 1, 10)
    rep = Representative.objects.create(
        person=person, owner_unit=unit, level=level, field=fields.pop("field", Field.NON_PARTY),
        kind=fields.pop("kind", Kind.OTHER), stage=stage, stage_date=stage_date, **fields,
    )
    StageChange.objects.create(representative=rep, stage=Stage.DISCOVERED, level=level,
                               date=datetime.date(2024, 1, 10), reason="工作中发现")
    return rep


def create_data(person, unit, **overrides):
    data = {"person": person.pk, "level": Level.TOWN, "field": Field.INTELLECTUAL, "kind": Kind.OTHER,
            "owner_unit": unit.pk, "notes": "", "date": "2025-03-01", "reason": "镇党委推荐"}
    data.update(overrides)
    return data


class RepresentativeViewTests(CountyViewTestData, ViewTestCases.PrimaryObject):
    """The common contract of core's view-test base, for representatives."""

    model = Representative
    url_prefix = "representatives:representative"
    other_routes = ("stage",)

    @classmethod
    def make_object(cls, unit):
        return make_rep(unit)

    def form_data(self, unit):
        # The person must be one the user may pick: for the pairing official (仅本人), one they entered.
        return create_data(make_person(unit, "钱新人", created_by=self.acting_user), unit)

    def edit_data(self, obj):
        # The person of a representative is fixed once chosen; the profile changes.
        return create_data(obj.person, obj.owner_unit, level=Level.COUNTY, field=Field.RELIGIOUS, notes="调整层级")


class RecordViewTests(CountyViewTestData, ViewTestCases.CreateObject, ViewTestCases.EditObject,
                      ViewTestCases.DeleteObject):
    """A representative's cultivations and assessments: kept on the representative's page with "change" on it, and
    audited as updates of the representative."""

    route_actions = {"add": "change", "delete": "change"}
    audit_actions = {"add": AuditEvent.Action.UPDATE, "edit": AuditEvent.Action.UPDATE,
                     "delete": AuditEvent.Action.UPDATE}
    delete_confirm_page = False  # confirmed in the browser
    refused_create_status = 404  # on a representative outside the scope

    @classmethod
    def make_record(cls, rep):
        raise NotImplementedError

    @classmethod
    def make_object(cls, unit):
        return cls.make_record(make_rep(unit))

    @classmethod
    def make_own_object(cls, user):
        return cls.make_record(make_rep(user.unit, "孙本人", created_by=user))

    def object_unit(self, obj):
        return obj.representative.owner_unit

    def audit_object(self, obj):
        return obj.representative

    def url_kwargs(self, kind, obj=None):
        return {"pk": obj.representative_id, "record": obj.pk}

    def add_url(self, unit):
        rep = make_rep(unit, "钱培养", created_by=self.owner_at(unit))
        return reverse(self.route_name("add"), kwargs={"pk": rep.pk})

    def assert_changes_audited(self, event, changed, data):
        key = f"修改{self.model._meta.verbose_name}"
        self.assertLessEqual(changed, set(event.changes[key]), f"audited changes {event.changes}")


class CultivationViewTests(RecordViewTests):
    model = Cultivation
    url_prefix = "representatives:cultivation"
    other_routes = ("done",)

    @classmethod
    def make_record(cls, rep):
        return Cultivation.objects.create(representative=rep, kind=Cultivation.Kind.TRAINING,
                                          title=f"{rep.owner_unit.name}骨干培训班")

    def form_data(self, unit):
        return {"kind": Cultivation.Kind.SECONDMENT, "status": Cultivation.Status.PLANNED, "title": "挂职锻炼一年",
                "organiser": "县委组织部", "start_date": "2025-03-01", "end_date": "", "notes": ""}


class AssessmentViewTests(RecordViewTests):
    model = Assessment
    url_prefix = "representatives:assessment"

    @classmethod
    def make_record(cls, rep):
        return Assessment.objects.create(representative=rep, year=2023, grade=Assessment.Grade.COMPETENT,
                                         notes=f"{rep.owner_unit.name}考核")

    def form_data(self, unit):
        return {"year": "2024", "grade": Assessment.Grade.EXCELLENT, "notes": "表现突出"}


class RepresentativesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.org = build_county()
        cls.county_staff = create_user("c_staff", cls.org.county, "county_staff")
        cls.town1_user = create_user("town01", cls.org.town1, "town_officer")
        cls.town2_user = create_user("town02", cls.org.town2, "town_officer")
        cls.liaison = create_user("village0101", cls.org.village1, "village_liaison")
        cls.leader = create_user("c_leader", cls.org.county, "leader")

    def setUp(self):
        self.rep1 = make_rep(self.org.village1, "陈东溪")
        self.rep2 = make_rep(self.org.village2, "周西岭")
