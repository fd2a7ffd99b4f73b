"""Builds the duty lists' Word templates next to this file:

    reminder_letter.docx   提醒函（发函提醒）
    progress_notice.docx   进度通报
    final_results.docx     考核结果

    .venv/bin/python duties/word_templates/build_templates.py

Each template is an ordinary Word document with docxtpl (Jinja) placeholders; what each may use is listed in
duties.documents.common.PLACEHOLDERS. Every placeholder is written into a single run, so Word keeps it whole; rows
holding `{%tr … %}` and paragraphs holding `{%p … %}` are removed when a document is rendered. The layout follows the
usual form of a Party committee department's document (GB/T 9704): the issuing organ in red, the document
number, a red rule, the title, the addressee, the body, the signature and the date.
"""

import io
import sys
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
OUTPUTS = {
    "letter": HERE / "reminder_letter.docx",
    "notice": HERE / "progress_notice.docx",
    "results": HERE / "final_results.docx",
}

BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
TITLE_FONT = "方正小标宋简体"
TABLE_FONT = "宋体"
RED = RGBColor(0xC0, 0x00, 0x00)


def _font(run, name, size, bold=False, color=None):
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _paragraph(document, text, *, font=BODY_FONT, size=16, bold=False, align=None, indent=True, color=None,
               space_after=0):
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.line_spacing = Pt(28)
    paragraph.paragraph_format.space_after = Pt(space_after)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), font, size, bold, color)
    return paragraph


def _heading(document, text):
    return _paragraph(document, text, font=HEADING_FONT, size=16)


def _tag(document, text):
    """A paragraph holding only a `{%p … %}` tag (removed when rendered)."""
    return _paragraph(document, text, indent=False)


def _red_rule(paragraph):
    """A red line under `paragraph` (the rule between the document number and the title)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _masthead(document):
    """The issuing organ in red, the document number and the red rule."""
    _paragraph(document, "{{ issuer }}", font=TITLE_FONT, size=26, color=RED, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent=False, space_after=12)
    number = _paragraph(document, "{{ doc_number }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
                        space_after=6)
    _red_rule(number)
    document.add_paragraph()


def _title(document, text):
    _paragraph(document, text, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False,
               space_after=12)


def _signature(document):
    document.add_paragraph()
    _paragraph(document, "{{ issuer }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(document, "{{ issue_date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)


def _table(document, headers, loop, cells, widths=None):
    """A table: a header row, then one row per item of `loop` ("item in items") with `cells`."""
    table = document.add_table(rows=4, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    rows = [headers, [f"{{%tr for {loop} %}}"] + [""] * (len(headers) - 1), cells,
            ["{%tr endfor %}"] + [""] * (len(headers) - 1)]
    for row_index, (row, texts) in enumerate(zip(table.rows, rows, strict=True)):
        for col, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
            if widths:
                cell.width = Cm(widths[col])
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _font(paragraph.add_run(text), TABLE_FONT, 11, bold=row_index == 0)
    return table


def _document(title):
    document = Document()
    section = document.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    document.core_properties.title = title
    document.core_properties.author = "同心统战工作平台"
    return document


def _bytes(document):
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def build_letter():
    """提醒函: the overdue items of one unit and the deadline for putting them right."""
    document = _document("提醒函")
    _masthead(document)
    _title(document, "关于督促落实统战工作职责清单的提醒函")
    _paragraph(document, "{{ unit_name }}：", indent=False)
    _paragraph(document, "".join([
        "根据《{{ scheme_title }}》，县委统战部对照职责清单开展督查。截至{{ cutoff_date }}，",
        "你单位以下{{ item_count }}项工作已过完成期限，尚未完成或未按要求报送佐证材料：",
    ]))
    _table(document, ["序号", "考核事项", "期次", "完成期限", "分值", "当前状态"], "item in items",
           ["{{ item.number }}", "{{ item.text }}", "{{ item.period }}", "{{ item.due }}", "{{ item.points }}",
            "{{ item.status }}"], widths=[1.2, 6.4, 2.6, 2.6, 1.4, 1.6])
    _paragraph(document, "".join([
        "请你单位高度重视，对照考核细则逐项抓好落实，于{{ deadline }}前（{{ deadline_days }}个工作日内）",
        "完成上述工作，并通过同心统战工作平台报送佐证材料。逾期仍未完成的，将按考核细则计分，并在全县通报。",
    ]))
    _paragraph(document, "联系人：{{ contact_name }}")
    _signature(document)
    return _bytes(document)


def build_notice():
    """进度通报: every unit's progress and score, ranked by unit type; lagging units; commendable ones."""
    document = _document("职责清单落实情况通报")
    _masthead(document)
    _title(document, "{{ title }}")
    _paragraph(document, "{{ recipients }}：", indent=False)
    _paragraph(document, "".join([
        "根据《{{ scheme_title }}》，县委统战部对{{ period_label }}（统计至{{ as_of }}）各单位统战工作职责清单",
        "落实情况进行了督查。现将有关情况通报如下：",
    ]))
    _heading(document, "一、总体情况")
    _paragraph(document, "".join([
        "本期{{ unit_count }}个单位应完成事项{{ expected }}项次，已完成{{ passed }}项次，",
        "总体完成率{{ completion_rate }}。其中，按时完成全部到期事项的单位{{ commended_count }}个，",
        "完成率低于{{ lagging_rate }}的单位{{ lagging_count }}个。",
    ]))
    _heading(document, "二、各单位进度和得分")
    _tag(document, "{%p for group in groups %}")
    _paragraph(document, "（{{ group.number }}）{{ group.label }}（{{ group.count }}个）")
    _table(document, ["名次", "单位", "应完成", "已完成", "完成率", "得分", "逾期事项"], "row in group.rows",
           ["{{ row.rank }}", "{{ row.name }}", "{{ row.expected }}", "{{ row.passed }}", "{{ row.completion_rate }}",
            "{{ row.score }}", "{{ row.overdue }}"], widths=[1.2, 5.0, 1.6, 1.6, 1.8, 1.6, 1.8])
    _tag(document, "{%p endfor %}")
    _heading(document, "三、进度滞后的单位和事项")
    _tag(document, "{%p for unit in lagging %}")
    _paragraph(document, "{{ loop.index }}．{{ unit.name }}（完成率{{ unit.completion_rate }}）：{{ unit.missing }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if not lagging %}")
    _paragraph(document, "本期没有完成率低于{{ lagging_rate }}的单位。")
    _tag(document, "{%p endif %}")
    _heading(document, "四、通报表扬")
    _tag(document, "{%p if commended %}")
    _paragraph(document, "{{ commended }}按时完成本期全部到期事项，予以通报表扬。")
    _tag(document, "{%p else %}")
    _paragraph(document, "本期没有按时完成全部到期事项的单位。")
    _tag(document, "{%p endif %}")
    _heading(document, "五、有关要求")
    _paragraph(document, "".join([
        "各单位要对照通报情况，认真分析原因，逐项抓好整改落实。进度滞后的单位要明确责任人和完成时限，",
        "尽快补齐短板，并通过同心统战工作平台及时报送佐证材料；完成较好的单位要总结经验、保持力度，",
        "确保全年考核不失分。",
    ]))
    _signature(document)
    return _bytes(document)


def build_results():
    """考核结果: the final scores and ranks by unit type, and the units commended."""
    document = _document("职责清单考核结果")
    _title(document, "{{ title }}")
    _paragraph(document, "".join([
        "根据《{{ scheme_title }}》，经各单位报送佐证材料、系统自动取数和县委统战部审核评分，",
        "{{ year }}年度统战工作职责清单考核结果如下（总分＝自动取数得分＋审核得分＋加分－扣分，",
        "结果确定于{{ finalized_date }}）：",
    ]))
    _tag(document, "{%p for group in groups %}")
    _heading(document, "{{ group.chinese_number }}、{{ group.label }}（{{ group.count }}个）")
    _table(document, ["名次", "单位", "自动取数", "审核得分", "加分", "扣分", "总分", "得分率", "表彰"],
           "row in group.rows",
           ["{{ row.rank }}", "{{ row.name }}", "{{ row.automatic }}", "{{ row.reviewed }}", "{{ row.bonus }}",
            "{{ row.deductions }}", "{{ row.total }}", "{{ row.percent }}", "{{ row.commended }}"],
           widths=[1.2, 4.4, 1.6, 1.6, 1.2, 1.2, 1.4, 1.6, 1.4])
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p if commended %}")
    _heading(document, "拟表彰单位（优秀）")
    _tag(document, "{%p for row in commended %}")
    _paragraph(document, "{{ loop.index }}．{{ row.name }}{{ row.note }}")
    _tag(document, "{%p endfor %}")
    _tag(document, "{%p endif %}")
    _signature(document)
    return _bytes(document)


BUILDERS = {"letter": build_letter, "notice": build_notice, "results": build_results}


def main():
    for kind, builder in BUILDERS.items():
        OUTPUTS[kind].write_bytes(builder())
        sys.stdout.write(f"written {OUTPUTS[kind]}\n")


if __name__ == "__main__":
    main()
