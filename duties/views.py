"""The scheme pages (考核细则) of county staff, and the holiday pages (节假日) of the system administrator.

Schemes are read with the "view" action (each through `Scheme.objects.visible_to`) and changed with the
custom "manage" action, which only county staff hold (accounts/roles.py): a town officer gets 403 on every
page that changes a scheme, and sees no scheme of the county in the list. Every change is audited.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Count, DecimalField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from core import audit
from core.exports import export_xlsx
from core.models import AuditEvent
from core.text import is_number
from core.views import ObjectDetailView, ObjectListView, ScopedViewMixin, SystemAdminRequiredMixin
from org.models import Unit
from org.services import county_of

from . import exports, workdays
from .filtersets import SchemeFilterSet
from .forms import CategoryForm, CopyForm, HolidayForm, ItemForm, SchemeForm
from .models import CalendarYear, Holiday, Indicator, Scheme, Submission, replace_year_in_title
from .periods import ReportingPeriod
from .tables import SchemeTable

SCHEME_FIELDS = ["year", "title", "unit_types", "periods", "description", "status"]
ITEM_FIELDS = [f for f in ItemForm.Meta.fields if f != "units"]
CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (category numbering, up to 99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    return f"{CHINESE_DIGITS[tens] if tens > 1 else ''}十{CHINESE_DIGITS[ones] if ones else ''}"


# --- access --------------------------------------------------------------------------------------------------

class SchemeAccessMixin(ScopedViewMixin):
    """Sign-in required, then the action on Scheme (403 otherwise); schemes outside the scope are 404."""

    model = Scheme
    action = "manage"

    def schemes(self):
        return self.get_queryset()

    def get_scheme(self):
        if not hasattr(self, "_scheme"):
            self._scheme = get_object_or_404(self.schemes().select_related("owner_unit"), pk=self.kwargs["pk"])
        return self._scheme

    def get_indicator(self):
        return get_object_or_404(Indicator, pk=self.kwargs["indicator"], scheme=self.get_scheme())


def has_submissions(scheme):
    return Submission.objects.filter(indicator__scheme=scheme).exists()


def scheme_tree(scheme):
    """[(number, category, [(number, item)])] in display order."""
    items = {}
    for item in scheme.items().prefetch_related("units"):
        items.setdefault(item.parent_id, []).append(item)
    tree = []
    for i, category in enumerate(scheme.categories(), start=1):
        children = [(f"{i}.{j}", item) for j, item in enumerate(items.get(category.pk, []), start=1)]
        tree.append((chinese_number(i), category, children))
    return tree


# --- list and detail -----------------------------------------------------------------------------------------

class SchemeListView(ObjectListView):
    model = Scheme
    table_class = SchemeTable
    filterset_class = SchemeFilterSet
    template_name = "duties/scheme_list.html"

    def get_queryset(self):
        base = Q(indicators__parent__isnull=False, indicators__method__in=Indicator.BASE_METHODS)
        return super().get_queryset().select_related("owner_unit").prefetch_related("units").annotate(
            item_count=Count("indicators", filter=Q(indicators__parent__isnull=False), distinct=True),
            points_total=Coalesce(Sum("indicators__points", filter=base), Value(0), output_field=DecimalField()),
        ).order_by("-year", "title", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        can_manage = self.request.user.has_action(Scheme, "manage")
        context.update(can_add=can_manage, can_manage=can_manage, can_export=False)
        return context


class SchemeDetailView(ObjectDetailView):
    model = Scheme
    template_name = "duties/scheme_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("owner_unit", "copied_from", "created_by", "updated_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        scheme, user = self.object, self.request.user
        can_manage = user.can("manage", scheme)
        tree = scheme_tree(scheme)
        items = [item for _, _, children in tree for _, item in children]
        type_labels = dict(Unit.Type.choices)
        context.update(
            tree=tree,
            item_count=len(items),
            full_marks=sum((i.points for i in items if i.method in Indicator.BASE_METHODS), 0),
            bonus_total=sum((i.points for i in items if i.method == Indicator.Method.BONUS), 0),
            deduction_total=sum((i.points for i in items if i.method == Indicator.Method.DEDUCTION), 0),
            rule_count=sum(1 for i in items if i.metric_key),
            unit_type_labels=[type_labels.get(t, t) for t in scheme.unit_types],
            extra_units=list(scheme.units.order_by("path")),
            covered_count=scheme.covered_units().count(),
            period_labels=[dict(ReportingPeriod.choices).get(p, p) for p in scheme.periods],
            can_manage=can_manage,
            locked=has_submissions(scheme),
        )
        return context


# --- create, edit, delete, publish, copy ---------------------------------------------------------------------

class SchemeEditView(SchemeAccessMixin, View):
    template_name = "duties/scheme_form.html"

    def get_object(self):
        return self.get_scheme() if "pk" in self.kwargs else Scheme()

    def render(self, form, scheme):
        return render(self.request, self.template_name, {"form": form, "object": scheme, "creating": not scheme.pk})

    def get(self, request, *args, **kwargs):
        scheme = self.get_object()
        return self.render(SchemeForm(instance=scheme), scheme)

    def post(self, request, *args, **kwargs):
        scheme = self.get_object()
        creating = scheme.pk is None
        before = audit.snapshot(scheme, SCHEME_FIELDS) if not creating else {}
        form = SchemeForm(request.POST, instance=scheme)
        if not form.is_valid():
            return self.render(form, scheme)
        with transaction.atomic():
            scheme = form.save(commit=False)
            if creating:
                scheme.owner_unit = county_of(request.user)
                scheme.created_by = request.user
            scheme.updated_by = request.user
            scheme.save()
            form.save_m2m()
            audit.record(AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE, obj=scheme,
                         changes={} if creating else audit.field_changes(scheme, before, SCHEME_FIELDS))
        messages.success(request, f"考核细则“{scheme}”已保存。")
        return HttpResponseRedirect(scheme.get_absolute_url())


class SchemeDeleteView(SchemeAccessMixin, View):
    template_name = "duties/scheme_delete.html"

    def problem(self, scheme):
        if scheme.is_published:
            return "已发布的考核细则不能删除，请先撤回发布。"
        if has_submissions(scheme) or scheme.letters.exists() or scheme.notices.exists() or scheme.results.exists():
            return "该考核细则已有报送材料、提醒函、通报或考核结果，不能删除。"
        return ""

    def get(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        return render(request, self.template_name, {"object": scheme, "problem": self.problem(scheme)})

    def post(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        problem = self.problem(scheme)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(scheme.get_absolute_url())
        label = str(scheme)
        with transaction.atomic():
            audit.record(AuditEvent.Action.DELETE, obj=scheme, label=label)
            scheme.delete()
        messages.success(request, f"考核细则“{label}”已删除。")
        return HttpResponseRedirect(reverse("duties:scheme_list"))


class SchemePublishView(SchemeAccessMixin, View):
    """POST: publish a draft (it then appears on the units' lists) or take a published scheme back to draft."""

    def post(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        if scheme.is_published:
            new, note = Scheme.Status.DRAFT, "已撤回发布，各单位暂时看不到该细则的事项。"
        else:
            if not scheme.indicators.filter(parent__isnull=False).exists():
                messages.error(request, "考核细则中还没有考核事项，不能发布。")
                return HttpResponseRedirect(scheme.get_absolute_url())
            new, note = Scheme.Status.PUBLISHED, "已发布，各考核单位可以在职责清单中看到本单位的事项。"
        old_label = scheme.get_status_display()
        with transaction.atomic():
            scheme.status = new
            scheme.published_at = timezone.now() if new == Scheme.Status.PUBLISHED else scheme.published_at
            scheme.updated_by = request.user
            scheme.save()
            audit.record(AuditEvent.Action.UPDATE, obj=scheme,
                         changes={"状态": [old_label, scheme.get_status_display()]})
        messages.success(request, f"考核细则“{scheme}”{note}")
        return HttpResponseRedirect(scheme.get_absolute_url())


class SchemeCopyView(SchemeAccessMixin, View):
    template_name = "duties/scheme_copy.html"

    def get(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        form = CopyForm(scheme=scheme, initial={
            "year": scheme.year + 1, "title": replace_year_in_title(scheme.title, scheme.year, scheme.year + 1)})
        return render(request, self.template_name, {"form": form, "object": scheme})

    def post(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        form = CopyForm(request.POST, scheme=scheme)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": scheme})
        with transaction.atomic():
            copy = scheme.copy_to(form.cleaned_data["year"], title=form.cleaned_data["title"].strip(),
                                  user=request.user)
            audit.record(AuditEvent.Action.CREATE, obj=copy, changes={"复制自": str(scheme)})
        messages.success(request, f"已复制为“{copy}”（草稿），截止日期已顺延{copy.year - scheme.year}年，"
                                  "请核对后发布。")
        return HttpResponseRedirect(copy.get_absolute_url())


# --- Excel -----------------------------------------------------------------------------------------------------

class SchemeExportView(SchemeAccessMixin, View):
    """The scheme as Excel: "export" on the scheme, as every export of business data. Audited."""

    action = "export"

    def get(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        return export_xlsx(
            request, models=[Scheme], obj=scheme, title=scheme.title, label=f"{scheme}（考核细则）",
            notes=exports.scheme_notes(scheme),
            write=lambda target, title, subtitle: exports.scheme_workbook(scheme, target, title=title,
                                                                          subtitle=subtitle),
        )


# --- the indicator tree ----------------------------------------------------------------------------------------

class IndicatorFormView(SchemeAccessMixin, View):
    """Add a category, add an item (under ?parent=), or edit either."""

    template_name = "duties/indicator_form.html"
    kind = None  # "category" or "item" when adding

    def get_target(self):
        scheme = self.get_scheme()
        if "indicator" in self.kwargs:
            indicator = self.get_indicator()
            return indicator, "category" if indicator.is_category else "item"
        return Indicator(scheme=scheme), self.kind

    def make_form(self, indicator, kind, data=None):
        if kind == "category":
            return CategoryForm(data, instance=indicator)
        initial = {}
        if indicator.pk is None and is_number(self.request.GET.get("parent", "")):
            initial["parent"] = int(self.request.GET["parent"])
        return ItemForm(data, instance=indicator, scheme=self.get_scheme(), initial=initial)

    def render(self, form, indicator, kind):
        scheme = self.get_scheme()
        return render(self.request, self.template_name, {
            "form": form, "scheme": scheme, "object": indicator, "kind": kind, "creating": indicator.pk is None,
            "locked": has_submissions(scheme),
        })

    def get(self, request, *args, **kwargs):
        indicator, kind = self.get_target()
        if kind == "item" and indicator.pk is None and not self.get_scheme().categories().exists():
            messages.error(request, "请先新增一个类别，再在类别下新增考核事项。")
            return HttpResponseRedirect(self.get_scheme().get_absolute_url())
        return self.render(self.make_form(indicator, kind), indicator, kind)

    def post(self, request, *args, **kwargs):
        indicator, kind = self.get_target()
        scheme = self.get_scheme()
        creating = indicator.pk is None
        fields = ["text"] if kind == "category" else ITEM_FIELDS
        before = audit.snapshot(indicator, fields) if not creating else {}
        form = self.make_form(indicator, kind, request.POST)
        if not form.is_valid():
            return self.render(form, indicator, kind)
        with transaction.atomic():
            indicator = form.save(commit=False)
            indicator.scheme = scheme
            if creating:
                siblings = scheme.indicators.filter(parent=indicator.parent)
                indicator.sort_order = (max(siblings.values_list("sort_order", flat=True), default=0) or 0) + 1
            indicator.save()
            form.save_m2m()
            audit.record(AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE, obj=indicator,
                         label=f"{scheme}：{indicator}",
                         changes={} if creating else audit.field_changes(indicator, before, fields))
            scheme.updated_by = request.user
            scheme.save(update_fields=["updated_by", "updated_at"])
        what = "类别" if kind == "category" else "考核事项"
        messages.success(request, f"{what}“{indicator}”已保存。")
        return HttpResponseRedirect(f"{scheme.get_absolute_url()}#indicator-{indicator.pk}")


class IndicatorMoveView(SchemeAccessMixin, View):
    """POST direction=up|down: swap with the neighbour among the same parent's children."""

    def post(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        indicator = self.get_indicator()
        direction = request.POST.get("direction")
        with transaction.atomic():
            siblings = list(scheme.indicators.select_for_update().filter(parent=indicator.parent_id)
                            .order_by("sort_order", "id"))
            index = next(i for i, s in enumerate(siblings) if s.pk == indicator.pk)
            other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
            if other is not None and 0 <= other < len(siblings):
                siblings[index], siblings[other] = siblings[other], siblings[index]
                for position, sibling in enumerate(siblings, start=1):
                    if sibling.sort_order != position:
                        Indicator.objects.filter(pk=sibling.pk).update(sort_order=position)
                audit.record(AuditEvent.Action.UPDATE, obj=indicator, label=f"{scheme}：{indicator}",
                             changes={"排序": "上移" if direction == "up" else "下移"})
        return HttpResponseRedirect(f"{scheme.get_absolute_url()}#indicator-{indicator.pk}")


class IndicatorDeleteView(SchemeAccessMixin, View):
    template_name = "duties/indicator_delete.html"

    def problem(self, indicator):
        items = [indicator] + list(indicator.children.all())
        if Submission.objects.filter(indicator__in=items).exists():
            return "已有单位针对该事项报送了材料，不能删除。可以修改事项内容。"
        return ""

    def get(self, request, *args, **kwargs):
        indicator = self.get_indicator()
        return render(request, self.template_name, {
            "object": indicator, "scheme": self.get_scheme(), "problem": self.problem(indicator),
            "child_count": indicator.children.count(),
        })

    def post(self, request, *args, **kwargs):
        scheme = self.get_scheme()
        indicator = self.get_indicator()
        problem = self.problem(indicator)
        if problem:
            messages.error(request, problem)
            return HttpResponseRedirect(scheme.get_absolute_url())
        label = str(indicator)
        with transaction.atomic():
            audit.record(AuditEvent.Action.DELETE, obj=indicator, label=f"{scheme}：{label}",
                         changes={"下属事项": indicator.children.count()} if indicator.is_category else {})
            indicator.delete()
        messages.success(request, f"“{label}”已删除。")
        return HttpResponseRedirect(scheme.get_absolute_url())


# --- holidays (system administrator) ---------------------------------------------------------------------------

WEEKDAYS = "一二三四五六日"


def _year_param(request):
    value = request.GET.get("year") or request.POST.get("year") or ""
    year = int(value) if is_number(value) else timezone.localdate().year
    return min(max(year, 2000), 2100)


class HolidayListView(SystemAdminRequiredMixin, View):
    template_name = "duties/holiday_list.html"

    def get(self, request, *args, **kwargs):
        year = _year_param(request)
        calendar_year = workdays.ensure_year(year)
        rows = [(h, WEEKDAYS[h.date.weekday()]) for h in Holiday.objects.filter(date__year=year)]
        this_year = timezone.localdate().year
        years = sorted({*range(this_year - 1, this_year + 2), year,
                        *CalendarYear.objects.values_list("year", flat=True)}, reverse=True)
        official = workdays.official_years()
        return render(request, self.template_name, {
            "year": year, "calendar_year": calendar_year, "rows": rows, "years": years,
            "can_reset": year in official, "official_last": official[-1] if official else None,
            "off_days": sum(1 for h, _ in rows if not h.is_workday),
            "work_days": sum(1 for h, _ in rows if h.is_workday),
        })


class HolidayResetView(SystemAdminRequiredMixin, View):
    """POST year=: restore the official arrangement of a year chinese-calendar knows."""

    def post(self, request, *args, **kwargs):
        year = _year_param(request)
        url = f"{reverse('duties:holiday_list')}?year={year}"
        if year not in workdays.official_years():
            messages.error(request, f"chinese-calendar 没有{year}年的官方节假日安排，无法导入。")
            return HttpResponseRedirect(url)
        with transaction.atomic():
            workdays.seed_year(year, reset=True)
            audit.record(AuditEvent.Action.CONFIG, object_type="duties.Holiday", label=f"{year}年节假日",
                         changes={"操作": "按官方安排重新导入"})
        messages.success(request, f"已按国务院办公厅公布的安排重新导入{year}年的节假日。")
        return HttpResponseRedirect(url)


class HolidayEditView(SystemAdminRequiredMixin, View):
    template_name = "duties/holiday_form.html"

    def get_object(self):
        return get_object_or_404(Holiday, pk=self.kwargs["pk"]) if "pk" in self.kwargs else Holiday()

    def get(self, request, *args, **kwargs):
        holiday = self.get_object()
        initial = {}
        if holiday.pk is None and is_number(request.GET.get("year", "")):
            initial["date"] = f"{int(request.GET['year']):04d}-01-01"
        return render(request, self.template_name, {"form": HolidayForm(instance=holiday, initial=initial),
                                                    "object": holiday})

    def post(self, request, *args, **kwargs):
        holiday = self.get_object()
        creating = holiday.pk is None
        old_year = holiday.date.year if holiday.date else None
        before = audit.snapshot(holiday, ["date", "is_workday", "name"]) if not creating else {}
        form = HolidayForm(request.POST, instance=holiday)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "object": holiday})
        with transaction.atomic():
            holiday = form.save(commit=False)
            holiday.is_official = False
            holiday.save()
            for year in {holiday.date.year, old_year} - {None}:
                workdays.mark_edited(year)
            audit.record(AuditEvent.Action.CONFIG, obj=holiday,
                         changes={"新增": str(holiday)} if creating
                         else audit.field_changes(holiday, before, ["date", "is_workday", "name"]))
        messages.success(request, f"已保存：{holiday}。")
        return HttpResponseRedirect(f"{reverse('duties:holiday_list')}?year={holiday.date.year}")


class HolidayDeleteView(SystemAdminRequiredMixin, View):
    template_name = "duties/holiday_delete.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"object": get_object_or_404(Holiday, pk=kwargs["pk"])})

    def post(self, request, *args, **kwargs):
        holiday = get_object_or_404(Holiday, pk=kwargs["pk"])
        label, year = str(holiday), holiday.date.year
        with transaction.atomic():
            audit.record(AuditEvent.Action.CONFIG, obj=holiday, label=label, changes={"删除": label})
            holiday.delete()
            workdays.mark_edited(year)
        messages.success(request, f"已删除：{label}。")
        return HttpResponseRedirect(f"{reverse('duties:holiday_list')}?year={year}")
