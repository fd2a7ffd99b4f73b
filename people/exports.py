"""The ledger to Excel: the export of a filtered list or a selection, and the blank import template.

Both use the columns of the import template (people/columns.py) in its order, so an exported file imports
again. How each column is written, so that the importer reads back what was exported:

- 出生年月: as text, the full date "1975-03-15" where the ID number is written in full (a full export, rows
  inside the user's view_sensitive scope), else the month only, "1975.03" (people.privacy); the importer reads
  both and does not let a month overwrite the stored day. 加入时间: the full date as text.
- 类别 and 标签: the names joined with "、" (a category whose own name contains "、", such as
  "华侨、归侨及侨眷", is matched whole by the importer before it splits).
- 工作单位及职务 holds the workplace only and 职务 the position, so a re-import does not append the
  position to the workplace a second time.
- 所在村(社区): the name of the unit that keeps the record.
- 身份证号 and 联系电话: text cells (an ID number typed as a number loses its last digits in Excel),
  masked ("330784************", "138****5678") unless the export is a full one.
- Free text starting with = + - @ is neutralised (core.excel.neutralise).

`write_ledger` does the work without a request (the view and the benchmark call it). It reads the rows
with `values_list(...).iterator()` (no model instances: the encrypted fields still decrypt in their
`from_db_value`), fetches the categories and tags of each chunk of rows in one query each, and writes
through xlsxwriter in constant-memory mode, so memory stays flat whatever the number of rows.
"""

import itertools

from django.db.models import BooleanField, ExpressionWrapper

from core.excel import FORMULA_PREFIXES, DropDowns, SheetWriter, neutralise
from org.models import Unit

from . import choices
from .columns import HEADERS, LEDGER_COLUMNS
from .identity import check_digit
from .models import Category, Person
from .privacy import birth_date_text

LEDGER_TITLE = "统战成员台账"
DATA_SHEET = "台账"
INSTRUCTIONS_SHEET = "填写说明"
CHUNK = 900  # rows per fetch; their ids go into one IN (...) list: SQLite's historical limit is 999 parameters
SEPARATOR = "、"
# Dates are text too: "1975.10" typed into a number cell becomes 1975.1 (January or October?).
DATE_HEADERS = ("出生年月", "加入时间")
WIDTHS = {
    "序号": 7, "姓名": 10, "性别": 6, "民族": 9, "出生年月": 12, "身份证号": 21, "政治面貌": 13, "类别": 24,
    "工作单位及职务": 30, "职务": 16, "学历": 11, "学位": 7, "联系电话": 14, "所在村(社区)": 14, "管理层级": 9,
    "是否代表人士": 12, "籍贯": 12, "住址": 28, "所在领域": 12, "加入时间": 12, "标签": 16, "备注": 30,
}

# The database values read per row, in this order (the column order is checked against HEADERS below).
FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "affiliation", "workplace", "position", "education",
    "degree", "phone", "owner_unit_id", "tier", "is_representative", "native_place", "address", "field",
    "affiliation_date", "notes", "pk",
)
# The headers write_ledger fills (a test checks that they are exactly HEADERS of people/columns.py).
WRITTEN_HEADERS = (
    "序号", "姓名", "性别", "民族", "出生年月", "身份证号", "政治面貌", "类别", "工作单位及职务", "职务", "学历",
    "学位", "联系电话", "所在村(社区)", "管理层级", "是否代表人士", "籍贯", "住址", "所在领域", "加入时间", "标签",
    "备注",
)


def _labels(choice_list):
    return {value: str(label) for value, label in choice_list}


def category_names():
    """[(pk, name)] of every category (disabled ones too: old records keep them) in display order."""
    return list(Category.objects.order_by("sort_order", "code").values_list("pk", "name"))


def _text_column_indexes():
    return [i for i, c in enumerate(LEDGER_COLUMNS) if c.text or c.header in DATE_HEADERS]


def write_ledger(target, queryset, *, tags, masked=True, title=LEDGER_TITLE, subtitle="", reveal=None,
                 chunk_size=CHUNK) -> int:
    """Write the people of `queryset` (already scoped and filtered) as a ledger sheet to `target`.

    `target` is a path or a binary file object. `masked` masks ID and phone numbers; with `masked=False`,
    `reveal` (a Q over Person, optional) limits the unmasked values to the rows it matches — the rows
    inside the user's `view_sensitive` scope — and masks the others. `tags` are the tags the reader may see
    (`Tag.objects.visible_to(user)`): a person's other tags are left out. Returns the number of rows written.
    """
    gender = _labels(choices.Gender.choices)
    ethnicity = _labels(choices.ETHNICITIES)
    affiliation = _labels(choices.Affiliation.choices)
    education = _labels(choices.Education.choices)
    degree = _labels(choices.Degree.choices)
    tier = _labels(choices.Tier.choices)
    units = dict(Unit.objects.values_list("pk", "name"))
    categories = category_names()
    category_name = dict(categories)
    category_rank = {pk: rank for rank, (pk, _) in enumerate(categories)}
    tag_name = dict(tags.values_list("pk", "name"))
    mask_id = Person._meta.get_field("id_number").masked
    mask_phone = Person._meta.get_field("phone").masked
    category_link = Person.categories.through.objects
    tag_link = Person.tags.through.objects

    fields = FIELDS
    if not masked and reveal is not None:
        queryset = queryset.annotate(_reveal=ExpressionWrapper(reveal, output_field=BooleanField()))
        fields = (*FIELDS, "_reveal")
    if not queryset.ordered:
        queryset = queryset.order_by("pk")
    rows = queryset.values_list(*fields).iterator(chunk_size=chunk_size)

    writer = SheetWriter(
        target, DATA_SHEET, HEADERS, title=title, subtitle=subtitle, text_columns=_text_column_indexes(),
        widths=WIDTHS,
    )
    sheet = writer.sheet
    text = writer.text_format
    # xlsxwriter's public write_string/write_number first try to parse "A1" notation (a decorator); the
    # undecorated methods behind them take (row, col) as they are and make a large export ~8% faster.
    # XlsxWriter is pinned; the public methods are the fallback should a release rename them.
    put = getattr(sheet, "_write_string", sheet.write_string)
    number = getattr(sheet, "_write_number", sheet.write_number)
    formula = FORMULA_PREFIXES
    joined_categories = {}  # tuple of category ids -> "名称、名称"
    joined_tags = {}
    row = writer.row
    first_row = row
    (c_seq, c_name, c_gender, c_ethnicity, c_birth, c_id, c_affiliation, c_categories, c_workplace, c_position,
     c_education, c_degree, c_phone, c_unit, c_tier, c_representative, c_native, c_address, c_field, c_joined,
     c_tags, c_notes) = (HEADERS.index(header) for header in WRITTEN_HEADERS)

    while chunk := list(itertools.islice(rows, chunk_size)):
        ids = [r[19] for r in chunk]
        person_categories = {}
        for person_id, category_id in category_link.filter(person_id__in=ids).values_list("person_id", "category_id"):
            person_categories.setdefault(person_id, []).append(category_id)
        person_tags = {}
        for person_id, tag_id in tag_link.filter(person_id__in=ids).values_list("person_id", "tag_id"):
            if tag_id in tag_name:
                person_tags.setdefault(person_id, []).append(tag_id)

        for r in chunk:
            (name, gender_, ethnicity_, birth, id_number, affiliation_, workplace, position, education_, degree_,
             phone, unit_id, tier_, representative, native_place, address, field_, joined, notes, pk) = r[:20]
            show = not masked and (reveal is None or r[20])
            number(row, c_seq, row - first_row + 1)
            if name:
                put(row, c_name, "'" + name if name.startswith(formula) else name)
            if gender_:
                put(row, c_gender, gender.get(gender_, gender_))
            if ethnicity_:
                put(row, c_ethnicity, ethnicity.get(ethnicity_, ethnicity_))
            if birth is not None:
                put(row, c_birth, birth_date_text(birth, day=show, export=True), text)
            if id_number:
                put(row, c_id, id_number if show else mask_id(id_number), text)
            if affiliation_:
                put(row, c_affiliation, affiliation.get(affiliation_, affiliation_))
            ids_ = person_categories.get(pk)
            if ids_:
                key = tuple(sorted(ids_, key=category_rank.__getitem__))
                value = joined_categories.get(key)
                if value is None:
                    value = joined_categories[key] = SEPARATOR.join(category_name.get(i, "") for i in key)
                put(row, c_categories, value)
            if workplace:
                put(row, c_workplace, "'" + workplace if workplace.startswith(formula) else workplace)
            if position:
                put(row, c_position, "'" + position if position.startswith(formula) else position)
            if education_:
                put(row, c_education, education.get(education_, education_))
            if degree_:
                put(row, c_degree, degree.get(degree_, degree_))
            if phone:
                put(row, c_phone, neutralise(phone) if show else mask_phone(phone), text)
            put(row, c_unit, neutralise(units.get(unit_id, "")))
            put(row, c_tier, tier.get(tier_, tier_))
            put(row, c_representative, "是" if representative else "否")
            if native_place:
                put(row, c_native, "'" + native_place if native_place.startswith(formula) else native_place)
            if address:
                put(row, c_address, "'" + address if address.startswith(formula) else address)
            if field_:
                put(row, c_field, "'" + field_ if field_.startswith(formula) else field_)
            if joined is not None:
                put(row, c_joined, joined.isoformat(), text)
            ids_ = person_tags.get(pk)
            if ids_:
                key = tuple(sorted(ids_))
                value = joined_tags.get(key)
                if value is None:
                    value = joined_tags[key] = neutralise(SEPARATOR.join(sorted(tag_name.get(i, "") for i in key)))
                put(row, c_tags, value)
            if notes:
                put(row, c_notes, "'" + notes if notes.startswith(formula) else notes)
            row += 1

    writer.row = row
    writer.count = row - first_row
    writer.close()
    return writer.count


# --- the blank import template -------------------------------------------------------------------------

def enumerations():
    """The drop-down lists of the template, by header (labels as the importer reads them)."""
    return {
        "性别": [label for _, label in choices.Gender.choices],
        "民族": [label for _, label in choices.ETHNICITIES],
        "政治面貌": [label for _, label in choices.Affiliation.choices],
        "学历": [label for _, label in choices.Education.choices],
        "学位": [label for _, label in choices.Degree.choices],
        "管理层级": [label for _, label in choices.Tier.choices],
        "是否代表人士": ["是", "否"],
    }


EXAMPLE_ID = "33099919750301123" + check_digit("33099919750301123")  # fictional, valid check digit, male
EXAMPLE = {
    "序号": "1", "姓名": "张三", "性别": "男", "民族": "汉族", "出生年月": "1975.03", "身份证号": EXAMPLE_ID,
    "政治面貌": "民盟盟员", "类别": "民主党派成员、党外知识分子", "工作单位及职务": "东溪镇中心小学", "职务": "副校长",
    "学历": "大学本科", "学位": "学士", "联系电话": "13800000000", "所在村(社区)": "东溪村", "管理层级": "镇管",
    "是否代表人士": "否", "籍贯": "浙江示范县", "住址": "东溪镇东溪村12号", "所在领域": "教育",
    "加入时间": "2005.07", "标签": "同心讲师团", "备注": "",
}

RULES = [
    "数据填写在“台账”工作表：第1行为标题，第2行为表头，从第3行起每行一人；请勿改动表头文字和列的顺序，可删去不用的列。",
    "姓名必填，其余各列可留空。",
    "身份证号、联系电话、出生年月、加入时间四列已设为文本格式；从其他表格粘贴时请选择“只粘贴值”，"
    "以免身份证号被转换为数字而丢失末尾几位（Excel只保留15位有效数字）。",
    "身份证号为18位，末位X大小写均可。",
    "出生年月、加入时间可写作“1975.03”“1975-03-01”或“1975年3月”。",
    "类别可填多个，用顿号“、”分隔，名称见下方“可填写的类别”；“华侨、归侨及侨眷”是一个类别。",
    "性别、民族、政治面貌、学历、学位、管理层级、是否代表人士可从下拉列表中选择。",
    "工作单位及职务填写工作单位名称，职务或职称填在“职务”列。",
    "所在村(社区)填写管理该人员的村（社区）或单位名称，须在导入时所选单位的管辖范围内；留空则归入导入时所选单位。",
    "标签可填多个，用顿号“、”分隔。",
    "已在台账中的人员（按身份证号识别）导入时按所选方式处理：补充空白项、覆盖或跳过。",
]


def write_template(target) -> None:
    """The blank import template: sheet 台账 (title row, header row, drop-downs, text-formatted columns)
    first, then 填写说明 with the rules, the category names and an example row."""
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {"strings_to_numbers": False, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    sheet = workbook.add_worksheet(DATA_SHEET)
    notes = workbook.add_worksheet(INSTRUCTIONS_SHEET)
    title_format = workbook.add_format({"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"})
    header_format = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center",
                                         "valign": "vcenter", "text_wrap": True})
    required_format = workbook.add_format({"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center",
                                           "valign": "vcenter", "font_color": "#C00000"})
    text_format = workbook.add_format({"num_format": "@"})
    text_columns = set(_text_column_indexes())

    sheet.merge_range(0, 0, 0, len(HEADERS) - 1, LEDGER_TITLE, title_format)
    sheet.set_row(0, 30)
    sheet.set_row(1, 22)
    for col, column in enumerate(LEDGER_COLUMNS):
        sheet.write_string(1, col, column.header, required_format if column.required else header_format)
        sheet.set_column(col, col, WIDTHS.get(column.header, 12), text_format if col in text_columns else None)
    sheet.freeze_panes(2, 2)

    drop_downs = DropDowns(workbook)
    column_of = {header: col for col, header in enumerate(HEADERS)}
    for header, values in enumerations().items():
        drop_downs.add(sheet, column_of[header], values, first_row=2, title=header, message="请从下拉列表中选择")
    for header, message in (
        ("身份证号", "18位身份证号，本列为文本格式，请勿转为数字"),
        ("出生年月", "如 1975.03 或 1975-03-01"),
        ("加入时间", "如 2005.07 或 2005-07-01"),
        ("类别", "可填多个，用顿号“、”分隔，见“填写说明”"),
    ):
        sheet.data_validation(2, column_of[header], 1_048_575, column_of[header], {
            "validate": "any", "input_title": header, "input_message": message})

    bold = workbook.add_format({"bold": True, "font_size": 12})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    example_format = workbook.add_format({"italic": True, "font_color": "#808080", "border": 1, "num_format": "@"})
    notes.set_column(1, 1, 100)
    notes.write_string(0, 0, "统战成员台账导入模板填写说明", bold)
    row = 2
    notes.write_string(row, 0, "一、填写规则", bold)
    row += 1
    for number, rule in enumerate(RULES, 1):
        notes.write_number(row, 0, number)
        notes.write_string(row, 1, rule, wrap)
        row += 1
    row += 1
    notes.write_string(row, 0, "二、可填写的类别", bold)
    row += 1
    active = Category.objects.filter(is_active=True).select_related("parent").order_by("sort_order", "code")
    for number, category in enumerate(active, 1):
        notes.write_number(row, 0, number)
        label = category.name
        if category.parent_id:
            label += f"（{category.parent.name}的子类）"
        if category.synonyms:
            label += f"　也可写作：{category.synonyms}"
        notes.write_string(row, 1, label)
        row += 1
    row += 1
    notes.write_string(row, 0, "三、填写示例（请填写在“台账”工作表中，勿在本表填写）", bold)
    row += 1
    # The example sits on this sheet, one column per line, so it is never imported as a person.
    notes.write_string(row, 0, "列名", header_format)
    notes.write_string(row, 1, "示例", header_format)
    for header in HEADERS:
        row += 1
        notes.write_string(row, 0, header)
        notes.write_string(row, 1, EXAMPLE.get(header, ""), example_format)
    notes.set_column(0, 0, 14)
    workbook.close()
