"""Changing the org tree: create, update, move, deactivate, activate and delete units.

Each change checks its rules again inside its transaction, writes the tree through treebeard's manager
API and leaves one audit event. The checks return Chinese messages meant for the system administrator.
"""

import re

from django.db import transaction

from core import audit
from core.importing import normalise_text
from core.models import AuditEvent

from .models import Unit
from .usage import active_descendants, describe, records_in_subtree, references_to

AUDITED_FIELDS = ("name", "short_name", "type", "division_code", "sort_order", "is_active")


class UnitRuleError(Exception):
    """A change the tree's rules forbid; `messages` are Chinese and meant for the user."""

    def __init__(self, messages):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))


def parent_of(unit):
    return Unit.objects.get_parent(unit) if unit.depth > 1 else None


def label_with_parent(unit):
    """"东溪镇 / 东溪村": enough to tell apart villages of the same name in different towns."""
    parent = parent_of(unit)
    return f"{parent.name} / {unit.name}" if parent else unit.name


def county_of(user):
    """The county (root unit) a user works for — the one their schemes and report templates belong to: the root
    of their unit, or the only root for an account without a unit (the command line)."""
    if user is not None and user.unit_id:
        return Unit.objects.get_root(user.unit)
    return Unit.objects.get_first_root_node()


def _display(unit, name):
    field = Unit._meta.get_field(name)
    value = getattr(unit, name)
    if field.choices:
        return unit._get_FIELD_display(field)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def _refetch(unit):
    return Unit.objects.select_for_update().get(pk=unit.pk)


# ---------------------------------------------------------------------------------------------------------
# Names and division codes

def division_code_format_problem(code):
    """The Chinese message for a division code of the wrong form, or None. `code` is already normalised."""
    if not re.fullmatch(r"\d{6}|\d{9}|\d{12}", code):
        return f"区划代码须为6位、9位或12位数字（填写的是“{code}”）。"
    return None


def division_code_taken(code, label):
    return f"区划代码“{code}”已被“{label}”使用。"


def division_code_problem(code, *, exclude_pk=None):
    """The Chinese message for an unusable division code (wrong form, or another unit's), or None."""
    problem = division_code_format_problem(code)
    if problem:
        return problem
    other = Unit.objects.filter(division_code=code).exclude(pk=exclude_pk).first()
    if other is not None:
        return division_code_taken(code, label_with_parent(other))
    return None


def sibling_name_problem(name, parent, *, exclude_pk=None):
    siblings = Unit.objects.filter(depth=parent.depth + 1, path__startswith=parent.path) if parent \
        else Unit.objects.filter(depth=1)
    if siblings.filter(name=name).exclude(pk=exclude_pk).exists():
        where = f"上级单位“{parent.name}”下" if parent else "顶级单位中"
        return f"{where}已有名为“{name}”的单位。"
    return None


# ---------------------------------------------------------------------------------------------------------
# Create and update


def create_unit(unit, parent=None):
    """Save the unsaved `unit` as the last child of `parent` (a root when None) and audit it."""
    with transaction.atomic():
        if parent is not None:
            parent = _refetch(parent)
            if unit.is_active and not parent.is_active:
                raise UnitRuleError(f"上级单位“{parent.name}”已停用，不能在其下新增启用的单位。")
            Unit.objects.add_child(parent, instance=unit)
        else:
            Unit.objects.add_root(instance=unit)
        changes = {str(Unit._meta.get_field(f).verbose_name): ["", _display(unit, f)] for f in AUDITED_FIELDS}
        changes["上级单位"] = ["", parent.name if parent else "（顶级）"]
        audit.record(AuditEvent.Action.CREATE, obj=unit, changes=changes)
    return unit


def create_root(name, division_code=None, unit_type=Unit.Type.COUNTY):
    """Create and audit a root unit from typed values (a fresh install's command line), checked as the unit form
    checks a new unit's name and division code; UnitRuleError with "字段：问题" messages otherwise."""
    name, code = normalise_text(name or ""), normalise_text(division_code or "") or None
    label = {field: str(Unit._meta.get_field(field).verbose_name) for field in ("name", "division_code")}
    problems = []
    limit = Unit._meta.get_field("name").max_length
    if not name or len(name) > limit:
        problems.append(f"{label['name']}：{'不能为空' if not name else f'不能超过{limit}个字'}")
    elif problem := sibling_name_problem(name, None):
        problems.append(f"{label['name']}：{problem}")
    if code and (problem := division_code_problem(code)):
        problems.append(f"{label['division_code']}：{problem}")
    if problems:
        raise UnitRuleError(problems)
    return create_unit(Unit(name=name, type=unit_type, division_code=code, sort_order=0, is_active=True))


def update_unit(unit, before, fields):
    """Save an edited unit; `before` is `audit.snapshot(unit, fields)` taken before the form changed it."""
    fields = [f for f in fields if f in AUDITED_FIELDS]
    with transaction.atomic():
        current = _refetch(unit)
        if "is_active" in fields and current.is_active != unit.is_active:
            problems = deactivation_problems(current, False, from_edit=True) if not unit.is_active \
                else activation_problems(current)
            if problems:
                raise UnitRuleError(problems)
        unit.save(update_fields=[f for f in fields])
        changes = audit.field_changes(unit, before, fields)
        for name in ("type", "is_active"):
            label = str(Unit._meta.get_field(name).verbose_name)
            if label in changes:
                old = before.get(name)
                changes[label] = [_choice_or_bool(name, old), _display(unit, name)]
        if changes:
            audit.record(AuditEvent.Action.UPDATE, obj=unit, changes=changes)
    return unit


def _choice_or_bool(name, value):
    if name == "is_active":
        return "是" if value else "否"
    return dict(Unit.Type.choices).get(value, value or "")


# ---------------------------------------------------------------------------------------------------------
# Move


def move_problems(unit, new_parent):
    if new_parent is not None and new_parent.path.startswith(unit.path):
        if new_parent.pk == unit.pk:
            return ["不能把单位移动到它自己之下。"]
        return [f"不能把单位移动到它自己的下级单位“{new_parent.name}”之下。"]
    old_parent = parent_of(unit)
    if (old_parent.pk if old_parent else None) == (new_parent.pk if new_parent else None):
        return ["所选上级单位与当前相同，单位未移动。"]
    if new_parent is not None and unit.is_active and not new_parent.is_active:
        return [f"上级单位“{new_parent.name}”已停用，不能把启用的单位移到其下。"]
    return []


def move_unit(unit, new_parent):
    """Move `unit` with its whole subtree under `new_parent` (last child), or to the top level when None.

    Paths of the subtree change; data scopes are recomputed per request from the current paths.
    """
    with transaction.atomic():
        unit = _refetch(unit)
        new_parent = _refetch(new_parent) if new_parent is not None else None
        problems = move_problems(unit, new_parent)
        if problems:
            raise UnitRuleError(problems)
        old_parent = parent_of(unit)
        moved = Unit.objects.filter(path__startswith=unit.path).count()
        if new_parent is None:
            Unit.objects.move(unit, Unit.objects.get_last_root_node(), "last-sibling")
        else:
            Unit.objects.move(unit, new_parent, "last-child")
        unit = Unit.objects.get(pk=unit.pk)
        audit.record(
            AuditEvent.Action.UPDATE, obj=unit,
            changes={"上级单位": [old_parent.name if old_parent else "（顶级）",
                              new_parent.name if new_parent else "（顶级）"],
                     "随之移动的单位数": moved},
        )
    return unit


# ---------------------------------------------------------------------------------------------------------
# Deactivate and activate


def deactivation_problems(unit, include_descendants, *, from_edit=False):
    """Why `unit` cannot be deactivated now (empty when it can).

    Accounts in use and business records anywhere in the subtree block it: they would be left in a
    unit nobody can choose any more. Active descendants block it too unless they are deactivated with it,
    so that an active unit never sits under an inactive one.
    """
    problems = []
    children = active_descendants(unit)
    where = "该单位及下级" if unit.numchild else "该单位"
    usages = records_in_subtree(unit)
    if usages:
        problems.append(
            f"{where}仍有{describe(usages)}，不能停用。请先由安全管理员把账号调到其他单位或停用账号，"
            "并把业务记录移交给其他单位。"
        )
    count = children.count()
    if count and not include_descendants:
        names = "、".join(children.order_by("path").values_list("name", flat=True)[:5])
        more = "等" if count > 5 else ""
        how = "请在“停用”页面勾选“同时停用全部下级单位”" if from_edit else "请勾选“同时停用全部下级单位”"
        problems.append(
            f"该单位还有 {count} 个启用的下级单位（{names}{more}）。{how}一并停用，或先把它们移到其他单位下。"
        )
    return problems


def deactivate_unit(unit, include_descendants=False):
    """Deactivate `unit` (and, when asked, its active descendants). Returns how many units were changed."""
    with transaction.atomic():
        unit = _refetch(unit)
        if not unit.is_active:
            raise UnitRuleError(f"单位“{unit.name}”已是停用状态。")
        problems = deactivation_problems(unit, include_descendants)
        if problems:
            raise UnitRuleError(problems)
        descendants = list(active_descendants(unit).values_list("name", flat=True)) if include_descendants else []
        changed = Unit.objects.filter(path__startswith=unit.path, is_active=True).update(is_active=False)
        changes = {"启用": ["是", "否"]}
        if descendants:
            changes["同时停用的下级单位"] = f"{len(descendants)} 个：" + "、".join(descendants[:50])
        audit.record(AuditEvent.Action.UPDATE, obj=unit, changes=changes)
    return changed


def activation_problems(unit):
    parent = parent_of(unit)
    if parent is not None and not parent.is_active:
        return [f"上级单位“{parent.name}”已停用，请先启用上级单位。"]
    return []


def activate_unit(unit, include_descendants=False):
    with transaction.atomic():
        unit = _refetch(unit)
        problems = activation_problems(unit)
        if problems:
            raise UnitRuleError(problems)
        if include_descendants:
            targets = Unit.objects.filter(path__startswith=unit.path, is_active=False)
        else:
            targets = Unit.objects.filter(pk=unit.pk, is_active=False)
        names = list(targets.exclude(pk=unit.pk).values_list("name", flat=True))
        changed = targets.update(is_active=True)
        if not changed:
            raise UnitRuleError(f"单位“{unit.name}”及其下级均已是启用状态。")
        changes = {"启用": ["否", "是"]} if not unit.is_active else {}
        if names:
            changes["同时启用的下级单位"] = f"{len(names)} 个：" + "、".join(names[:50])
        audit.record(AuditEvent.Action.UPDATE, obj=unit, changes=changes)
    return changed


# ---------------------------------------------------------------------------------------------------------
# Delete


def deletion_problems(unit):
    """Only a unit nobody refers to may be deleted: no children, no accounts, no records, no grants."""
    problems = []
    if unit.numchild:
        problems.append(f"该单位有 {unit.numchild} 个下级单位，不能删除。请先删除或移走下级单位。")
    usages = references_to(unit)
    if usages:
        problems.append(f"该单位仍有{describe(usages)}，不能删除。不再使用的单位可以停用。")
    return problems


def delete_unit(unit):
    with transaction.atomic():
        unit = _refetch(unit)
        problems = deletion_problems(unit)
        if problems:
            raise UnitRuleError(problems)
        parent = parent_of(unit)
        changes = {str(Unit._meta.get_field(f).verbose_name): [_display(unit, f), ""] for f in AUDITED_FIELDS}
        changes["上级单位"] = [parent.name if parent else "（顶级）", ""]
        audit.record(AuditEvent.Action.DELETE, obj=unit, changes=changes)
        unit.delete()
