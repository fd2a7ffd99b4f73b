"""Word rendering (core.word): templates with placeholders and table loops, refusal of bad templates, downloads."""

import io
import zipfile
from urllib.parse import quote

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document

from core import word
from core.word import build_docx, check_template, docx_response, render_docx, template_placeholders

TABLE = [
    ["序号", "事项"],
    ["{%tr for item in items %}", ""],
    ["{{ loop.index }}", "{{ item.title }}"],
    ["{%tr endfor %}", ""],
]


def letter():
    return build_docx(
        "致{{ unit_name }}：",
        "请于{{ deadline }}前完成以下工作：",
        TABLE,
        "{% if note %}备注：{{ note }}{% endif %}",
        "{{ signature }}",
        header="{{ unit_name }}统战工作",
        footer="第{{ page }}页",
    )


def texts(data):
    document = Document(io.BytesIO(data))
    return [p.text for p in document.paragraphs]


def table_rows(data):
    return [[cell.text for cell in row.cells] for row in Document(io.BytesIO(data)).tables[0].rows]


def refusal(call):
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value


def test_render_with_chinese_text_and_table_loop():
    context = {
        "unit_name": "东溪镇<统战办>&",  # escaped, not breaking the document
        "deadline": "2026年3月31日",
        "items": [{"title": "走访党外代表人士"}, {"title": "召开“同心”座谈会"}],
        "note": "",
        "signature": "中共测试县委统战部",
        "page": 1,
    }
    data = render_docx(letter(), context)
    paragraphs = texts(data)
    assert paragraphs[0] == "致东溪镇<统战办>&："
    assert paragraphs[1] == "请于2026年3月31日前完成以下工作："
    assert "中共测试县委统战部" in paragraphs
    assert not any("备注" in p for p in paragraphs)
    assert table_rows(data) == [["序号", "事项"], ["1", "走访党外代表人士"], ["2", "召开“同心”座谈会"]]
    document = Document(io.BytesIO(data))
    assert document.sections[0].header.paragraphs[0].text == "东溪镇<统战办>&统战工作"
    assert document.sections[0].footer.paragraphs[0].text == "第1页"
    # No rows: the table keeps its header only.
    assert table_rows(render_docx(letter(), context | {"items": []})) == [["序号", "事项"]]


def test_template_sources(tmp_path):
    path = tmp_path / "催办函.docx"
    path.write_bytes(letter())
    upload = SimpleUploadedFile("催办函.docx", letter(), content_type=word.DOCX_CONTENT_TYPE)
    upload.seek(5)
    for template in (str(path), path, letter(), io.BytesIO(letter()), upload):
        assert texts(render_docx(template, {"unit_name": "西岭镇", "items": []}))[0] == "致西岭镇："
    assert upload.tell() == 5  # left where it was, for the form to save it
    with pytest.raises(ValidationError, match="无法读取模板文件“缺失.docx”"):
        render_docx(tmp_path / "缺失.docx", {})


def test_placeholders():
    # Top-level names only, body, table, header and footer; loop variables (item, loop) are not placeholders.
    assert template_placeholders(letter()) == {"unit_name", "deadline", "items", "note", "signature", "page"}
    assert template_placeholders(build_docx("{{ unit.name }}{% set x = 1 %}{{ x }}")) == {"unit"}
    assert template_placeholders(build_docx("没有占位符")) == set()


def test_check_template_accepts_known_placeholders():
    allowed = {"unit_name": "单位名称", "deadline": "截止日期", "items": "事项", "note": "备注",
               "signature": "落款", "page": "页码", "year": "年度"}
    assert check_template(letter(), allowed) == {"unit_name", "deadline", "items", "note", "signature", "page"}
    assert check_template(letter(), list(allowed)) == check_template(letter(), allowed)


def test_unknown_placeholder_refused_with_its_name():
    error = refusal(lambda: check_template(letter(), ["unit_name", "deadline", "items", "note"]))
    assert error.code == "unknown_placeholder"
    assert error.messages == ["模板中有未知的占位符：{{ page }}、{{ signature }}。可以使用的占位符："
                              "{{ unit_name }}、{{ deadline }}、{{ items }}、{{ note }}。"]
    error = refusal(lambda: check_template(build_docx("{{ foo }}{{ bar }}"), []))
    assert error.messages == ["模板中有未知的占位符：{{ bar }}、{{ foo }}。"]


def xlsx_bytes():
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output)
    workbook.add_worksheet().write(0, 0, "{{ x }}")
    workbook.close()
    return output.getvalue()


def plain_zip():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("说明.txt", "不是Word")
    return output.getvalue()


@pytest.mark.parametrize("data", [
    "这是一个改了扩展名的文本文件".encode(),  # renamed text file
    b"",
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500),  # an old .doc (OLE) renamed to .docx
    letter()[:2000],  # truncated upload
    plain_zip(),  # a zip, but no Word package
    xlsx_bytes(),  # a workbook renamed to .docx
])
def test_not_a_docx_refused(data):
    upload = SimpleUploadedFile("模板.docx", data)
    for call in (lambda: check_template(upload, ["x"]), lambda: template_placeholders(data),
                 lambda: render_docx(data, {})):
        error = refusal(call)
        assert error.code == "invalid_docx"
        assert "不是有效的 Word 文档（.docx）" in error.messages[0]


def test_corrupt_document_xml_refused():
    source = zipfile.ZipFile(io.BytesIO(letter()))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for info in source.infolist():
            archive.writestr(info, b"<w:document><w:body>" if info.filename == "word/document.xml"
                             else source.read(info))
    assert refusal(lambda: check_template(output.getvalue(), [])).code == "invalid_docx"


@pytest.mark.parametrize(("paragraphs", "expected"), [
    # (docxtpl joins the text up to the next "}" it finds: the place shows where the error starts)
    (["第一段", "尊敬的{{ name }：", "落款"], "模板有语法错误，位于正文“尊敬的{{ name }：落款”处：多余或不成对的“}”"),
    (["{% for item in items %}", "{{ item }}"], "缺少结束标记 {% endfor %}"),
    (["{% if note %}", "{{ note }}"], "缺少结束标记 {% endif %}"),
    (["开头", "{% endfor %}"], "无法识别的标记“endfor”"),
    (["{{ 单位 名称 }}"], "模板有语法错误，位于正文“{{ 单位 名称 }}”处：此处应为“}}”，实际为“名称”"),
])
def test_syntax_error_refused(paragraphs, expected):
    template = build_docx(*paragraphs)
    for call in (lambda: check_template(template, ["name", "items"]), lambda: render_docx(template, {})):
        error = refusal(call)
        assert error.code == "template_syntax"
        assert expected in error.messages[0], error.messages[0]


def test_syntax_error_in_header_located():
    error = refusal(lambda: template_placeholders(build_docx("正文", header="{{ unit_name ")))
    assert error.messages[0].startswith("模板有语法错误，位于页眉“{{ unit_name”处")


def test_sandbox_and_render_errors_refused():
    template = build_docx("{{ unit.__class__.__mro__ }}")
    error = refusal(lambda: render_docx(template, {"unit": "东溪镇"}))
    assert error.code == "render_error"
    assert error.messages[0].startswith("按模板生成文档时出错：模板中有不允许的写法")
    error = refusal(lambda: render_docx(build_docx("{{ unit.name.first }}"), {}))
    assert error.messages == ["按模板生成文档时出错：模板用到的数据不存在（'unit' is undefined）。"]


def test_docx_response_headers():
    data = render_docx(letter(), {"unit_name": "东溪镇"})
    response = docx_response(data, "催办函_东溪镇.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('催办函_东溪镇.docx')}"
    assert response["Content-Length"] == str(len(data))
    assert response.content == data
    assert docx_response(data, "report")["Content-Disposition"] == 'attachment; filename="report.docx"'
