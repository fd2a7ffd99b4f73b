"""The pages of every import, for any registered importer: upload → the job's page (progress while it runs, then
the preview with every problem by row and column, confirm / cancel, then the outcome) and the error workbook.
Each app mounts them with core.importing.urls.import_urls.

Permission: the importer's (`Importer.allows`, else 403); the unit chosen must be within its scope. A job
(core.models.ImportJob) is shown to its creator only, and only while the importer still lets them see it (its
unit in their scope): 404 otherwise. The upload is kept in memory during the request (never a temporary file)
and, sealed, in the job until the job ends.
"""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from core.excel import xlsx_response
from core.models import ImportJob

from . import ImportFileError, Problem
from .errors import write_error_workbook
from .forms import InMemoryUploadHandler, UploadForm
from .jobs import check_import, run_import

PROBLEMS_PER_PAGE = 100
PREVIEW_PER_PAGE = 100
STAGES = {"read": "读取文件", "check": "检查数据", "write": "写入数据"}
COUNT_LABELS = {
    "data_rows": ("数据行", "数据行"), "valid_rows": ("有效", "有效"), "created": ("将新增", "已新增"),
    "updated": ("将更新", "已更新"), "unchanged": ("无变化", "无变化"), "invalid_rows": ("错误（行）", "错误（行）"),
}


class ImportViewMixin(AccessMixin):
    """Sign-in, then the importer's permission (403); `importer` and the URL names' `prefix` come from
    core.importing.urls."""

    importer = None
    prefix = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.importer.allows(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def url(self, suffix="", **kwargs):
        namespace = self.request.resolver_match.namespace
        name = f"{self.prefix}{suffix}"
        return reverse(f"{namespace}:{name}" if namespace else name, kwargs=kwargs or None)

    def get_job(self, pk, *, light=False):
        """The user's own job of this importer, still visible to them; 404 for anything else. The upload is not
        loaded (`has_upload` tells whether it is still kept); `light` leaves out the result too (the poll)."""
        jobs = ImportJob.objects.select_related("unit").defer("data", *(["result"] if light else [])).annotate(
            has_upload=ExpressionWrapper(Q(data__isnull=False), output_field=BooleanField()))
        job = get_object_or_404(jobs, pk=pk, kind=self.importer.kind, user=self.request.user)
        if not self.importer.job_visible(self.request.user, job):
            raise Http404
        return job

    def job_url(self, job):
        return self.url("_job", pk=job.pk)


@method_decorator(csrf_exempt, name="dispatch")
class UploadView(ImportViewMixin, View):
    """The upload page: the form, the blank template, notes, and the user's recent imports of this kind."""

    template_name = "core/importing/upload.html"

    def dispatch(self, request, *args, **kwargs):
        # The upload handlers must be set before anything reads the body, hence CSRF is checked here.
        if request.method == "POST":
            request.upload_handlers = [InMemoryUploadHandler(request, limit=self.importer.max_bytes)]
        return csrf_protect(super().dispatch)(request, *args, **kwargs)

    def get(self, request, **kwargs):
        ImportJob.expire_stale()
        context = self.importer.upload_context(request, **kwargs)
        return self.render(context, self.forms(context))

    def post(self, request, **kwargs):
        importer = self.importer
        context = importer.upload_context(request, **kwargs)
        refusal = importer.refusal(context)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(importer.back_url(context) or self.url())
        form, options_form = self.forms(context, request.POST, request.FILES)
        if not (form.is_valid() and (options_form is None or options_form.is_valid())):
            return self.render(context, (form, options_form))
        options = importer.clean_options(options_form, context)
        if importer.allows_skip_invalid:
            options["skip_invalid"] = form.cleaned_data["skip_invalid"]
        data = form.data_bytes
        job = ImportJob.objects.create(
            kind=importer.kind, user=request.user,
            unit=form.cleaned_data["unit"] if importer.asks_unit else importer.job_unit(request, context),
            file_name=file_name(form.cleaned_data["file"].name), file_size=len(data), data=ImportJob.seal(data),
            options=options,
        )
        check_import.enqueue(job.pk)
        return HttpResponseRedirect(self.job_url(job))

    def forms(self, context, data=None, files=None):
        importer = self.importer
        too_big = getattr(self.request, "import_upload_too_big", False)
        form = UploadForm(data, files, importer=importer, user=self.request.user, too_big=too_big)
        return form, importer.make_options_form(data, context, self.request.user)

    def render(self, context, forms):
        importer = self.importer
        form, options_form = forms
        jobs = ImportJob.objects.filter(kind=importer.kind, user=self.request.user).select_related("unit")[:10]
        return render(self.request, self.template_name, {
            **context, "importer": importer, "form": form, "options_form": options_form, "jobs": jobs,
            "job_url_name": self.url_name("_job"), "refusal": importer.refusal(context),
            "template_url": reverse(importer.template_url_name) if importer.template_url_name else "",
            "back_url": importer.back_url(context), "breadcrumbs": importer.breadcrumbs(context),
            "column_help": [c for c in importer.columns if c.help], "upload_note": importer.upload_note(context),
        })

    def url_name(self, suffix):
        namespace = self.request.resolver_match.namespace
        return f"{namespace}:{self.prefix}{suffix}" if namespace else f"{self.prefix}{suffix}"


class JobView(ImportViewMixin, View):
    """A job: progress while it runs, the preview when checked (confirm / cancel), the outcome at the end."""

    template_name = "core/importing/job.html"

    def get(self, request, pk):
        ImportJob.expire_stale()
        job = self.get_job(pk)
        return render(request, self.template_name, job_context(self, job))

    def post(self, request, pk):
        job = self.get_job(pk)
        importer = self.importer
        action = request.POST.get("action")
        here = HttpResponseRedirect(self.job_url(job))
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
        if importer.allows_skip_invalid and request.POST.get("skip_invalid"):
            options["skip_invalid"] = True
        counts = (job.result or {}).get("counts", {})
        file_problems = counts.get("file_problems")
        if file_problems or counts.get("invalid_rows") and not options.get("skip_invalid"):
            hint = "，或勾选“只导入无误的行”" if importer.allows_skip_invalid and not file_problems else ""
            messages.error(request, f"文件中有错误的行：请下载错误报告修改后重新上传{hint}。")
            return here
        if not (counts.get("created") or counts.get("updated")) and not counts.get("invalid_rows"):
            job.set_status(ImportJob.Status.DONE, expected=ImportJob.Status.CHECKED, result=job.result)
            messages.info(request, f"文件中没有需要新增或更新的{importer.noun}，未作任何改动。")
            return here
        if job.set_status(ImportJob.Status.IMPORTING, expected=ImportJob.Status.CHECKED, options=options,
                          progress_done=0, progress_total=0):
            run_import.enqueue(job.pk)
        job = ImportJob.objects.only("status", "result").get(pk=job.pk)
        result = job.result or {}
        if job.status == ImportJob.Status.DONE and result.get("written") and importer.redirect_when_done:
            url, _ = importer.done_url(result)
            if url:  # finished already (a small file, or tasks run in the request): straight to what was imported
                messages.success(request, importer.done_message(job.file_name, result))
                return HttpResponseRedirect(url)
        return here


class StatusView(ImportViewMixin, View):
    """The progress fragment the job page polls (htmx); once the job has moved on, the page reloads."""

    def get(self, request, pk):
        job = self.get_job(pk, light=True)
        response = render(request, "core/importing/status.html", job_context(self, job, problems=False))
        if not job.is_running and request.htmx:
            response["HX-Refresh"] = "true"
        return response


class ErrorsView(ImportViewMixin, View):
    """The uploaded sheet with the bad cells in red and a 错误说明 column, while the upload is still kept."""

    def get(self, request, pk):
        job = ImportJob.objects.get(pk=self.get_job(pk).pk)
        data = job.upload()
        problems = (job.result or {}).get("errors") or []
        if data is None or not problems:
            messages.error(request, "错误报告只能在确认导入之前下载（导入结束后上传的文件已删除）。")
            return HttpResponseRedirect(self.job_url(job))
        stem = Path(job.file_name).stem or "导入"
        try:
            return xlsx_response(lambda target: write_error_workbook(self.importer, data, problems, target),
                                 f"{stem}_错误报告.xlsx")
        except ImportFileError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(self.job_url(job))


def job_context(view, job, problems=True):
    importer = view.importer
    result = (job.result or {}) if problems else {}
    counts = result.get("counts", {})
    options = job.options or {}
    target = importer.job_context(job)
    done = not result.get("dry_run", True)
    context = {**target,
        "job": job, "importer": importer, "result": result, "counts": counts, "stage": STAGES.get(job.stage, ""),
        "options": importer.describe_options(options), "skip_invalid": bool(options.get("skip_invalid")),
        "upload_url": importer.upload_url(target) or view.url(), "job_url": view.job_url(job),
        "status_url": view.url("_status", pk=job.pk), "errors_url": view.url("_errors", pk=job.pk),
        "has_upload": getattr(job, "has_upload", job.data is not None) if problems else False,
        "breadcrumbs": importer.breadcrumbs(target),
        "can_confirm": job.status == ImportJob.Status.CHECKED and not counts.get("file_problems")
        and (importer.allows_skip_invalid or not counts.get("invalid_rows"))
        and bool(counts.get("created") or counts.get("updated") or counts.get("invalid_rows")),
        "count_cards": [(COUNT_LABELS[key][done], counts.get(key, 0), key) for key in importer.counts_shown],
    }
    if result.get("written"):
        context["done_url"], context["done_label"] = importer.done_url(result)
    if problems:
        letters = result.get("columns") or {}
        paginator = Paginator(result.get("errors") or [], PROBLEMS_PER_PAGE)
        page = paginator.get_page(view.request.GET.get("page"))
        page.object_list = [_problem(row, column, message, letters) for row, column, message in page.object_list]
        preview = result.get("preview") or []
        context.update(
            problems=page, errors_total=result.get("errors_total", 0), errors_shown=len(result.get("errors") or []),
            entries=preview, preview_headers=[label for _, label in importer.preview_columns],
            preview_rows=[[entry.get(key, "") for key, _ in importer.preview_columns] for entry in preview],
            preview_total=result.get("preview_total", 0),
        )
    return context


def _problem(row, column, message, letters):
    problem = Problem(row, column, message)
    problem.letter = letters.get(column, "")
    return problem


def file_name(name):
    """The uploaded file's base name, for display, history and the audit ("Excel导入：花名册.xlsx")."""
    name = Path(str(name or "")).name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return (name or "导入.xlsx")[:200]
