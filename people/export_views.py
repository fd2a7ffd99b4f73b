"""The ledger's Excel export (the filtered list or a selection) and the blank import template.

GET `export/` takes the list page's filter parameters, or repeated `ids` for a selection (then the filter
is not applied: the selection is what the user ticked), and `full=1` for the unmasked export. A selection
may also be POSTed: the list's "导出所选" form can post straight here (many ids do not fit in a URL).

Only records in `visible_to(user, "export")` are written; selected ids outside it are dropped without a
word. The full export needs `view_sensitive` (else 403, audited as denied) and unmasks the rows inside the
user's `view_sensitive` scope. Every export is audited with its filter, row count and whether it was full;
the sheet's subtitle row says who exported, when, with what filter, and whether ID and phone numbers are
masked.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core import audit
from core.excel import export_filename, xlsx_response
from core.models import AuditEvent
from core.views import ScopedViewMixin

from .exports import LEDGER_TITLE, write_ledger, write_template
from .filtersets import PersonFilterSet
from .models import Person, Tag

MAX_SELECTION = 10000
TEMPLATE_FILENAME = "统战成员台账导入模板.xlsx"


def describe_filter(filterset):
    """The filter as the user chose it, {label: value} in Chinese (e.g. {"类别": "民主党派成员"})."""
    form = filterset.form
    described = {}
    for name, value in form.cleaned_data.items():
        if value in (None, "") or name not in form.fields:
            continue
        field = form.fields[name]
        if isinstance(value, models.Model):
            text = str(value)
        elif getattr(field, "choices", None) is not None:
            text = str(dict(field.choices).get(value, value))
        else:
            text = str(value)
        described[str(field.label or name)] = text
    return described


def selected_ids(params):
    ids = []
    for value in params.getlist("ids"):
        for part in value.split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return sorted(set(ids))[:MAX_SELECTION]


class PersonExportView(ScopedViewMixin, View):
    model = Person
    action = "export"

    def get(self, request, *args, **kwargs):
        return self.export(request, request.GET)

    def post(self, request, *args, **kwargs):
        return self.export(request, request.POST)

    def export(self, request, params):
        user = request.user
        full = params.get("full") == "1"
        if full and not user.has_action(Person, "view_sensitive"):
            audit.record(AuditEvent.Action.DENIED, success=False, object_type=Person._meta.label,
                         label="完整导出统战成员台账（无查看敏感信息权限）")
            raise PermissionDenied("您没有导出完整身份证号和联系电话的权限。")

        queryset = self.get_queryset()
        ids = selected_ids(params) if "ids" in params else None
        if ids is not None:
            queryset = queryset.filter(pk__in=ids)
            described = {"所选人员": f"{len(ids)}人"}
        else:
            filterset = PersonFilterSet(params, queryset=queryset, request=request)
            if not filterset.is_valid():
                problems = "；".join(
                    f"{filterset.form.fields[name].label if name in filterset.form.fields else name}：{'，'.join(errs)}"
                    for name, errs in filterset.form.errors.items()
                )
                messages.error(request, f"筛选条件有误，未导出：{problems}")
                return HttpResponseRedirect(reverse("people:person_list"))
            queryset = filterset.qs
            described = describe_filter(filterset)
        # Grouped by the unit keeping the records, as paper ledgers are; the order of entry inside a unit.
        queryset = queryset.order_by("owner_unit__path", "pk")

        reveal = None
        if full:
            sensitive = user.scope_for(Person, "view_sensitive")
            if not (sensitive.everything_ or sensitive == user.scope_for(Person, "export")):
                reveal = sensitive.q(Person.scope_unit_field, Person.scope_user_field)

        now = timezone.localtime()
        filter_text = "；".join(f"{k}={v}" for k, v in described.items()) or "无"
        subtitle = (
            f"导出人：{user}（{user.unit or '未设单位'}）　导出时间：{now:%Y-%m-%d %H:%M}　筛选条件：{filter_text}　"
            + ("含完整身份证号和联系电话，请妥善保管，不得外传" if full else "身份证号、联系电话已脱敏")
        )
        counted = {}

        def build(target):
            counted["rows"] = write_ledger(target, queryset, tags=Tag.objects.visible_to(user), masked=not full,
                                           reveal=reveal, title=LEDGER_TITLE, subtitle=subtitle)

        stem = f"{LEDGER_TITLE}（完整）" if full else LEDGER_TITLE
        response = xlsx_response(build, export_filename(stem))
        response["Cache-Control"] = "no-store"  # personal data: no copy in a browser or proxy cache
        changes = {"筛选条件": described, "行数": counted["rows"], "完整导出": full}
        if ids is not None:
            changes["人员编号"] = ids[:500]
        audit.record(
            AuditEvent.Action.EXPORT, object_type=Person._meta.label, changes=changes,
            label=f"{stem}（{counted['rows']}行）",
        )
        return response


class PersonTemplateView(ScopedViewMixin, View):
    """The blank import template (no personal data: category names and drop-down lists only)."""

    model = Person
    action = "import"

    def get(self, request, *args, **kwargs):
        return xlsx_response(write_template, TEMPLATE_FILENAME)
