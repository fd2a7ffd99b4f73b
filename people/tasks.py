"""Background tasks of the ledger import (django-tasks): the dry run behind the preview, and the import itself.

Both run `people.importers.import_ledger` on the bytes kept in the job (core.models.ImportJob), report
progress into the job and leave their outcome in `job.result`. The real import checks the file again
from scratch: the ledger may have changed since the preview.
"""

import logging

from django.db import IntegrityError
from django_tasks import task

from core.importing import ImportFileError
from core.models import ImportJob

from .importers import ImportDenied, import_ledger
from .lookups import LookupRefused

logger = logging.getLogger(__name__)

KIND = "people.person"
MAX_STORED_PROBLEMS = 50_000
INTERNAL_ERROR = "处理文件时发生内部错误，未写入任何数据。请稍后重试，或联系系统管理员。"
CONFLICT = "导入期间台账被其他操作修改（例如同时录入了相同的身份证号），未写入任何数据，请重新上传。"


@task()
def check_ledger_import(job_id: int):
    """The dry run: every problem and what an import would do, for the preview."""
    job = ImportJob.objects.select_related("unit", "user").filter(pk=job_id, kind=KIND).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return
    if job.set_status(ImportJob.Status.CHECKING, expected=ImportJob.Status.QUEUED, stage="read"):
        _run(job, dry_run=True)


@task()
def run_ledger_import(job_id: int):
    """The import confirmed on the preview page (the job is already marked "importing")."""
    job = ImportJob.objects.select_related("unit", "user").filter(pk=job_id, kind=KIND).first()
    if job is None or job.status != ImportJob.Status.IMPORTING:
        return
    _run(job, dry_run=False)


def _run(job, *, dry_run):
    running = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.IMPORTING
    data = job.upload()
    if data is None or job.unit is None or job.user is None:
        _finish(job, running, ImportJob.Status.FAILED, message="上传的文件已清除或单位、账号已不存在，请重新上传。")
        return
    options = job.options or {}
    try:
        result = import_ledger(
            data, job.file_name, job.unit, job.user, update=options.get("update", "fill"),
            skip_invalid=bool(options.get("skip_invalid")), dry_run=dry_run, progress=job.progress_reporter(),
        )
    except (ImportFileError, ImportDenied, LookupRefused) as exc:
        _finish(job, running, ImportJob.Status.FAILED, message=str(exc))
        return
    except IntegrityError:
        logger.warning("Ledger import %s conflicted with a concurrent change", job.pk, exc_info=True)
        _finish(job, running, ImportJob.Status.FAILED, message=CONFLICT)
        return
    except Exception:
        logger.exception("Ledger import %s failed", job.pk)
        _finish(job, running, ImportJob.Status.FAILED, message=INTERNAL_ERROR)
        raise
    stored = result_json(result)
    if dry_run:
        _finish(job, running, ImportJob.Status.CHECKED, result=stored)
    else:
        _finish(job, running, ImportJob.Status.DONE, result=stored)


def _finish(job, running, status, **fields):
    """Move the job on unless someone moved it meanwhile (e.g. cancelled the check)."""
    job.set_status(status, expected=running, **fields)


def result_json(result):
    """An ImportResult as kept in the job: counts, notices and the problems (capped)."""
    problems = [[p.row, p.column, p.message] for p in result.errors[:MAX_STORED_PROBLEMS]]
    return {
        "counts": result.counts(),
        "errors": problems,
        "errors_total": len(result.errors),
        "notices": list(result.notices),
        "sheet": result.sheet,
        "header_row": result.header_row,
        "columns": result.columns,
        "dry_run": result.dry_run,
        "written": result.written,
    }
