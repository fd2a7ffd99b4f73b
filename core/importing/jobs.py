"""Background tasks of every import (django-tasks): the dry run behind the preview, and the import itself.

Both run the importer registered as the job's kind (core.importing.framework) on the upload kept in the job
(core.models.ImportJob, sealed), report progress into the job and leave their outcome in `job.result`. The
import checks the file again from scratch: the data may have changed since the preview.
"""

import logging

from django.db import IntegrityError
from django_tasks import task

from core.lookups import LookupRefused
from core.models import ImportJob

from . import ImportFileError
from .framework import ImportRefused, importer_for

logger = logging.getLogger(__name__)

MAX_STORED_PROBLEMS = 50_000
INTERNAL_ERROR = "处理文件时发生内部错误，未写入任何数据。请稍后重试，或联系系统管理员。"
GONE = "上传的文件已清除或单位、账号已不存在，请重新上传。"


@task()
def check_import(job_id: int):
    """The dry run: every problem and what an import would do, for the preview."""
    job = ImportJob.objects.select_related("unit", "user").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return
    if job.set_status(ImportJob.Status.CHECKING, expected=ImportJob.Status.QUEUED, stage="read"):
        run_job(job, dry_run=True)


@task()
def run_import(job_id: int):
    """The import confirmed on the preview page (the job is already marked "importing")."""
    job = ImportJob.objects.select_related("unit", "user").filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.IMPORTING:
        return
    run_job(job, dry_run=False)


def run_job(job, *, dry_run):
    running = ImportJob.Status.CHECKING if dry_run else ImportJob.Status.IMPORTING
    importer = importer_for(job.kind)
    data = job.upload()
    if data is None or job.user is None or (importer.asks_unit and job.unit is None):
        job.set_status(ImportJob.Status.FAILED, expected=running, message=GONE)
        return
    options = dict(job.options or {})
    skip_invalid = bool(options.pop("skip_invalid", False))
    try:
        run = importer(user=job.user, unit=job.unit, options=options, file_name=job.file_name, dry_run=dry_run,
                       skip_invalid=skip_invalid, progress=job.progress_reporter())
        result = run.run(data)
    except (ImportFileError, ImportRefused, LookupRefused) as exc:
        job.set_status(ImportJob.Status.FAILED, expected=running, message=str(exc))
        return
    except IntegrityError:
        logger.warning("Import job %s (%s) conflicted with a concurrent change", job.pk, job.kind, exc_info=True)
        job.set_status(ImportJob.Status.FAILED, expected=running, message=importer.conflict_message)
        return
    except Exception:
        logger.exception("Import job %s (%s) failed", job.pk, job.kind)
        job.set_status(ImportJob.Status.FAILED, expected=running, message=INTERNAL_ERROR)
        raise
    status = ImportJob.Status.CHECKED if dry_run else ImportJob.Status.DONE
    # Moves on unless someone moved the job meanwhile (e.g. cancelled the check).
    job.set_status(status, expected=running, result=result_json(result))


def result_json(result):
    """An ImportResult as kept in the job: counts, notices, the problems (capped), the preview and the summary."""
    return {
        "counts": result.counts(),
        "errors": [[p.row, p.column, p.message] for p in result.errors[:MAX_STORED_PROBLEMS]],
        "errors_total": len(result.errors),
        "notices": list(result.notices),
        "sheet": result.sheet,
        "header_row": result.header_row,
        "columns": result.columns,
        "summary": result.summary,
        "preview": result.preview,
        "preview_total": result.preview_total,
        "outcome": result.outcome,
        "dry_run": result.dry_run,
        "written": result.written,
    }
