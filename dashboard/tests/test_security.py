"""Every URL of the dashboard, ledger health check and work report as every demo role, inside and outside."""


from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.testing import DemoRolesMatrixTestCase
from core import cache as figure_cache
from core.security_testing import ACTION, ANYWHERE, FORM, Target, needs
from core.testing import docx_bytes
from dashboard.models import ReportTemplate
from people.models import Person
from people.testing import birth_date, day_texts

MATRIX = {
    # Figures of the user's jurisdiction: whoever may view some business data; a unit outside it does not exist.
    "dashboard:index": needs(None, "view", also=(needs(None, "view", "unit"),)),
    "dashboard:screen": needs(None, "view", also=(needs(None, "view", "unit"),)),
    "dashboard:section": needs(None, "view", "section"),
    # Downloads of figures are exports: `export` (leader and village liaison: 403).
    "dashboard:export": needs(None, "export", "chart", also=(needs(
        None, "export", "chart_of_unit", overrides={"village0101": (403, 404), "official01": (403, 404)},
        why="the dashboard resolves the unit before the download right: a unit outside the jurisdiction is 404 "
            "for whoever may open the dashboard, as on dashboard:index, so the order tells them nothing new"),)),
    # 台账体检: the ledger's figures and fix list (names of people in scope).
    "dashboard:health": needs(Person, "view", also=(needs(
        Person, "view", "unit", overrides={"official01": (200, 200)},
        why="the health check drills into any unit under the user's top unit (their own unit for 仅本人), "
            "counting only their own records: unit names are not business data"),)),
    "dashboard:health_export": needs(Person, "export", also=(needs(Person, "export", "unit"),)),
    # The Word work report is an export; a unit outside the scope is refused by the form (400, no hint).
    "dashboard:report": needs(Person, "export", also=(needs(Person, "export", "report", outside=400),)),
    # The built-in template: for who may generate reports (an export) or manage the county's templates.
    "dashboard:report_template_default": needs(Person, "export"),
    # The county's report templates: county staff (may change the whole county's ledger).
    "dashboard:report_templates": needs(Person, "change", county_wide=True, post=FORM, post_ok=400),
    "dashboard:report_template_download": needs(Person, "change", "template", county_wide=True),
    "dashboard:report_template_activate": needs(Person, "change", "template", county_wide=True, get=405,
                                                post=ACTION),
    "dashboard:report_template_delete": needs(Person, "change", "template", county_wide=True, get=405,
                                              post=ACTION),
}


class DashboardUrlSecurityTests(DemoRolesMatrixTestCase):
    app = "dashboard"
    matrix = MATRIX

    @classmethod
    def build_targets(cls, places):
        birth_days = []
        for serial, place in enumerate(places.values(), start=1):
            # Without an ID number: the health check lists each of them by name.
            Person.objects.create(name=place.tag, owner_unit=place.unit, created_by=place.owner,
                                  birth_date=birth_date(serial))
            birth_days += day_texts(birth_date(serial))
        cls.secrets_without = {"view_sensitive": tuple(birth_days)}  # the day of birth is sensitive
        template = ReportTemplate.objects.create(
            name="县模板", unit=places["county"].unit, uploaded_by=cls.users["county_staff"],
            file=ContentFile(docx_bytes("{{ people_total }}"), name="template.docx"))
        # The data version exists before the walk, as in production: the figures one actor's pages share stay
        # cached from one URL to the next (and a cache keyed wrongly would show here as a leak).
        figure_cache.data_version()
        units = cls.unit_targets(places)
        year = timezone.localdate().year
        return {
            "unit": units,
            "section": {ANYWHERE: Target({"key": "duties"})},
            "chart": {ANYWHERE: Target({"key": "overview"})},
            "chart_of_unit": {name: Target({"key": "overview"}, t.query) for name, t in units.items()},
            "report": {name: Target(query={**t.query, "year": year}) for name, t in units.items()},
            "template": {ANYWHERE: Target({"pk": template.pk})},
        }


