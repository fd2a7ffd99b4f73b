"""Importing units from Excel: read → validate (dry run, every problem with row and column) → write.

The rows read from the file are plain strings and numbers, so they are kept between the preview and the
confirmation as JSON in the session and validated again before anything is written; the upload itself
is never stored. The write is all-or-nothing.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from core import audit
from core.importing import (
    CellError,
    ImportFileError,
    Problem,
    cell_code,
    cell_int,
    cell_text,
    locate_table,
    open_workbook,
    records,
)
from core.models import AuditEvent

from .models import Unit
from .services import division_code_format_problem, division_code_taken

# Canonical column name → other spellings accepted in the header row.
COLUMNS = {
    "单位名称": ("名称", "单位全称", "机构名称"),
    "简称": ("单位简称",),
    "类型": ("单位类型", "机构类型"),
    "区划代码": ("代码", "行政区划代码", "统计用区划代码", "区划编码"),
    "上级单位": ("上级", "上级单位名称", "上级单位代码", "所属上级", "上级机构"),
    "排序": ("排序号", "顺序"),
}
HEADERS = list(COLUMNS)
REQUIRED_COLUMNS = ("单位名称", "类型")
TYPE_BY_LABEL = {label: value for value, label in Unit.Type.choices}
TYPE_LABELS = "、".join(TYPE_BY_LABEL)
DIVISION_DIGITS = (6, 9, 12)
NAME_MAX = Unit._meta.get_field("name").max_length
SHORT_MAX = Unit._meta.get_field("short_name").max_length

# Keys of a row as kept in the session.
ROW_KEYS = ("row", "name", "short_name", "type", "division_code", "parent", "sort_order")


@dataclass
class Parsed:
    """What was read from a file: rows ready to validate, or the problems that stop reading them."""

    filename: str
    sheet: str = ""
    header_row: int = 0
    rows: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    ignored_columns: list = field(default_factory=list)


def read_units_file(data, filename=""):
    """Read the uploaded bytes. Cell-level problems are collected; file-level ones end reading."""
    parsed = Parsed(filename=filename)
    try:
        with open_workbook(data) as workbook:
            table = locate_table(workbook, COLUMNS, required=("单位名称",))
    except ImportFileError as exc:
        parsed.problems.append(Problem(0, "", str(exc)))
        return parsed
    parsed.sheet, parsed.header_row, parsed.ignored_columns = table.sheet, table.header_row_number, table.ignored
    missing = [name for name in REQUIRED_COLUMNS if name not in table.columns]
    for name in missing:
        parsed.problems.append(Problem(table.header_row_number, name, f"表头缺少“{name}”列。"))
    if missing:
        return parsed
    for number, values in records(table):
        row = {"row": number}
        for key, column, convert in (
            ("name", "单位名称", cell_text),
            ("short_name", "简称", cell_text),
            ("type", "类型", cell_text),
            ("division_code", "区划代码", lambda v: cell_code(v, digits=DIVISION_DIGITS)),
            ("parent", "上级单位", _parent_reference),
            ("sort_order", "排序", lambda v: cell_int(v, minimum=0, maximum=2_147_483_647, default=0)),
        ):
            try:
                row[key] = convert(values.get(column))
            except CellError as exc:
                parsed.problems.append(Problem(number, column, str(exc)))
                row[key] = None
                row.setdefault("unreadable", []).append(column)
        parsed.rows.append(row)
    if not parsed.rows and not parsed.problems:
        where = f"工作表“{table.sheet}”的表头（第{table.header_row_number}行）"
        parsed.problems.append(Problem(0, "", f"{where}下没有数据。"))
    return parsed


def _parent_reference(value):
    # A parent may be given by its division code, typed as a number: the same rule as the code column.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_code(value, digits=DIVISION_DIGITS)
    return cell_text(value)


@dataclass
class Plan:
    """Validated rows: each has `parent_id` (an existing unit) or `parent_row` (a unit earlier in the file)."""

    entries: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def validate(rows):
    """Check every row against the database and the rows before it. Reads the existing tree once."""
    plan = Plan()
    existing = list(Unit.objects.order_by("path").only("id", "path", "depth", "name", "division_code", "is_active"))
    by_code = {u.division_code: u for u in existing if u.division_code}
    by_path = {u.path: u for u in existing}
    by_name = defaultdict(list)
    sibling_names = set()
    for unit in existing:
        by_name[unit.name].append(unit)
        sibling_names.add((("db", unit.path[: -Unit.steplen]), unit.name))
    file_by_code, file_by_name, file_rows_by_ref, file_names = {}, defaultdict(list), defaultdict(list), {}
    for row in rows:
        if row.get("name"):
            file_rows_by_ref[row["name"]].append(row["row"])
        if row.get("division_code"):
            file_rows_by_ref[row["division_code"]].append(row["row"])

    for row in rows:
        number = row["row"]
        problems = []

        unreadable = set(row.get("unreadable", ()))

        def problem(column, message, number=number, problems=problems, unreadable=unreadable):
            # A cell that could not be read has been reported already; say nothing more about its column.
            if column not in unreadable:
                problems.append(Problem(number, column, message))

        name = row.get("name") or ""
        if not name:
            problem("单位名称", "不能为空。")
        elif len(name) > NAME_MAX:
            problem("单位名称", f"不能超过{NAME_MAX}个字（现有{len(name)}个）。")
        short_name = row.get("short_name") or ""
        if len(short_name) > SHORT_MAX:
            problem("简称", f"不能超过{SHORT_MAX}个字（现有{len(short_name)}个）。")

        type_label = row.get("type") or ""
        unit_type = TYPE_BY_LABEL.get(type_label)
        if not type_label:
            problem("类型", f"不能为空，应为：{TYPE_LABELS}。")
        elif unit_type is None:
            problem("类型", f"“{type_label}”不是有效的类型，应为：{TYPE_LABELS}。")

        code = row.get("division_code") or ""
        if code:
            if code in file_by_code:
                problem("区划代码", f"区划代码“{code}”与第{file_by_code[code]}行重复。")
            elif division_code_format_problem(code):
                problem("区划代码", division_code_format_problem(code))
            elif code in by_code:
                problem("区划代码", division_code_taken(code, _label_with_parent(by_code[code], by_path)))

        parent_id = parent_row = None
        parent_key, parent_name = ("db", ""), ""
        reference = row.get("parent") or ""
        if reference:
            matches = []
            if reference.isdigit():
                if reference in by_code:
                    matches.append(("db", by_code[reference]))
                if reference in file_by_code:
                    matches.append(("row", file_by_code[reference]))
            if not matches:
                matches = [("db", u) for u in by_name.get(reference, [])]
                matches += [("row", n) for n in file_by_name.get(reference, [])]
            if not matches:
                later = [n for n in file_rows_by_ref.get(reference, []) if n > number]
                if later:
                    problem("上级单位", f"上级单位“{reference}”在第{later[0]}行，须排在本行之前。")
                else:
                    problem("上级单位", f"找不到上级单位“{reference}”。"
                                        "请填写已有单位或本文件中前面行的单位名称或区划代码。")
            elif len(matches) > 1:
                places = "、".join(_describe_match(kind, target) for kind, target in matches[:4])
                problem("上级单位", f"名为“{reference}”的单位不止一个（{places}），请改填其区划代码。")
            else:
                kind, target = matches[0]
                if kind == "db":
                    parent_id, parent_key, parent_name = target.pk, ("db", target.path), target.name
                    if not target.is_active:
                        problem("上级单位", f"上级单位“{target.name}”已停用，不能在其下新增单位。")
                else:
                    parent_row, parent_key, parent_name = target, ("row", target), file_names.get(target, reference)

        if name and (parent_key, name) in sibling_names and "上级单位" not in unreadable:
            where = f"上级单位“{parent_name}”下" if parent_key != ("db", "") else "顶级单位中"
            problem("单位名称", f"{where}已有名为“{name}”的单位。")

        sort_order = row.get("sort_order")
        plan.problems.extend(problems)
        plan.entries.append({
            "row": number, "name": name, "short_name": short_name, "type": unit_type or "",
            "type_label": type_label, "division_code": code, "sort_order": sort_order or 0,
            "parent_id": parent_id, "parent_row": parent_row, "parent_name": parent_name,
        })
        if code and code not in file_by_code:
            file_by_code[code] = number
        if name:
            file_names[number] = name
            file_by_name[name].append(number)
            sibling_names.add((parent_key, name))
    _register_rows_as_parents(plan)
    return plan


def _register_rows_as_parents(plan):
    """Mark the entries other rows hang under, for the preview."""
    parents = {e["parent_row"] for e in plan.entries if e["parent_row"]}
    for entry in plan.entries:
        entry["has_children_in_file"] = entry["row"] in parents


def _label_with_parent(unit, by_path):
    parent = by_path.get(unit.path[: -Unit.steplen])
    return f"{parent.name} / {unit.name}" if parent else unit.name


def _describe_match(kind, target):
    if kind == "row":
        return f"本文件第{target}行"
    code = f"，{target.division_code}" if target.division_code else ""
    return f"已有单位（{target.name}{code}）"


def session_rows(rows):
    """The rows as they are kept in the session between preview and confirmation."""
    return [{key: row.get(key) for key in ROW_KEYS} for row in rows]


def confirm(rows, *, filename="", sheet=""):
    """Validate the rows again and, when nothing is wrong, write them — both in one transaction, so the
    tree cannot change in between. Returns `(plan, created units)`; nothing is written when
    `plan.problems` is not empty."""
    with transaction.atomic():
        plan = validate(rows)
        if not plan.ok:
            return plan, []
        return plan, write(plan, filename=filename, sheet=sheet)


def write(plan, *, filename="", sheet=""):
    """Create every planned unit in one transaction, parents before children, and audit the import."""
    if not plan.ok:
        raise ValueError("a plan with problems cannot be written")
    created = {}
    with transaction.atomic():
        parents = Unit.objects.in_bulk({e["parent_id"] for e in plan.entries if e["parent_id"]})
        for entry in plan.entries:
            unit = Unit(
                name=entry["name"], short_name=entry["short_name"], type=entry["type"],
                division_code=entry["division_code"] or None, sort_order=entry["sort_order"], is_active=True,
            )
            if entry["parent_row"]:
                parent = created[entry["parent_row"]]
            elif entry["parent_id"]:
                parent = parents[entry["parent_id"]]
            else:
                parent = None
            if parent is None:
                Unit.objects.add_root(instance=unit)
            else:
                Unit.objects.add_child(parent, instance=unit)
            created[entry["row"]] = unit
        under_existing = sum(1 for e in plan.entries if e["parent_id"])
        audit.record(
            AuditEvent.Action.IMPORT, object_type=Unit._meta.label, label=f"导入单位（{len(created)}个）",
            changes={"文件": filename, "工作表": sheet, "新增单位": len(created),
                     "挂在已有单位下": under_existing,
                     "顶级单位": sum(1 for e in plan.entries if not e["parent_id"] and not e["parent_row"])},
        )
    return list(created.values())
