"""Builds the default work-report template, work_report.docx, next to this file.

    .venv/bin/python dashboard/report_templates/build_work_report.py

The template is an ordinary Word document with docxtpl (Jinja) placeholders; the placeholders it may use are
listed in dashboard.reports.PLACEHOLDERS. Each placeholder is written into a single run, so Word keeps it
whole; rows holding `{%tr … %}` and paragraphs holding `{%p … %}` are removed when the report is rendered.
A county that wants another layout edits a copy of the generated file in Word and uploads it.
"""

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

OUTPUT = Path(__file__).resolve().parent / "work_report.docx"

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"


def _font(run, name, size, bold=False):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text, *, font=BODY_FONT, size=16, bold=False, align=None, indent=True):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(0)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), font, size, bold)
    return paragraph


def _heading(document, text):
    return _paragraph(document, text, font=HEADING_FONT, size=16)


def _tag(document, text):
    """A paragraph holding only a `{%p … %}` tag (removed when rendered)."""
    return _paragraph(document, text, indent=False)


def _table(document, headers, loop, cells):
    """A table: a header row, then one row per item of `loop` ("row in people_by_category") with `cells`."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [headers, [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1), cells,
            ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    for row_index, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
        for col, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if col == 0 else WD_ALIGN_PARAGRAPH.CENTER
            _font(paragraph.add_run(text), TABLE_FONT, 12, bold=row_index == 0)
    document.add_paragraph()
    return table


def build():
    """The template as .docx bytes."""
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = "统战工作情况汇报"
    document.core_properties.author = "同心统战工作平台"

    _paragraph(document, "{{ unit_name }}{{ period_label }}统战工作情况汇报", font=TITLE_FONT, size=22,
               align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, "（{{ report_date }}）", size=16, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, "现将{{ unit_name }}{{ period_label }}（{{ period_start }}至{{ period_end }}）统一战线工作"
                         "有关情况汇报如下，文中对比数据为{{ previous_period_label }}同口径数据。")

    _heading(document, "一、统战成员台账建设")
    _paragraph(document, "".join([
        "建立{{ category_count }}类{{ people_total }}名统战成员数据台账",
        "（{{ previous_period_label }}为{{ people_total_prev }}名，{{ people_total_trend }}）。",
        "本期新登记统战成员{{ people_added }}名，调出、退出或去世{{ people_left }}名，",
        "台账信息完整率{{ completeness_rate }}。按管理层级分，",
        "{% for row in people_by_tier %}{{ row.name }}{{ row.value }}名",
        "{% if not loop.last %}、{% endif %}{% endfor %}。",
        "各类别人数如下：",
    ]))
    _table(document, ["类别", "在册人数", "占比", "上期", "变化"], "row in people_by_category",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.share }}", "{{ row.prev }}", "{{ row.trend }}"])

    _heading(document, "二、党外代表人士队伍建设")
    _paragraph(document, "".join([
        "发现、培养、认定党外代表人士{{ reps_total }}名（{{ reps_total_trend }}），",
        "其中认定{{ reps_certified }}名。本期新发现{{ reps_new_discovered }}名、",
        "新列入培养{{ reps_new_cultivated }}名、新认定{{ reps_new_certified }}名，退出{{ reps_exited }}名。",
        "按层级分，",
        "{% for row in reps_by_level %}{{ row.name }}{{ row.value }}名",
        "{% if not loop.last %}、{% endif %}{% endfor %}。",
        "各阶段人数如下：",
    ]))
    _table(document, ["阶段", "人数", "占比", "上期", "变化"], "row in reps_by_stage",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.share }}", "{{ row.prev }}", "{{ row.trend }}"])

    _heading(document, "三、联谊交友和对口联系")
    _paragraph(document, "".join([
        "结对联系党外代表人士{{ pairings }}对（{{ pairings_trend }}），",
        "开展联系{{ contacts }}次（{{ contacts_trend }}），结对联系率{{ contact_rate }}，",
        "联系进度达标率{{ coverage_rate }}（{{ coverage_rate_trend }}），",
        "联系进度落后的结对{{ pairings_behind }}对。",
        "联系中反映问题和建议{{ follow_ups }}件，本期办结{{ follow_ups_closed }}件。联系形式如下：",
    ]))
    _table(document, ["联系形式", "次数", "占比", "上期", "变化"], "row in contacts_by_form",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.share }}", "{{ row.prev }}", "{{ row.trend }}"])

    _heading(document, "四、活动开展")
    _paragraph(document, "".join([
        "开展各类活动{{ activities_held }}次（{{ activities_held_trend }}），",
        "{{ activities_participants }}名统战成员参加，",
        "共{{ activities_headcount }}人次（{{ activities_headcount_trend }}）。",
        "活动计划应开展{{ occurrences_expected }}期次，已开展{{ occurrences_fulfilled }}期次，",
        "计划完成率{{ fulfilment_rate }}。各类活动如下：",
    ]))
    _table(document, ["活动类型", "次数", "占比", "上期", "变化"], "row in activities_by_type",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.share }}", "{{ row.prev }}", "{{ row.trend }}"])

    _heading(document, "五、主要指标与上期对比")
    _table(document, ["指标", "{{ period_label }}", "{{ previous_period_label }}", "变化"], "row in trends",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.prev }}", "{{ row.trend }}"])

    _tag(document, "{%p if has_duties %}")
    _heading(document, "六、职责清单落实情况")
    _paragraph(document, "".join([
        "职责清单完成率{{ duties_completion_rate }}（{{ duties_completion_rate_trend }}），",
        "考核得分{{ duties_score }}分，逾期事项{{ duties_items_overdue }}项。各项指标如下：",
    ]))
    _table(document, ["指标", "本期", "上期", "变化"], "row in duties_figures",
           ["{{ row.name }}", "{{ row.value }}", "{{ row.prev }}", "{{ row.trend }}"])
    _tag(document, "{%p endif %}")

    _paragraph(document, "（本报告数据由同心统战工作平台根据系统数据自动生成，生成日期{{ report_date }}。）", size=12)

    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def main():
    OUTPUT.write_bytes(build())
    sys.stdout.write(f"written {OUTPUT}\n")


if __name__ == "__main__":
    main()
