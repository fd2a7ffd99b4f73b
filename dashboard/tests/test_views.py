"""The common contract of core's view-test base (core.view_testing) for the work-report templates: the county's
wording of its reports, managed by whoever may change the whole county's ledger (county staff). The template's
checks and its use are tested in test_report."""

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.testing import CountyViewTestData
from core import word
from core.models import AuditEvent
from core.view_testing import ViewTestCases
from dashboard import reports
from dashboard.models import ReportTemplate
from org.models import Unit


def template_file():
    return SimpleUploadedFile("模板.docx", reports.DEFAULT_TEMPLATE.read_bytes(), content_type=word.DOCX_CONTENT_TYPE)


class ReportTemplateViewTests(CountyViewTestData, ViewTestCases.ListObjects, ViewTestCases.CreateObject,
                              ViewTestCases.DeleteObject):
    model = ReportTemplate
    url_prefix = "dashboard:report_template"
    # The upload form is on the list page.
    route_names = {"list": "dashboard:report_templates", "add": "dashboard:report_templates"}
    other_routes = ("activate", "download", "default")
    editor = "county_staff"
    role_sees = {"pairing_official": ()}  # a template is the county's, nobody's own
    route_actions = {"list": "county_wide", "add": "county_wide", "delete": "county_wide"}
    audit_actions = {"add": AuditEvent.Action.CONFIG, "delete": AuditEvent.Action.CONFIG}
    validation_excluded_fields = ("file",)  # stored under the upload directory
    delete_confirm_page = False  # confirmed in the browser

    @classmethod
    def make_object(cls, unit):
        # A county's template, whichever unit asks: templates belong to the county (the root unit).
        return ReportTemplate.objects.create(name=f"{unit.name}汇报模板", unit=Unit.objects.get_root(unit),
                                             file=template_file())

    def object_text(self, obj):
        return obj.name

    def form_data(self, unit):
        return {"name": "县委统战部年度汇报模板", "file": template_file(), "notes": "年终汇报", "activate": "on"}
