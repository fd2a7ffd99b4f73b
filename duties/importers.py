"""Importing a scheme's indicators from Excel (导入考核细则), on core's import framework (core.importing.framework):
a new draft scheme whose fields come with the upload (`SchemeImporter`), or the indicators of a scheme without
submissions replaced (`IndicatorImporter`). The upload, the check in the background, the preview with every
problem by row and column, the confirmation and the error workbook are the framework's; what is here is the
column spec, the converters, the checks of a row and the writer.

The columns are those of duties.exports (an exported scheme imports again); a title row above the header is
fine, the header is found among the first rows, and a few other spellings of the headers are accepted. Each row
is an item under the category in the first column; an empty category cell repeats the one above (merged
cells); a row with a category and no item text creates the category alone. Nothing is saved unless the whole
file is right.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html

from core.importing import CellError, ImportFileError, Problem, cell_int, cell_text
from core.importing.columns import Column, Columns
from core.importing.framework import Importer, ImportRefused, Plan, register
from org.models import Unit
from org.services import county_of

from . import import_cells as cells
from .exports import COLUMNS as EXPORT_COLUMNS
from .exports import WIDTHS
from .forms import SchemeForm
from .models import Indicator, Scheme, Submission

MAX_ITEMS = 2000
SYNONYMS = {
    "类别": ("指标类别", "一级指标", "考核类别", "类型"),
    "考核事项": ("指标内容", "考核内容", "二级指标", "考核指标", "事项", "内容"),
    "分值": ("分数", "满分"),
    "计分方式": ("评分方式", "考核方式"),
    "每次分值": ("每次得分",),
    "最低分": (),
    "佐证材料要求": ("佐证材料", "佐证要求"),
    "频次": ("频率",),
    "截止日期": ("完成时限", "截止时间"),
    "截止工作日数": ("工作日数",),
    "工作日起算": (),
    "适用范围": ("共性/个性", "类别（共性/个性）"),
    "适用单位类型": ("单位类型",),
    "适用单位": (),
    "自动取数指标": ("自动取数", "取数指标"),
    "取数参数": ("参数",),
    "比较方式": ("比较",),
    "达标值": ("阈值",),
    "建议得分": ("得分规则", "建议得分方式"),
}
COLUMNS = Columns([Column(name, SYNONYMS.get(name, ()), required=name in ("类别", "考核事项"),
                          width=WIDTHS.get(name, 0)) for name in EXPORT_COLUMNS])
class IndicatorPlan(Plan):
    def __init__(self):
        super().__init__()
        self.categories = []  # [(row, name)] in the order of the file
        self.items = []  # [(row, category name, unsaved Indicator, [units])]


class IndicatorFileImporter(Importer):
    """What both imports share: the file's columns, the checks of a row and the writing of the indicators. A
    subclass says which scheme they go into (`target_scheme`, `scheme_to_write`)."""

    noun = "类别和考核事项"
    measure = "项"
    sheet_label = "考核细则"
    columns = COLUMNS
    model = Scheme
    action = "manage"
    counts_shown = ("data_rows", "created", "invalid_rows")
    preview_columns = (("row", "行号"), ("category", "类别"), ("text", "考核事项"), ("points", "分值"),
                       ("method", "计分方式"), ("frequency", "频次"), ("applies", "适用"))
    upload_help = (
        "文件格式与“导出Excel”相同：每行一个考核事项，第一列为所属类别（同一类别可只在第一行填写）；"
        "只填类别、不填考核事项的行建立一个空类别。",
        "文件中有任何错误时不导入任何内容，并列出出错的行和列。",
    )
    conflict_message = "导入期间考核细则被其他操作修改，未写入任何数据，请重新上传。"
    replacing = False

    @classmethod
    def done_url(cls, result):
        scheme = result.get("outcome", {}).get("scheme")
        return (reverse("duties:scheme_detail", args=[scheme]) if scheme else None), "查看考核细则"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.scheme = self.target_scheme()
        self.current = None  # the category of the rows below a category cell
        self.categories = {}  # name -> first row
        self.position = 0

    def target_scheme(self):
        """The scheme the indicators go into (unsaved for a new one)."""
        raise NotImplementedError

    def scheme_to_write(self):
        """The scheme to write the indicators into, inside the write's transaction."""
        raise NotImplementedError

    def audit_object(self, plan):
        return self.scheme

    def converters(self, table):
        self.units = cells.unit_lookup(self.scheme)
        year = self.scheme.year
        return [
            ("类别", "category", cell_text),
            ("考核事项", "text", cell_text),
            ("分值", "points", lambda v: cells.decimal(v, required=True)),
            ("计分方式", "method", lambda v: cells.choice(v, cells.METHODS, "done", "计分方式")),
            ("每次分值", "unit_points", cells.decimal),
            ("最低分", "score_min", cells.decimal),
            ("佐证材料要求", "evidence_required", cell_text),
            ("频次", "frequency", lambda v: cells.choice(v, cells.FREQUENCIES, "year", "频次")),
            ("截止日期", "deadline", lambda v: cells.deadline(v, year)),
            ("截止工作日数", "deadline_days", lambda v: cell_int(v, minimum=0, maximum=365)),
            ("工作日起算", "deadline_anchor", lambda v: cells.choice(v, cells.ANCHORS, "start", "工作日起算方式")),
            ("适用范围", "applies_to",
             lambda v: cells.choice(v, cells.APPLICABILITY, "common", "适用范围（共性/个性）")),
            ("适用单位类型", "unit_types", lambda v: [
                cells.choice(part, cells.UNIT_TYPES, None, "单位类型") for part in cells.split(cell_text(v))]),
            ("适用单位", "units", lambda v: cells.units(cell_text(v), self.units)),
            ("自动取数指标", "metric_key", lambda v: cells.metric_key(cell_text(v))),
            ("取数参数", "metric_params", cell_text),
            ("比较方式", "rule_comparison", lambda v: cells.choice(v, cells.COMPARISONS, "gte", "比较方式")),
            ("达标值", "rule_threshold", lambda v: cells.decimal(v, minimum=Decimal("-1e9"))),
            ("建议得分", "rule_mapping", lambda v: cells.choice(v, cells.MAPPINGS, "threshold", "建议得分方式")),
        ]

    def check_row(self, number, raw, got, problems):
        """A category row, or an item under the current category. A row that names no item (or has no category
        to go under) reports only that: what its other cells hold is not read."""
        category_text = got.get("category", "")
        if category_text:
            self.current = category_text
        elif self.current is None:
            problems[:] = [Problem(number, "类别", "不能为空（第一行须填写类别）。")]
            return None
        row = {"row": number, "category": self.current, "new_category": self.current not in self.categories,
               "item": None, "units": []}
        self.categories.setdefault(self.current, number)
        too_long = row["new_category"] and len(self.current) > 200
        if not got.get("text"):
            problems[:] = [] if category_text else [Problem(number, "考核事项", "不能为空。")]
        else:
            self.position += 1
            if "points" not in got and not any(p.column == "分值" for p in problems):
                problems.append(Problem(number, "分值", "不能为空。"))
            try:
                got["metric_params"] = cells.params(got.get("metric_params", ""), got.get("metric_key", ""))
            except CellError as error:
                problems.append(Problem(number, "取数参数", str(error)))
            if not problems:
                row["item"], row["units"] = self.item(number, got, problems)
        if too_long:
            problems.insert(0, Problem(number, "类别", "类别名称过长（最多200字）。"))
        return row

    def item(self, number, got, problems):
        """An unsaved item and its units; the model's own checks add to `problems`."""
        units = got.get("units") or []
        fields = {
            "text": got["text"], "points": got.get("points"), "method": got.get("method", "done"),
            "unit_points": got.get("unit_points"), "score_min": got.get("score_min") or Decimal(0),
            "evidence_required": got.get("evidence_required", ""), "frequency": got.get("frequency", "year"),
            "deadline": got.get("deadline"), "deadline_days": got.get("deadline_days"),
            "deadline_anchor": got.get("deadline_anchor", "start"), "applies_to": got.get("applies_to", "common"),
            "unit_types": got.get("unit_types", []), "metric_key": got.get("metric_key", ""),
            "metric_params": got.get("metric_params") or {}, "rule_comparison": got.get("rule_comparison", "gte"),
            "rule_threshold": got.get("rule_threshold"), "rule_mapping": got.get("rule_mapping", "threshold"),
        }
        if fields["applies_to"] == Indicator.Applicability.SPECIFIC and not units:
            problems.append(Problem(number, "适用单位", "个性事项须填写适用单位。"))
        if fields["applies_to"] == Indicator.Applicability.COMMON and units:
            problems.append(Problem(number, "适用单位",
                                    "共性事项不填写适用单位（按单位类型适用）；要指定单位请将适用范围填为“个性”。"))
        item = Indicator(scheme=self.scheme, sort_order=self.position, **fields)
        errors = {}
        # What full_clean() checks, but without the category, which is saved only when the import is written.
        for check in (lambda: item.clean_fields(exclude=["scheme", "parent"]), item.clean_item):
            try:
                check()
            except ValidationError as error:
                for name, messages in error.message_dict.items():
                    errors.setdefault(name, []).extend(messages)
        for name, messages in errors.items():
            problems.extend(Problem(number, cells.FIELD_COLUMNS.get(name, ""), message) for message in messages)
        return item, units

    def checked(self, rows):
        if not self.result.data_rows:
            raise ImportFileError("表格中没有考核事项。")
        if self.result.data_rows > MAX_ITEMS:
            raise ImportFileError(f"一次最多导入{MAX_ITEMS}个考核事项，文件中有{self.result.data_rows}行。")

    def plan(self, rows):
        plan = IndicatorPlan()
        for row in rows:
            if row["new_category"]:
                plan.categories.append((row["row"], row["category"]))
            if row["item"] is not None and row["row"] not in self.invalid:
                plan.items.append((row["row"], row["category"], row["item"], row["units"]))
        plan.create = plan.categories + plan.items
        plan.summary = {"类别": len(plan.categories), "考核事项": len(plan.items)}
        if self.replacing:
            plan.summary["删除现有"] = self.scheme.indicators.count()
        plan.preview = [_preview(row, category, item) for row, category, item, _ in plan.items]
        return plan

    def write(self, plan):
        scheme = self.scheme_to_write()
        categories = {}
        for sort_order, (_, name) in enumerate(plan.categories, start=1):
            categories[name] = Indicator.objects.create(scheme=scheme, text=name, sort_order=sort_order)
        for _, category, item, units in plan.items:
            item.scheme, item.parent = scheme, categories[category]
            item.save()
            item.units.set(units)
        self.result.outcome.update(scheme=scheme.pk, title=scheme.title)


@register
class IndicatorImporter(IndicatorFileImporter):
    """Replace the indicators of a scheme that has no submissions yet (options: {"scheme": pk})."""

    kind = "duties.indicators"
    title = "从Excel导入考核指标"
    replacing = True

    @classmethod
    def upload_context(cls, request, pk):
        scheme = get_object_or_404(Scheme.objects.visible_to(request.user, "manage").select_related("owner_unit"),
                                   pk=pk)
        return {"object": scheme}

    @classmethod
    def job_context(cls, job):
        scheme = Scheme.objects.visible_to(job.user, "manage").filter(pk=job.options.get("scheme")).first()
        return {"object": scheme} if scheme is not None else {}

    @classmethod
    def job_visible(cls, user, job):
        return super().job_visible(user, job) and "object" in cls.job_context(job)

    @classmethod
    def refusal(cls, context):
        if Submission.objects.filter(indicator__scheme=context["object"]).exists():
            return "该细则已有单位报送材料，不能整体替换指标。"
        return ""

    @classmethod
    def upload_note(cls, context):
        return format_html("导入将<strong>删除“{}”现有的全部类别和考核事项</strong>，替换为文件中的内容。"
                           "建议先“导出Excel”，在导出的文件上修改后再导入。", context["object"])

    @classmethod
    def clean_options(cls, form, context):
        return {"scheme": context["object"].pk}

    @classmethod
    def job_unit(cls, request, context):
        return context["object"].owner_unit

    @classmethod
    def describe_options(cls, options):
        return [("导入方式", "替换现有的全部类别和考核事项")]

    @classmethod
    def breadcrumbs(cls, context):
        crumbs = [("考核细则", reverse("duties:scheme_list"))]
        if "object" in context:
            crumbs.append((str(context["object"]), context["object"].get_absolute_url()))
        return crumbs

    @classmethod
    def upload_url(cls, context):
        return reverse("duties:scheme_indicator_import", args=[context["object"].pk]) if "object" in context else None

    @classmethod
    def back_url(cls, context):
        return context["object"].get_absolute_url()

    @classmethod
    def done_message(cls, file_name, result):
        summary = result["summary"]
        return f"已替换为文件中的{summary['类别']}个类别、{summary['考核事项']}个考核事项。"

    # --- one run ---------------------------------------------------------------------------------------------

    def target_scheme(self):
        schemes = Scheme.objects.all() if self.user is None else Scheme.objects.visible_to(self.user, "manage")
        scheme = schemes.select_related("owner_unit").filter(pk=self.options.get("scheme")).first()
        if scheme is None:
            raise ImportRefused("该考核细则已不存在，或您已无权管理。")
        return scheme

    def audit_options(self):
        return {"替换指标": True}

    def scheme_to_write(self):
        """The scheme, its indicators deleted; refused once a unit has submitted evidence."""
        scheme = Scheme.objects.select_for_update().get(pk=self.scheme.pk)
        if Submission.objects.filter(indicator__scheme=scheme).exists():
            raise ImportRefused("该考核细则已有报送材料，不能整体替换指标。")
        scheme.indicators.all().delete()  # items go with their categories
        return scheme


@register
class SchemeImporter(IndicatorFileImporter):
    """A new draft scheme: its fields come with the upload (options: the SchemeForm's), its indicators from the file."""

    kind = "duties.scheme"
    title = "从Excel导入考核细则"
    options_form = SchemeForm
    replacing = False
    upload_help = (
        "填写细则的年度、名称和考核范围，并选择考核指标的 Excel 文件，导入后为草稿。",
        *IndicatorFileImporter.upload_help,
    )

    @classmethod
    def clean_options(cls, form, context):
        data = form.cleaned_data
        return {"year": data["year"], "title": data["title"].strip(), "unit_types": list(data["unit_types"]),
                "units": [unit.pk for unit in data["units"]], "periods": list(data["periods"]),
                "description": data["description"]}

    @classmethod
    def job_unit(cls, request, context):
        return county_of(request.user)

    @classmethod
    def describe_options(cls, options):
        return [("考核细则", f"{options.get('year')}年 {options.get('title')}（新建，草稿）")]

    @classmethod
    def breadcrumbs(cls, context):
        return [("考核细则", reverse("duties:scheme_list"))]

    @classmethod
    def back_url(cls, context):
        return reverse("duties:scheme_list")

    @classmethod
    def done_message(cls, file_name, result):
        summary = result["summary"]
        return (f"已导入考核细则“{result['outcome']['title']}”：{summary['类别']}个类别、"
                f"{summary['考核事项']}个考核事项（草稿）。")

    def target_scheme(self):
        options = self.options
        owner = self.unit if self.unit is not None else county_of(self.user)
        return Scheme(year=options.get("year"), title=options.get("title", ""), owner_unit=owner,
                      unit_types=options.get("unit_types", []), periods=options.get("periods", []),
                      description=options.get("description", ""))

    def scheme_to_write(self):
        scheme = self.scheme
        if Scheme.objects.filter(year=scheme.year, title=scheme.title).exists():
            raise ImportRefused(f"{scheme.year}年已有名为“{scheme.title}”的考核细则，请重新上传并换一个名称。")
        scheme.created_by = scheme.updated_by = self.user
        scheme.save()
        scheme.units.set(Unit.objects.filter(pk__in=self.options.get("units", [])))
        return scheme


def _preview(row, category, item):
    applies = "、".join(_UNIT_TYPE_LABELS.get(t, t) for t in item.unit_types) or item.get_applies_to_display()
    return {"row": row, "category": category, "text": item.text,
            "points": "" if item.points is None else f"{item.points.normalize():f}",
            "method": item.get_method_display(), "frequency": item.get_frequency_display(), "applies": applies}


_UNIT_TYPE_LABELS = dict(Unit.Type.choices)
