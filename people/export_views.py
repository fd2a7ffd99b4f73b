"""The ledger's Excel export (the filtered list or a selection) and the blank import template.

`export/` takes the list page's filter parameters, or repeated `ids` for a selection (then the filter is not
applied: the selection is what the user ticked). A GET writes the masked export; the list's "导出所选" form
POSTs a selection (many ids do not fit in a URL).

The full export (ID and phone numbers in clear) is a POST with `full=1` and the user's password typed again,
as for revealing one person: the list's "完整导出" opens `export/full/` (the filter as query string) and
"完整导出所选" posts the selection; both show what will be exported and ask for the password, then post it
with the filter or selection as hidden fields to `export/`. A GET never writes clear values: `full=1` on a
GET (a link, a bookmark, a forged request) leads to that confirmation page. A wrong password exports nothing
and is audited as a failed export. The full export needs `view_sensitive` (else 403, audited as denied) and
unmasks the rows inside the user's `view_sensitive` scope.

Only records in `visible_to(user, "export")` are written; selected ids outside it are dropped without a
word. Every export is audited with its filter, row count and whether it was full; the sheet's subtitle row
says who exported, when, with what filter, and whether ID and phone numbers are masked.
"""

from typing import NamedTuple
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from core import audit
from core.excel import xlsx_response
from core.exports import describe_filter, export_xlsx
from core.models import AuditEvent
from core.text import is_number
from core.views import ScopedViewMixin

from .exports import LEDGER_TITLE, write_ledger, write_template
from .filtersets import PersonFilterSet
from .forms import RevealForm
from .models import Person, Tag

MAX_SELECTION = 10000
TEMPLATE_FILENAME = "统战成员台账导入模板.xlsx"


def selected_ids(params):
    ids = []
    for value in params.getlist("ids"):
        for part in value.split(","):
            if is_number(part.strip()):
                ids.append(int(part))
    return sorted(set(ids))[:MAX_SELECTION]


# Query parameters of the list page that are not part of what is exported.
NOT_EXPORTED = ("csrfmiddlewaretoken", "password", "full", "page", "sort", "per_page")


class PersonExportView(ScopedViewMixin, View):
    model = Person
    action = "export"

    def get(self, request, *args, **kwargs):
        if request.GET.get("full") == "1":
            query = request.GET.copy()
            query.pop("full")
            return HttpResponseRedirect(f"{reverse('people:person_export_full')}?{query.urlencode()}")
        return self.export_masked(request, request.GET)

    def post(self, request, *args, **kwargs):
        params = request.POST
        confirming = params.get("full") == "1" and "password" in params
        if not confirming and "ids" not in params:  # the list's selection form, nothing ticked
            messages.warning(request, "请先勾选要导出的人员。")
            return HttpResponseRedirect(reverse("people:person_list"))
        if params.get("full") != "1":
            return self.export_masked(request, params)
        refuse_without_sensitive(request.user)
        chosen = chosen_people(request, self.get_queryset(), params)
        if chosen is None:
            return HttpResponseRedirect(reverse("people:person_list"))
        if "password" not in params:  # "完整导出所选" from the list: confirm first
            return confirm_full_export(request, chosen, params, RevealForm())
        form = RevealForm(params)
        if form.is_valid():
            if form.password_confirmed(request):
                return self.export(request, chosen, full=True)
            form.add_error("password", "密码不正确，未导出。")
        audit.record(
            AuditEvent.Action.EXPORT, success=False, object_type=Person._meta.label,
            label=f"{LEDGER_TITLE}（完整）：密码错误，未导出",
            changes={"筛选条件": chosen.described, "完整导出": True, "原因": "密码错误"},
        )
        return confirm_full_export(request, chosen, params, form)

    def export_masked(self, request, params):
        chosen = chosen_people(request, self.get_queryset(), params)
        if chosen is None:
            return HttpResponseRedirect(reverse("people:person_list"))
        return self.export(request, chosen, full=False)

    def export(self, request, chosen, full):
        user = request.user
        queryset, described, ids = chosen
        reveal = sensitive_rows(user) if full else None

        def write(target, title, subtitle):
            return write_ledger(target, queryset, tags=Tag.objects.visible_to(user), masked=not full, reveal=reveal,
                                title=title, subtitle=subtitle)

        stem = f"{LEDGER_TITLE}（完整）" if full else LEDGER_TITLE
        changes = {"完整导出": full}
        if ids is not None:
            changes["人员编号"] = ids[:500]
        return export_xlsx(
            request, models=[Person], title=LEDGER_TITLE, filename=stem, label=stem, write=write, filters=described,
            notes=["含完整身份证号和联系电话，请妥善保管，不得外传" if full else "身份证号、联系电话已脱敏"],
            changes=changes,
        )


class Chosen(NamedTuple):
    queryset: object
    described: dict
    ids: list | None


def chosen_people(request, queryset, params):
    """What `params` ask to export out of `queryset` (scoped): a selection (`ids`) or the list's filter, ordered
    as paper ledgers are. None (with a message for the user) when the filter is invalid."""
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
            return None
        queryset = filterset.qs
        described = describe_filter(filterset)
    # Grouped by the unit keeping the records, as paper ledgers are; the order of entry inside a unit.
    return Chosen(queryset.order_by("owner_unit__path", "pk"), described, ids)


def sensitive_rows(user):
    """A Q over Person: the rows of a full export written unmasked (those inside the user's `view_sensitive`
    scope), or None when that scope covers everything the user may export."""
    if Person.objects.scope_includes(user, "view_sensitive", "export"):
        return None
    return models.Q(pk__in=Person.objects.visible_to(user, "view_sensitive").values("pk"))


def refuse_without_sensitive(user):
    if not user.has_action(Person, "view_sensitive"):
        audit.record(AuditEvent.Action.DENIED, success=False, object_type=Person._meta.label,
                     label="完整导出统战成员台账（无查看敏感信息权限）")
        raise PermissionDenied("您没有导出完整身份证号和联系电话的权限。")


def confirm_full_export(request, chosen, params, form):
    """The page that asks for the password before a full export: what will be exported (`chosen`), how many
    people, and the form posting the password with the filter or selection (`params`, as hidden fields) to the
    export."""
    hidden = [(name, value) for name in params if name not in NOT_EXPORTED for value in params.getlist(name)]
    list_query = urlencode([(n, v) for n, v in hidden if n != "ids"])
    return render(request, "people/person_export_full.html", {
        "form": form, "hidden": hidden, "described": chosen.described, "count": chosen.queryset.count(),
        "selection": chosen.ids is not None, "partly_masked": sensitive_rows(request.user) is not None,
        "list_url": reverse("people:person_list") + (f"?{list_query}" if list_query else ""),
    })


class PersonFullExportView(ScopedViewMixin, View):
    """GET: the password page of the full export of the list's filter (the query string)."""

    model = Person
    action = "export"

    def get(self, request, *args, **kwargs):
        refuse_without_sensitive(request.user)
        chosen = chosen_people(request, self.get_queryset(), request.GET)
        if chosen is None:
            return HttpResponseRedirect(reverse("people:person_list"))
        return confirm_full_export(request, chosen, request.GET, RevealForm())


class PersonTemplateView(ScopedViewMixin, View):
    """The blank import template (no personal data: category names and drop-down lists only)."""

    model = Person
    action = "import"

    def get(self, request, *args, **kwargs):
        return xlsx_response(write_template, TEMPLATE_FILENAME)
