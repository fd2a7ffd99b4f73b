"""The web flow of the ledger import: upload → check in the background (progress bar) → preview with every
problem → confirm (imported in the background, checked again) → result. The error workbook can be
downloaded from the preview.

Permission: the role must grant `import` on Person (else 403); the target unit must be in the user's
import scope. A job (core.models.ImportJob) is shown to its creator only, and only while its unit is still
in their scope. The upload is kept in memory during the request (never a temporary file) and in the job
row until the job ends.
"""

import io
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.excel import xlsx_response
from core.forms import UnitChoiceField, style
from core.importing import ImportFileError, read_upload
from core.models import ImportJob
from core.views import reverse_or_none
from org.models import Unit

from .importers import LEDGER_MAX_BYTES, UPDATE_POLICIES, write_error_workbook
from .models import Person
from .tasks import KIND, check_ledger_import, run_ledger_import

PROBLEMS_PER_PAGE = 100
STAGES = {"read": "读取文件", "check": "检查数据", "write": "写入台账"}


class LedgerUploadHandler(FileUploadHandler):
    """Keeps an uploaded ledger in memory up to the size cap, so that nothing of it is written to disk
    (Django would spool anything above 2.5 MB to a temporary file). A bigger file is skipped and flagged."""

    def __init__(self, request=None, limit=None):
        super().__init__(request)
        self.limit = limit or LEDGER_MAX_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.buffer = io.BytesIO()
            if self.request is not None:
                self.request.ledger_upload_too_big = True
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name, content_type=self.content_type,
            size=file_size, charset=self.charset, content_type_extra=self.content_type_extra,
        )


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="台账文件", help_text=f"Excel 文件（.xlsx），不超过 {LEDGER_MAX_BYTES // (1024 * 1024)} MB",
        error_messages={"required": "请选择要导入的 Excel 文件", "empty": "文件是空的"},
        widget=forms.ClearableFileInput(attrs={
            "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}),
    )
    unit = UnitChoiceField(
        label="导入到单位", queryset=Unit.objects.none(),
        help_text="“所在村(社区)”列填写了下级村（社区）的行归入该村（社区），其余行归入所选单位",
        error_messages={"required": "请选择导入到哪个单位", "invalid_choice": "请选择您有权导入的单位"},
    )
    update = forms.ChoiceField(
        label="台账中已有的人员（按身份证号识别）", choices=list(UPDATE_POLICIES.items()), initial="fill",
        widget=forms.RadioSelect,
    )
    skip_invalid = forms.BooleanField(
        label="只导入无误的行", required=False,
        help_text="默认只要有一行有错误就全部不导入；勾选后跳过有错误的行，导入其余各行",
    )

    def __init__(self, *args, user, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        if too_big:  # the handler dropped the file: say why rather than "please choose a file"
            self.fields["file"].required = False
        units = Person.objects.units_in_scope(user, "import").filter(is_active=True).order_by("path")
        self.fields["unit"].queryset = units
        self.fields["unit"].widget.attrs["data-tom-select"] = ""
        if user.unit_id and units.filter(pk=user.unit_id).exists():
            self.fields["unit"].initial = user.unit_id
        style(self)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_big:
            raise ValidationError(too_big_message())
        try:
            self.data_bytes = read_upload(upload, max_bytes=LEDGER_MAX_BYTES)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        return upload


class ImportAccessMixin(AccessMixin):
    """Login, and a role granting `import` on Person (403 otherwise)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not request.user.has_action(Person, "import"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_job(self, pk, *, light=False):
        """The user's own job, with its unit still in their import scope; 404 for anything else. The upload
        itself is not loaded (`has_upload` tells whether it is still kept); `light` leaves out the result
        too (the progress poll)."""
        jobs = ImportJob.objects.select_related("unit").defer("data", *(["result"] if light else [])).annotate(
            has_upload=ExpressionWrapper(Q(data__isnull=False), output_field=BooleanField()))
        job = get_object_or_404(jobs, pk=pk, kind=KIND, user=self.request.user)
        if job.unit is None or not Person.objects.unit_in_scope(self.request.user, "import", job.unit):
            raise Http404
        return job


@method_decorator(csrf_exempt, name="dispatch")
class PersonImportView(ImportAccessMixin, View):
    """The upload page (with the blank template and the user's recent imports)."""

    template_name = "people/import_upload.html"

    def dispatch(self, request, *args, **kwargs):
        # The upload handlers must be set before anything reads the body, hence CSRF is checked here.
        if request.method == "POST":
            request.upload_handlers = [LedgerUploadHandler(request)]
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get(self, request):
        ImportJob.expire_stale()
        return self.render(LedgerUploadForm(user=request.user))

    def post(self, request):
        form = LedgerUploadForm(request.POST, request.FILES, user=request.user,
                                too_big=getattr(request, "ledger_upload_too_big", False))
        if not form.is_valid():
            return self.render(form, status=200)
        upload = form.cleaned_data["file"]
        data = form.data_bytes
        job = ImportJob.objects.create(
            kind=KIND, user=request.user, unit=form.cleaned_data["unit"], file_name=_file_name(upload.name),
            file_size=len(data), data=ImportJob.seal(data),
            options={"update": form.cleaned_data["update"], "skip_invalid": form.cleaned_data["skip_invalid"]},
        )
        check_ledger_import.enqueue(job.pk)
        return HttpResponseRedirect(reverse("people:person_import_job", kwargs={"pk": job.pk}))

    def render(self, form, status=200):
        jobs = ImportJob.objects.filter(kind=KIND, user=self.request.user).select_related("unit")[:10]
        return render(self.request, self.template_name, {
            "form": form, "jobs": jobs, "template_url": reverse_or_none("people:person_template"),
            "list_url": reverse("people:person_list"), "max_mb": LEDGER_MAX_BYTES // (1024 * 1024),
        }, status=status)


class PersonImportJobView(ImportAccessMixin, View):
    """A job: progress while it runs, the preview when checked (confirm / cancel), the outcome at the end."""

    template_name = "people/import_job.html"

    def get(self, request, pk):
        ImportJob.expire_stale()
        job = self.get_job(pk)
        return render(request, self.template_name, job_context(job, request))

    def post(self, request, pk):
        job = self.get_job(pk)
        action = request.POST.get("action")
        here = HttpResponseRedirect(reverse("people:person_import_job", kwargs={"pk": job.pk}))
        if action == "cancel":
            if job.status in (ImportJob.Status.QUEUED, ImportJob.Status.CHECKING, ImportJob.Status.CHECKED):
                job.set_status(ImportJob.Status.CANCELLED, expected=job.status)
                messages.info(request, "已取消本次导入，上传的文件已删除。")
            return here
        if action != "confirm":
            return here
        if job.status != ImportJob.Status.CHECKED:
            messages.error(request, "该导入已不在待确认状态。")
            return here
        options = dict(job.options or {})
        if request.POST.get("skip_invalid"):
            options["skip_invalid"] = True
        counts = (job.result or {}).get("counts", {})
        if counts.get("invalid_rows") and not options.get("skip_invalid"):
            messages.error(request, "文件中有错误的行：请下载错误报告修改后重新上传，或勾选“只导入无误的行”。")
            return here
        if not (counts.get("created") or counts.get("updated")) and not counts.get("invalid_rows"):
            job.set_status(ImportJob.Status.DONE, expected=ImportJob.Status.CHECKED, result=job.result)
            messages.info(request, "文件中没有需要新增或更新的人员，台账未作改动。")
            return here
        if job.set_status(ImportJob.Status.IMPORTING, expected=ImportJob.Status.CHECKED, options=options,
                          progress_done=0, progress_total=0):
            run_ledger_import.enqueue(job.pk)
        return here


class PersonImportStatusView(ImportAccessMixin, View):
    """The progress fragment the job page polls (htmx); once the job has moved on, the page reloads."""

    def get(self, request, pk):
        job = self.get_job(pk, light=True)
        response = render(request, "people/import_status.html", job_context(job, request, problems=False))
        if not job.is_running and request.htmx:
            response["HX-Refresh"] = "true"
        return response


class PersonImportErrorsView(ImportAccessMixin, View):
    """The uploaded sheet with the bad cells in red and a 错误说明 column, while the upload is still kept."""

    def get(self, request, pk):
        job = ImportJob.objects.get(pk=self.get_job(pk).pk)
        data = job.upload()
        problems = (job.result or {}).get("errors") or []
        if data is None or not problems:
            messages.error(request, "错误报告只能在确认导入之前下载（导入结束后上传的文件已删除）。")
            return HttpResponseRedirect(reverse("people:person_import_job", kwargs={"pk": job.pk}))
        stem = Path(job.file_name).stem or "台账"
        try:
            return xlsx_response(lambda target: write_error_workbook(data, problems, target), f"{stem}_错误报告.xlsx")
        except ImportFileError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("people:person_import_job", kwargs={"pk": job.pk}))


def too_big_message():
    return f"文件过大，台账文件不能超过 {LEDGER_MAX_BYTES // (1024 * 1024)} MB，请拆分后分批导入。"


def job_context(job, request, problems=True):
    result = (job.result or {}) if problems else {}
    counts = result.get("counts", {})
    context = {
        "job": job, "result": result, "counts": counts,
        "stage": STAGES.get(job.stage, ""),
        "update_label": UPDATE_POLICIES.get((job.options or {}).get("update", "fill"), ""),
        "skip_invalid": bool((job.options or {}).get("skip_invalid")),
        "import_url": reverse("people:person_import"), "list_url": reverse("people:person_list"),
        "status_url": reverse("people:person_import_status", kwargs={"pk": job.pk}),
        "errors_url": reverse("people:person_import_errors", kwargs={"pk": job.pk}),
        "has_upload": job.has_upload,
        "can_confirm": job.status == ImportJob.Status.CHECKED and bool(counts.get("created") or counts.get("updated")
                                                                     or counts.get("invalid_rows")),
    }
    if problems:
        paginator = Paginator(result.get("errors") or [], PROBLEMS_PER_PAGE)
        page = paginator.get_page(request.GET.get("page"))
        letters = result.get("columns") or {}
        rows = [(row, column, letters.get(column, ""), message) for row, column, message in page]
        context.update(problems=page, problem_rows=rows, errors_total=result.get("errors_total", 0),
                       errors_shown=len(result.get("errors") or []))
    return context


def _file_name(name):
    """The uploaded file's base name, for display and history ("Excel导入：花名册.xlsx")."""
    name = Path(str(name or "")).name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "台账.xlsx")[:200]
