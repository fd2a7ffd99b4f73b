"""Importing units from Excel (组织机构导入), on core's import framework (core.importing.framework): the upload,
the check in the background, the preview with every problem by row and column, the confirmation and the error
workbook are the framework's; what is here is the column spec, the converters, the matcher (`validate`: every
row against the tree and the rows before it) and the writer. The import checks the file again when confirmed,
inside the transaction that writes (the tree cannot change in between), and writes all or nothing.
"""

from collections import defaultdict

from django.urls import reverse

from core.importing import Problem, cell_code, cell_int, cell_text
from core.importing.columns import Column, Columns
from core.importing.framework import Importer, Plan, register
from core.text import is_number

from .models import Unit
from .services import division_code_format_problem, division_code_taken

TYPE_BY_LABEL = {label: value for value, label in Unit.Type.choices}
TYPE_LABELS = "、".join(TYPE_BY_LABEL)
DIVISION_DIGITS = (6, 9, 12)
NAME_MAX = Unit._meta.get_field("name").max_length
SHORT_MAX = Unit._meta.get_field("short_name").max_length

COLUMNS = Columns([
    Column("单位名称", ("名称", "单位全称", "机构名称"), required=True, width=28, help="单位全称，也可写作“名称”"),
    Column("简称", ("单位简称",), help="可留空"),
    Column("类型", ("单位类型", "机构类型"), required=True, choices=tuple(TYPE_BY_LABEL), help=TYPE_LABELS),
    Column("区划代码", ("代码", "行政区划代码", "统计用区划代码", "区划编码"), text=True, width=16,
           help="6/9/12 位数字，请设为文本格式；也可写作“代码”“行政区划代码”"),
    Column("上级单位", ("上级", "上级单位名称", "上级单位代码", "所属上级", "上级机构"), text=True, width=24,
           help="已有单位或本表前面行的单位名称或区划代码；留空为顶级单位"),
    Column("排序", ("排序号", "顺序"), help="整数，同一上级下从小到大排列"),
])
HEADERS = COLUMNS.headers


@register
class UnitImporter(Importer):
    kind = "org.unit"
    title = "从 Excel 导入单位"
    noun = "单位"
    measure = "个单位"
    sheet_label = "单位"
    columns = COLUMNS
    header_needs = ("单位名称",)
    model = Unit
    recheck_in_transaction = True
    counts_shown = ("data_rows", "created", "invalid_rows")
    preview_columns = (("row", "行号"), ("name", "单位名称"), ("short_name", "简称"), ("type_label", "类型"),
                       ("division_code", "区划代码"), ("parent_label", "上级单位"), ("sort_order", "排序"))
    template_url_name = "org:import_template"
    template_title = "组织机构导入模板"
    template_note = (f"类型可填：{TYPE_LABELS}。上级单位填已有单位或本表前面行的单位名称或区划代码，留空为顶级单位。"
                     "区划代码为6/9/12位数字，请保持文本格式。导入前请删除示例行。")
    template_examples = (["示例镇", "示例", "镇街", "330999013", "330999", 13],)
    upload_help = (
        "第一个含“单位名称”表头的工作表会被导入；表头上方可以有标题行，空行自动跳过。",
        "导入是“全部成功或全部不导入”：有任何问题时不写入任何单位。确认导入时会按当时的组织机构重新检查。",
    )
    conflict_message = "导入期间组织机构被其他操作修改，未写入任何数据，请重新上传。"

    @classmethod
    def allows(cls, user):
        return user.is_admin_of("system")

    @classmethod
    def breadcrumbs(cls, context):
        return [("组织机构", reverse("org:tree"))]

    @classmethod
    def back_url(cls, context):
        return reverse("org:tree")

    @classmethod
    def done_url(cls, result):
        unit = result.get("outcome", {}).get("first_unit")
        url = reverse("org:tree")
        return (f"{url}#unit-{unit}" if unit else url), "查看组织机构"

    @classmethod
    def done_message(cls, file_name, result):
        return f"已从“{file_name}”导入 {result['counts']['created']} 个单位。"

    def converters(self, table):
        return [
            ("单位名称", "name", cell_text),
            ("简称", "short_name", cell_text),
            ("类型", "type", cell_text),
            ("区划代码", "division_code", lambda v: cell_code(v, digits=DIVISION_DIGITS)),
            ("上级单位", "parent", _parent_reference),
            ("排序", "sort_order", lambda v: cell_int(v, minimum=0, maximum=2_147_483_647, default=0)),
        ]

    def check_row(self, number, raw, got, problems):
        # Every row goes on to validate(), which sees the whole file; a cell that could not be read has been
        # reported already, so validate() says nothing more about its column.
        return {"row": number, **got, "unreadable": [p.column for p in problems]}

    def checked(self, rows):
        if not rows:
            self.file_problem(f"工作表“{self.result.sheet}”的表头（第{self.result.header_row}行）下没有数据。")

    def plan(self, rows):
        plan = validate(rows)
        for problem in plan.problems:
            self.reject(problem.row, [problem])
        plan.create = [e for e in plan.entries if e["row"] not in self.invalid]
        plan.preview = plan.create
        under_existing = sum(1 for e in plan.create if e["parent_id"])
        plan.summary = {"新增单位": len(plan.create), "挂在已有单位下": under_existing,
                        "顶级单位": sum(1 for e in plan.create if not e["parent_id"] and not e["parent_row"])}
        return plan

    def write(self, plan):
        created = write(plan)
        self.result.outcome["first_unit"] = created[0].pk if created else None


def _parent_reference(value):
    # A parent may be given by its division code, typed as a number: the same rule as the code column.
    if isinstance(value, int | float) and not isinstance(value, bool):
        return cell_code(value, digits=DIVISION_DIGITS)
    return cell_text(value)


class UnitPlan(Plan):
    """Validated rows: each entry has `parent_id` (an existing unit) or `parent_row` (a unit earlier in the file)."""

    def __init__(self):
        super().__init__()
        self.entries = []
        self.problems = []


def validate(rows):
    """Check every row against the database and the rows before it. Reads the existing tree once."""
    plan = UnitPlan()
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
            if is_number(reference):
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
            "parent_label": _parent_label(parent_id, parent_row, parent_name),
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


def write(plan):
    """Create every planned unit, parents before children (inside the framework's transaction)."""
    created = {}
    parents = Unit.objects.in_bulk({e["parent_id"] for e in plan.create if e["parent_id"]})
    for entry in plan.create:
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
    return list(created.values())


def _parent_label(parent_id, parent_row, parent_name):
    if parent_row:
        return f"{parent_name}（本文件第{parent_row}行）"
    return parent_name if parent_id else "（顶级）"
