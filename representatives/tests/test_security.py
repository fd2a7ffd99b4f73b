"""Every URL of the representatives (党外代表人士) as every demo role, inside and outside their scope."""

import datetime

from accounts.testing import DemoRolesMatrixTestCase
from core.security_testing import ACTION, FORM, Target, needs, post_only
from people.models import Person, Tag
from people.testing import birth_date, day_texts
from representatives.models import Assessment, Cultivation, Field, Level, Representative

MATRIX = {
    "representatives:representative_list": needs(Representative, "view"),
    "representatives:representative_export": needs(Representative, "export"),
    "representatives:representative_add": needs(Representative, "add", post=FORM),
    # A representative kept by a town whose ledger person has since moved to another town: the town sees
    # the representative, never the person's details (see build_targets).
    "representatives:representative_detail": needs(
        Representative, "view", "representative", also=(needs(Representative, "view", "moved_representative"),)),
    "representatives:representative_edit": needs(Representative, "change", "representative", post=FORM),
    "representatives:representative_delete": needs(Representative, "delete", "representative", post=ACTION),
    "representatives:candidate_autocomplete": needs(Person, "view", query={"q": "栾"}),
    "representatives:representative_stage": needs(Representative, "change", "representative", post=FORM),
    "representatives:cultivation_add": needs(Representative, "change", "representative", post=FORM),
    "representatives:cultivation_edit": needs(Representative, "change", "cultivation", post=FORM),
    "representatives:cultivation_done": post_only(Representative, "change", "cultivation"),
    "representatives:cultivation_delete": post_only(Representative, "change", "cultivation"),
    "representatives:assessment_add": needs(Representative, "change", "representative", post=FORM),
    "representatives:assessment_edit": needs(Representative, "change", "assessment", post=FORM),
    "representatives:assessment_delete": post_only(Representative, "change", "assessment"),
}


class RepresentativeUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "representatives"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        reps, cultivations, assessments = {}, {}, {}
        birth_days = []
        for serial, (name, place) in enumerate(places.items(), start=1):
            person = Person.objects.create(name=place.tag, owner_unit=place.unit, created_by=place.owner,
                                           workplace=f"{place.tag}公司", birth_date=birth_date(serial))
            birth_days += day_texts(birth_date(serial))
            person.tags.add(Tag.objects.create(name=f"{place.tag}标签", owner_unit=place.unit,
                                                   created_by=place.owner))
            Person.objects.create(name=f"{place.tag}候选", owner_unit=place.unit, created_by=place.owner)
            rep = Representative.objects.create(person=person, owner_unit=place.unit, created_by=place.owner,
                                                level=Level.TOWN, field=Field.NON_PARTY, notes=f"{place.tag}备注")
            cultivation = Cultivation.objects.create(representative=rep, kind=Cultivation.Kind.TRAINING,
                                                     title=f"{place.tag}培训", start_date=datetime.date(2025, 3, 1))
            assessment = Assessment.objects.create(representative=rep, year=2025, grade=Assessment.Grade.EXCELLENT,
                                                   notes=f"{place.tag}考核")
            reps[name] = Target({"pk": rep.pk})
            cultivations[name] = Target({"pk": rep.pk, "record": cultivation.pk})
            assessments[name] = Target({"pk": rep.pk, "record": assessment.pk})
        # The day of birth is sensitive (the representative's detail and export show the month only).
        cls.secrets_without = {"view_sensitive": tuple(birth_days)}
        # The town1 representative's person now lives in village2: the name is the representative's (town1
        # sees it), the person's details carry village2's tag.
        moved_person = Person.objects.create(name="调出人员", owner_unit=places["village2"].unit,
                                             workplace=f"{places['village2'].tag}工厂", phone="13900001234")
        moved = Representative.objects.create(person=moved_person, owner_unit=places["town1"].unit,
                                              level=Level.TOWN, field=Field.NON_PARTY)
        return {"representative": reps, "cultivation": cultivations, "assessment": assessments,
                "moved_representative": {"town1": Target({"pk": moved.pk})}}
