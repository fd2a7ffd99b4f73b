"""The org tree pages (组织机构) of the system administrator."""

from collections import defaultdict

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import audit
from core.views import SystemAdminRequiredMixin

from . import services
from .forms import ActivateForm, DeactivateForm, DeleteForm, MoveForm, UnitForm
from .models import Unit
from .usage import active_descendants, describe, records_in_subtree


def tree_url(unit=None):
    url = reverse("org:tree")
    return f"{url}#unit-{unit.pk}" if unit is not None else url


def build_rows(units, query=""):
    """The tree as a flat list in display order (siblings by sort order, then name), from units ordered
    by path — one query, no recursion into the database.

    Each row carries what the template needs to open and close nested lists: `depth` (0 for roots),
    `has_children` (among the rows shown) and `closes` (how many levels end after it). With `query`, only
    units whose name, short name or code contain it are kept, with their ancestors for context.
    """
    step = Unit.steplen
    children = defaultdict(list)
    known = {u.path for u in units}
    for unit in units:
        parent_path = unit.path[:-step]
        # A unit whose parent is not in the list (only possible in a damaged tree) is shown at the top.
        children[parent_path if parent_path in known else ""].append(unit)
    for siblings in children.values():
        siblings.sort(key=lambda u: (u.sort_order, u.name))

    matched = None
    if query:
        needle = query.casefold()
        matched = {u.path for u in units if needle in _search_text(u)}
        keep = set()
        for path in matched:
            keep.update(path[:i] for i in range(step, len(path) + 1, step))
    ordered = []
    stack = [(u, 0) for u in reversed(children[""])]
    while stack:
        unit, depth = stack.pop()
        if matched is not None and unit.path not in keep:
            continue
        ordered.append({"unit": unit, "depth": depth, "match": matched is not None and unit.path in matched,
                        "search": _search_text(unit)})
        stack.extend((child, depth + 1) for child in reversed(children.get(unit.path, [])))
    for index, row in enumerate(ordered):
        next_depth = ordered[index + 1]["depth"] if index + 1 < len(ordered) else 0
        row["has_children"] = next_depth > row["depth"]
        row["closes"] = range(max(row["depth"] - next_depth, 0))
    return ordered


def _search_text(unit):
    return " ".join(filter(None, [unit.name, unit.short_name, unit.division_code or ""])).casefold()


class TreeView(SystemAdminRequiredMixin, TemplateView):
    template_name = "org/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:50]
        units = list(Unit.objects.order_by("path"))
        rows = build_rows(units, query)
        context.update(
            rows=rows, query=query, total=len(units), inactive=sum(1 for u in units if not u.is_active),
            # Big trees open with only the first two levels unfolded (applied by tree.js).
            collapse_from=1 if len(units) > 60 and not query else "",
        )
        return context


def _unit_or_404(pk):
    return get_object_or_404(Unit, pk=pk)


class UnitFormView(SystemAdminRequiredMixin, View):
    """Add a root (no pk), add a child (`parent_pk`) or edit a unit (`pk`)."""

    template_name = "org/unit_form.html"

    def setup_objects(self, kwargs):
        self.parent = _unit_or_404(kwargs["parent_pk"]) if "parent_pk" in kwargs else None
        self.unit = _unit_or_404(kwargs["pk"]) if "pk" in kwargs else None

    def get_form(self, data=None):
        if self.unit is not None:
            return UnitForm(data, instance=self.unit)
        initial = {"is_active": True}
        if self.parent is not None:
            initial["type"] = _suggested_child_type(self.parent)
        return UnitForm(data, instance=Unit(), parent=self.parent, initial=initial)

    def get(self, request, **kwargs):
        self.setup_objects(kwargs)
        return self.render(self.get_form())

    def post(self, request, **kwargs):
        self.setup_objects(kwargs)
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render(form)
        try:
            if self.unit is None:
                unit = services.create_unit(form.instance, self.parent)
                messages.success(request, f"已新增单位“{unit.name}”。")
            else:
                before = audit.snapshot(Unit.objects.get(pk=self.unit.pk), services.AUDITED_FIELDS)
                unit = services.update_unit(form.instance, before, form.changed_data)
                messages.success(request, f"单位“{unit.name}”已保存。")
        except services.UnitRuleError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render(form)
        except IntegrityError:
            # Another administrator took the same division code a moment ago.
            form.add_error("division_code", "区划代码刚被其他单位使用，请重新检查。")
            if self.unit is None:
                form.instance.pk = None
            return self.render(form)
        return HttpResponseRedirect(tree_url(unit))

    def render(self, form):
        unit = self.unit
        if unit is not None:
            title, ancestors = f"编辑单位：{unit.name}", list(Unit.objects.get_ancestors(unit))
        elif self.parent is not None:
            title = f"新增“{self.parent.name}”的下级单位"
            ancestors = [*Unit.objects.get_ancestors(self.parent), self.parent]
        else:
            title, ancestors = "新增顶级单位", []
        return render(self.request, self.template_name, {
            "form": form, "unit": unit, "parent": self.parent, "title": title, "ancestors": ancestors,
        })


def _suggested_child_type(parent):
    return {Unit.Type.COUNTY: Unit.Type.TOWN, Unit.Type.TOWN: Unit.Type.VILLAGE}.get(parent.type, Unit.Type.OTHER)


class UnitActionView(SystemAdminRequiredMixin, View):
    """A confirmation page with a small form, then a service call. Subclasses set form_class and act()."""

    template_name = ""
    form_class = None

    def get(self, request, pk):
        self.unit = _unit_or_404(pk)
        return self.render(self.form_class(unit=self.unit))

    def post(self, request, pk):
        self.unit = _unit_or_404(pk)
        form = self.form_class(request.POST, unit=self.unit)
        if form.is_valid():
            try:
                self.act(form)
            except services.UnitRuleError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                return HttpResponseRedirect(self.success_url())
        return self.render(form)

    def success_url(self):
        return tree_url(self.unit)

    def render(self, form):
        return render(self.request, self.template_name, {
            "form": form, "unit": self.unit, "ancestors": list(Unit.objects.get_ancestors(self.unit)),
            **self.extra_context(),
        })

    def extra_context(self):
        return {}


class MoveView(UnitActionView):
    template_name = "org/unit_move.html"
    form_class = MoveForm

    def act(self, form):
        parent = form.cleaned_data["parent"]
        self.unit = services.move_unit(self.unit, parent)
        where = f"“{parent.name}”之下" if parent else "顶级"
        messages.success(self.request, f"已将“{self.unit.name}”连同其下级单位移到{where}。")

    def extra_context(self):
        return {"subtree_size": Unit.objects.filter(path__startswith=self.unit.path).count(),
                "current_parent": services.parent_of(self.unit)}


class DeactivateView(UnitActionView):
    template_name = "org/unit_deactivate.html"
    form_class = DeactivateForm

    def act(self, form):
        changed = services.deactivate_unit(self.unit, form.cleaned_data["include_descendants"])
        extra = f"（连同 {changed - 1} 个下级单位）" if changed > 1 else ""
        messages.success(self.request, f"单位“{self.unit.name}”已停用{extra}。")

    def extra_context(self):
        usages = records_in_subtree(self.unit)
        descendants = active_descendants(self.unit)
        return {
            "usages": describe(usages), "active_descendants": descendants.count(),
            "descendant_names": list(descendants.order_by("path").values_list("name", flat=True)[:20]),
        }


class ActivateView(UnitActionView):
    template_name = "org/unit_activate.html"
    form_class = ActivateForm

    def act(self, form):
        changed = services.activate_unit(self.unit, form.cleaned_data["include_descendants"])
        extra = f"（共 {changed} 个单位）" if changed > 1 else ""
        messages.success(self.request, f"单位“{self.unit.name}”已启用{extra}。")

    def extra_context(self):
        return {"inactive_descendants": Unit.objects.filter(
            path__startswith=self.unit.path, depth__gt=self.unit.depth, is_active=False).count()}


class DeleteView(UnitActionView):
    template_name = "org/unit_delete.html"
    form_class = DeleteForm

    def act(self, form):
        name = self.unit.name
        parent = services.parent_of(self.unit)
        services.delete_unit(self.unit)
        messages.success(self.request, f"单位“{name}”已删除。")
        self.parent = parent

    def success_url(self):
        return tree_url(self.parent)
