"""Audited Excel exports: every download of business data (or of the audit log) as a sheet goes through
`export_xlsx`, written once.

    return export_xlsx(
        request, models=[Pairing], title=title, filename="联系覆盖率",
        headers=HEADERS, rows=([r.label, r.pairings, …] for r in rows), widths={"单位": 24},
        changes={"年度": year},
    )

It refuses (403, audited as denied) a user without the "export" action on every model of `models` — or, for the
admins' exports, without the separated admin role `admin_kind` — so the permission an export needs is written
where the export is, even when the view's mixin has checked it already. It writes the sheet streamed with
constant memory (core.excel), under a title and a subtitle row saying who exported, when, with what filter
(`filters`) and anything else the reader must know (`notes`: "身份证号、联系电话已脱敏"); it counts the rows of
the table (`rows`; an `appendix` below them — a second table, a note — is not counted); it records the EXPORT
event with the filter, the row count and the export's own `changes`; and it answers with the file, never kept in
a browser or proxy cache. A sheet with its own layout (the ledger, drop-downs) passes `write(target, title=,
subtitle=)` returning the row count instead of headers and rows.
"""

from django.core.exceptions import PermissionDenied
from django.db import models as db_models
from django.utils import timezone

from . import audit
from .excel import SheetWriter, export_filename, xlsx_response
from .models import AuditEvent


def may_export(user, models):
    """Whether `user` may download figures or documents drawn from the records of `models` (business models):
    they hold "export" on every one of those models they may view, and may view one. The read-only leader and
    the village liaison (no "export") may not."""
    viewable = [model for model in models if user.has_action(model, "view")]
    return bool(viewable) and all(user.has_action(model, "export") for model in viewable)


def deny_export(label, object_type=""):
    """Refuse an export (403), audited as denied: every export, refused ones too, is in the audit log."""
    audit.record(AuditEvent.Action.DENIED, success=False, object_type=object_type, label=f"{label}（无导出权限）"[:200])
    raise PermissionDenied


def describe_filter(filterset):
    """The filter of a valid `filterset` as the user chose it: {label: value} in Chinese ({"类别": "民主党派成员"})."""
    form = filterset.form
    described = {}
    for name, value in form.cleaned_data.items():
        if value in (None, "") or name not in form.fields:
            continue
        field = form.fields[name]
        if isinstance(value, db_models.Model):
            text = str(value)
        elif getattr(field, "choices", None) is not None:
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        described[str(field.label or name)] = text
    return described


def query_filters(params, ignored=("page",)):
    """The non-empty parameters of a query string, {name: value}: the filter of an export described as sent."""
    return {name: value for name, value in params.items() if value and name not in ignored}


def export_subtitle(user, filters=None, notes=()):
    """"导出人：张三（东溪镇）　导出时间：2026-03-01 09:30　筛选条件：类别=民主党派成员　…": the subtitle row."""
    parts = [f"导出人：{user}（{user.unit or '未设单位'}）", f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"]
    if filters is not None:
        parts.append("筛选条件：" + ("；".join(f"{name}={value}" for name, value in filters.items()) or "无"))
    parts.extend(note for note in notes if note)
    return "　".join(parts)


def export_xlsx(request, *, title, models=(), admin_kind="", headers=(), rows=(), appendix=(), write=None,
                filters=None, notes=(), filename="", sheet="", text_headers=(), widths=None, object_type="",
                obj=None, label="", changes=None):
    """The xlsx download of one export, audited (see the module docstring).

    title: the sheet's title row; filename: the file's stem (a timestamp is added; default the title);
    sheet: the sheet's name (default the stem). models / admin_kind: what the export requires. filters: the
    filter the rows were chosen by ({label: value}), in the subtitle and the audit event. object_type / obj:
    what the audit event names (default the first model); label: its label (default the title), followed by
    the row count. changes: more of the audit event's details.
    """
    user = request.user
    _require(user, models, admin_kind, title)
    subtitle = export_subtitle(user, filters, notes)
    counted = {}

    def build(target):
        if write is not None:
            counted["rows"] = write(target, title=title, subtitle=subtitle)
            return
        writer = SheetWriter(target, sheet or filename or title, headers, title=title, subtitle=subtitle,
                             text_columns=[i for i, h in enumerate(headers) if h in text_headers], widths=widths)
        for row in rows:
            writer.write_row(row)
        counted["rows"] = writer.count
        for row in appendix:
            writer.write_row(row)
        writer.close()

    response = xlsx_response(build, export_filename(filename or title))
    response["Cache-Control"] = "no-store"  # business or personal data: no copy in a browser or proxy cache
    details = {"筛选条件": filters} if filters is not None else {}
    details["行数"] = counted["rows"]
    details.update(changes or {})
    audit.record(
        AuditEvent.Action.EXPORT, obj=obj, object_type=object_type or (models[0]._meta.label if models else ""),
        label=f"{label or title}（{counted['rows']}行）", changes=details, request=request,
    )
    return response


def _require(user, models, admin_kind, title):
    if bool(models) == bool(admin_kind):
        raise ValueError("An export requires either business models (models=) or an admin role (admin_kind=).")
    if not (user.is_admin_of(admin_kind) if admin_kind else all(user.has_action(m, "export") for m in models)):
        deny_export(f"导出{title}", models[0]._meta.label if models else "")
