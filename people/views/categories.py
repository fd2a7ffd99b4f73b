"""The category pages (统战成员类别) of the system administrator.

Categories are configuration (三员分立: the system administrator's job, no business role's). The 12
statutory categories are seed data: they can be disabled and enabled and get synonyms, nothing else.
Sub-types hang under them, get a generated code (parent code + 2 digits) and can be deleted while no
person is or was in them. Every change leaves one audit event per category (AuditEvent.Action.CONFIG).

The system administrator sees no people and no head counts (三员分立): the list shows only whether a
category is in use (在用 / 未使用), which is what deciding to delete or disable it needs.
"""

from collections import defaultdict

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.db.models.functions import Coalesce
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from core import audit
from core.models import AuditEvent
from core.text import is_number
from core.views import SystemAdminRequiredMixin

from ..forms.categories import CategoryForm, spelling_clashes, split_synonyms
from ..history import _m2m_history_model
from ..models import Category, Person

AUDITED_FIELDS = ("name", "synonyms", "sort_order", "is_active")
CODE_DIGITS = 2


class CategoryRuleError(Exception):
    """A change the category rules forbid, found inside the write transaction; Chinese messages."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


def list_url(category=None):
    url = reverse("people:category_list")
    return f"{url}#category-{category.pk}" if category is not None else url


# ---------------------------------------------------------------------------------------------------------
# Figures


def categories_in_use():
    """(ids of categories someone is directly in, ids of top-level categories in use by themselves or through
    a sub-type).

    Read from the link table alone (no person is read, nothing is counted), every status included (调出, 退出
    and 去世 too): the links exist all the same, and deleting a category would remove them.
    """
    through = Person.categories.through.objects
    direct = set(through.values_list("category_id", flat=True).distinct().order_by())
    grouped = set(
        through.annotate(top=Coalesce("category__parent_id", "category_id"))
        .values_list("top", flat=True).distinct().order_by()
    )
    return direct, grouped


def category_rows():
    """The list in display order: each top-level category followed by its sub-types (by sort order, code)."""
    categories = list(Category.objects.order_by("sort_order", "code"))
    direct, grouped = categories_in_use()
    known = {c.pk for c in categories}
    children = defaultdict(list)
    tops = []
    for category in categories:
        if category.parent_id in known:
            children[category.parent_id].append(category)
        else:
            tops.append(category)
    rows = []
    for top in tops:
        rows.append({"category": top, "depth": 0, "in_use": top.pk in grouped,
                     "synonyms": split_synonyms(top.synonyms), "subtypes": len(children[top.pk])})
        for child in children[top.pk]:
            rows.append({"category": child, "depth": 1, "in_use": child.pk in direct,
                         "synonyms": split_synonyms(child.synonyms), "parent_active": top.is_active})
    return rows


# ---------------------------------------------------------------------------------------------------------
# Changes (each in one transaction, with its audit events)


def _display(category, name):
    value = getattr(category, name)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _label(name):
    return str(Category._meta.get_field(name).verbose_name)


def _lock_all():
    """Serialise category changes: the uniqueness of spellings spans every row (few rows, cheap)."""
    return {c.pk: c for c in Category.objects.select_for_update().order_by("pk")}


def _recheck(category, locked):
    """The rules again, inside the transaction: another administrator may have changed something since."""
    problems = [message for _, message in spelling_clashes(
        category.name, split_synonyms(category.synonyms), exclude_pk=category.pk,
    )]
    parent = locked.get(category.parent_id)
    if category.parent_id and parent is None:
        problems.append("所属法定类别已被删除，请刷新后重试。")
    elif parent is not None and category.is_active and not parent.is_active:
        problems.append(f"所属法定类别“{parent.name}”已停用，其下的子类不能启用。")
    if problems:
        raise CategoryRuleError(problems)
    return parent


def next_code(parent):
    """Parent code + 2 digits: one more than the highest sub-type code so far (a deleted code is not reused
    unless it was the last one)."""
    width = len(parent.code) + CODE_DIGITS
    used = [
        int(code[len(parent.code):]) for code in
        Category.objects.filter(code__startswith=parent.code).values_list("code", flat=True)
        if len(code) == width and is_number(code[len(parent.code):])
    ]
    number = max(used, default=0) + 1
    if number >= 10 ** CODE_DIGITS:
        raise CategoryRuleError(f"“{parent.name}”下的子类代码已用完（最多 {10 ** CODE_DIGITS - 1} 个）。")
    return f"{parent.code}{number:0{CODE_DIGITS}d}"


def create_subtype(category):
    with transaction.atomic():
        locked = _lock_all()
        parent = _recheck(category, locked)
        if parent is None or parent.parent_id is not None:
            raise CategoryRuleError("子类只能建在法定类别之下。")
        category.code = next_code(parent)
        category.save()
        changes = {"操作": "新增子类", "上级类别": ["", parent.name], _label("code"): ["", category.code]}
        changes.update({_label(f): ["", _display(category, f)] for f in AUDITED_FIELDS})
        audit.record(AuditEvent.Action.CONFIG, obj=category, changes=changes)
    return category


def update_category(category, before):
    """Save an edited category (`before`: its audited values before the form changed it). Disabling a
    top-level category disables its sub-types too, each with its own event. Returns the sub-types disabled."""
    fields = [f for f in AUDITED_FIELDS if before.get(f) != getattr(category, f)]
    cascaded = []
    if not fields:
        return cascaded
    with transaction.atomic():
        locked = _lock_all()
        if category.pk not in locked:
            raise CategoryRuleError("该类别已被删除，请刷新后重试。")
        _recheck(category, locked)
        category.save(update_fields=fields)
        operation = ("启用" if category.is_active else "停用") if fields == ["is_active"] else "修改"
        changes = {"操作": operation}
        changes.update({_label(f): [_display_value(before[f]), _display(category, f)] for f in fields})
        audit.record(AuditEvent.Action.CONFIG, obj=category, changes=changes)
        if "is_active" in fields and not category.is_active and category.parent_id is None:
            for child in sorted((c for c in locked.values() if c.parent_id == category.pk and c.is_active),
                                key=lambda c: (c.sort_order, c.code)):
                child.is_active = False
                child.save(update_fields=["is_active"])
                audit.record(AuditEvent.Action.CONFIG, obj=child, changes={
                    "操作": f"停用（随法定类别“{category.name}”停用）", _label("is_active"): ["是", "否"],
                })
                cascaded.append(child)
    return cascaded


def _display_value(value):
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def deletion_problems(category):
    """Why `category` cannot be deleted (Chinese, for the system administrator); empty when it can."""
    if category.is_statutory or category.parent_id is None:
        return [f"“{category.name}”是法定类别，不能删除；本县不使用时可以停用。"]
    problems = []
    if Person.categories.through.objects.filter(category_id=category.pk).exists():
        problems.append("该子类在用（仍有人员属于该子类），不能删除；可以改为停用。")
    # The ledger's history (django-simple-history) keeps the categories of every past version of a person;
    # it refers to categories by id and would lose the name of a deleted one.
    elif _m2m_history_model().objects.filter(category_id=category.pk).exists():
        problems.append("人员的变更历史中记录过该子类，删除后这些历史将无法显示其名称；请改为停用。")
    return problems


def delete_subtype(category):
    with transaction.atomic():
        locked = _lock_all()
        current = locked.get(category.pk)
        if current is None:
            return
        problems = deletion_problems(current)
        if problems:
            raise CategoryRuleError(problems)
        parent = locked.get(current.parent_id)
        changes = {"操作": "删除子类", "上级类别": [parent.name if parent else "", ""],
                   _label("code"): [current.code, ""]}
        changes.update({_label(f): [_display(current, f), ""] for f in AUDITED_FIELDS})
        audit.record(AuditEvent.Action.CONFIG, obj=current, changes=changes)
        current.delete()


# ---------------------------------------------------------------------------------------------------------
# Views


class CategoryListView(SystemAdminRequiredMixin, TemplateView):
    template_name = "people/category_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = category_rows()
        context.update(
            rows=rows,
            statutory=sum(1 for r in rows if r["depth"] == 0),
            subtypes=sum(1 for r in rows if r["depth"] == 1),
            inactive=sum(1 for r in rows if not r["category"].is_active),
        )
        return context


class CategoryEditView(SystemAdminRequiredMixin, View):
    """Add a sub-type (no pk; `?parent=<id>` preselects its statutory category) or edit a category (pk)."""

    template_name = "people/category_form.html"

    def setup_category(self, pk):
        self.category = get_object_or_404(Category.objects.select_related("parent"), pk=pk) if pk else None

    def get_form(self, data=None):
        if self.category is not None:
            return CategoryForm(data, instance=self.category)
        initial = {"is_active": True, "sort_order": None}
        parent = self.request.GET.get("parent", "")
        if is_number(parent) and Category.objects.filter(pk=parent, parent=None).exists():
            initial["parent"] = int(parent)
        return CategoryForm(data, instance=Category(), initial=initial)

    def get(self, request, pk=None):
        self.setup_category(pk)
        return self.render(self.get_form())

    def post(self, request, pk=None):
        self.setup_category(pk)
        before = audit.snapshot(self.category, AUDITED_FIELDS) if self.category is not None else None
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render(form)
        category = form.instance
        try:
            if before is None:
                create_subtype(category)
                messages.success(
                    request, f"已在“{category.parent.name}”下新增子类“{category.name}”（代码 {category.code}）。"
                )
            else:
                cascaded = update_category(category, before)
                messages.success(request, f"类别“{category.name}”已保存。")
                if cascaded:
                    names = "、".join(c.name for c in cascaded)
                    messages.info(request, f"其下的 {len(cascaded)} 个子类（{names}）已一并停用。")
        except CategoryRuleError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            if before is None:
                category.pk = None
            return self.render(form)
        except IntegrityError:
            # The same name or code was taken a moment ago by another administrator.
            form.add_error(None, "名称或代码刚被其他类别使用，请检查后重新保存。")
            if before is None:
                category.pk = None
            return self.render(form)
        return HttpResponseRedirect(list_url(category))

    def render(self, form):
        category = self.category
        if category is None:
            title = "新增子类"
        elif category.is_statutory:
            title = f"编辑法定类别：{category.name}"
        else:
            title = f"编辑子类：{category.name}"
        context = {"form": form, "category": category, "title": title}
        if category is not None:
            direct, grouped = categories_in_use()
            context["in_use"] = category.pk in (grouped if category.parent_id is None else direct)
            context["subtype_count"] = category.children.count() if category.parent_id is None else 0
        return render(self.request, self.template_name, context)


class CategoryDeleteView(SystemAdminRequiredMixin, View):
    template_name = "people/category_delete.html"

    def get(self, request, pk):
        category = get_object_or_404(Category.objects.select_related("parent"), pk=pk)
        return self.render(category, deletion_problems(category))

    def post(self, request, pk):
        category = get_object_or_404(Category.objects.select_related("parent"), pk=pk)
        try:
            delete_subtype(category)
        except CategoryRuleError as exc:
            return self.render(category, exc.messages)
        messages.success(request, f"子类“{category.name}”已删除。")
        return HttpResponseRedirect(list_url(category.parent) if category.parent_id else list_url())

    def render(self, category, problems):
        return render(self.request, self.template_name, {"category": category, "problems": problems})
