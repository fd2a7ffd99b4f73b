"""Pages of the work report (工作汇报一键生成) and of the county's report templates."""

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View

from core import audit, word
from core.cache import business_models
from core.exports import deny_export, may_export
from core.models import AuditEvent
from org.services import county_of

from . import reports
from .forms import ReportForm, ReportTemplateForm
from .jurisdiction import ledger_model
from .models import ReportTemplate


def may_report(user):
    """Whether `user` may generate work reports: a report is an export of the figures of the ledger,
    representatives, pairings, activities and duty lists, so it needs "export" on their records
    (core.views.may_export) — the read-only leader and the village liaison may not."""
    if not user.is_authenticated:
        return False
    apps = reports.report_apps()
    return may_export(user, [m for m in business_models() if m._meta.app_label in apps])


def may_manage_templates(user):
    """Business staff who may change the whole county's ledger (统战部干部): the template is the county's
    report wording, business content like the report itself. A town officer may not; nor may the separated
    admin roles, whose pages business users never reach (三员分立)."""
    if not user.is_authenticated:
        return False
    county = county_of(user)
    return county is not None and ledger_model().objects.unit_in_scope(user, "change", county)


def placeholder_rows():
    """[(names, description)] of reports.PLACEHOLDERS, a headline figure's NAME_prev and NAME_trend beside NAME."""
    rows = []
    for name, description in reports.PLACEHOLDERS.items():
        base = name.removesuffix("_prev").removesuffix("_trend")
        if base != name and base in reports.PLACEHOLDERS:
            continue
        names = [name]
        if f"{name}_trend" in reports.PLACEHOLDERS:
            names += [f"{name}_prev", f"{name}_trend"]
            description += "；加 _prev 为上一期间的数字，加 _trend 为与上一期间相比的变化（如“增长12.5%”“下降3%”“持平”"
            description += "，比率为“上升2.5个百分点”）" if any(f.rate for f in reports.FIGURES + reports.DUTY_FIGURES
                                                         if f.name == name) else "）"
        rows.append((names, description))
    return rows


class ReportView(AccessMixin, View):
    """Choose a unit and a period; a valid choice downloads the report (.docx), its figures counted over the
    records the user may export. Audited, refusals too."""

    template_name = "dashboard/report.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_report(request.user):
            deny_export("工作汇报", "dashboard.report")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        user = request.user
        bound = "unit" in request.GET or "year" in request.GET
        form = ReportForm(request.GET if bound else None, user=user)
        if bound and form.is_valid():
            unit, period = form.cleaned_data["unit"], form.cleaned_data["period"]
            try:
                data = reports.generate(unit, period, user=user, action="export")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                audit.record(AuditEvent.Action.EXPORT, object_type="dashboard.report",
                             label=f"工作汇报：{unit.name}{period.label}",
                             changes={"单位": unit.name, "期间": period.label})
                return word.docx_response(data, reports.filename(unit, period))
        county = county_of(user)
        active = reports.active_template(county) if county is not None else None
        return render(request, self.template_name, {
            "form": form, "active_template": active, "placeholders": placeholder_rows(),
            "can_manage": may_manage_templates(user), "has_duties": bool(reports.duty_metrics()),
        }, status=400 if bound and not form.is_valid() else 200)


class TemplateManagerMixin(AccessMixin):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not may_manage_templates(request.user):
            raise PermissionDenied
        self.county = county_of(request.user)
        if self.county is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def templates(self):
        return ReportTemplate.objects.filter(unit=self.county).select_related("uploaded_by")

    def get_template(self, pk):
        return get_object_or_404(self.templates(), pk=pk)


class TemplateListView(TemplateManagerMixin, View):
    """The county's templates, the upload form and the documentation of the placeholders."""

    template_name = "dashboard/report_templates.html"

    def get(self, request, form=None):
        return render(request, self.template_name, {
            "form": form or ReportTemplateForm(), "templates": self.templates(), "county": self.county,
            "placeholders": placeholder_rows(), "can_report": may_report(request.user),
        }, status=400 if form is not None else 200)

    def post(self, request):
        form = ReportTemplateForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form)
        with transaction.atomic():
            template = form.save(commit=False)
            template.unit = self.county
            template.uploaded_by = request.user
            if form.cleaned_data["activate"]:
                self.templates().filter(is_active=True).update(is_active=False)
                template.is_active = True
            template.save()
            audit.record(AuditEvent.Action.CONFIG, obj=template,
                         changes={"操作": "上传工作汇报模板", "启用": template.is_active})
        messages.success(request, f"已上传模板“{template.name}”" + ("并启用。" if template.is_active else "。"))
        return HttpResponseRedirect(reverse("dashboard:report_templates"))


class TemplateActivateView(TemplateManagerMixin, View):
    """POST: switch a template on (the county's other templates off) or off (back to the built-in one)."""

    def post(self, request, pk):
        template = self.get_template(pk)
        with transaction.atomic():
            if template.is_active:
                template.is_active = False
                template.save(update_fields=["is_active"])
                message = f"已停用模板“{template.name}”，将使用系统默认模板。"
            else:
                self.templates().filter(is_active=True).update(is_active=False)
                template.is_active = True
                template.save(update_fields=["is_active"])
                message = f"已启用模板“{template.name}”。"
            audit.record(AuditEvent.Action.CONFIG, obj=template,
                         changes={"操作": "启用工作汇报模板" if template.is_active else "停用工作汇报模板"})
        messages.success(request, message)
        return HttpResponseRedirect(reverse("dashboard:report_templates"))


class TemplateDeleteView(TemplateManagerMixin, View):
    def post(self, request, pk):
        template = self.get_template(pk)
        name = template.name
        with transaction.atomic():
            audit.record(AuditEvent.Action.CONFIG, obj=template, changes={"操作": "删除工作汇报模板"})
            template.file.delete(save=False)
            template.delete()
        messages.success(request, f"已删除模板“{name}”。")
        return HttpResponseRedirect(reverse("dashboard:report_templates"))


class TemplateDownloadView(TemplateManagerMixin, View):
    def get(self, request, pk):
        template = self.get_template(pk)
        try:
            handle = template.file.open("rb")
        except (FileNotFoundError, OSError):
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=f"{template.name}.docx",
                            content_type=word.DOCX_CONTENT_TYPE)


class DefaultTemplateDownloadView(AccessMixin, View):
    """The built-in template, as a starting point for a county's own (anyone who may report or manage)."""

    def get(self, request):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not (may_report(user) or may_manage_templates(user)):
            raise PermissionDenied
        return FileResponse(reports.DEFAULT_TEMPLATE.open("rb"), as_attachment=True, filename="工作汇报默认模板.docx",
                            content_type=word.DOCX_CONTENT_TYPE)
