"""Word documents from templates (docxtpl): reminder letters, notices, work reports.

A template is an ordinary .docx written in Word with Jinja placeholders — `{{ unit_name }}` in the text,
`{%tr for row in rows %}` … `{%tr endfor %}` rows around a table row that repeats (see docxtpl's docs). It may
be given as a path, bytes, or a file-like object (an upload, a FieldFile):

    from core import word

    word.check_template(upload, allowed={"unit_name": "单位名称", "rows": "明细"})   # ValidationError if not
    data = word.render_docx(template.file, {"unit_name": "东溪镇", "rows": [...]})
    return word.docx_response(data, "催办函_东溪镇.docx")

Rendering escapes the values (autoescape: "<", "&" in a name cannot break the document) and runs in Jinja's
sandbox: a template uploaded by an administrator cannot reach Python internals through the context.
Anything wrong with a template — not a .docx, a syntax error, an unknown placeholder, an error while
rendering — raises `django.core.exceptions.ValidationError` with a message for the user, never a 500.
"""

import html
import io
import os
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.oxml import parse_xml
from docxtpl import DocxTemplate
from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError, meta
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FOOTNOTES_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# The core properties docxtpl renders as templates too (DocxTemplate.render_properties).
RENDERED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
MAX_UNCOMPRESSED = 100 * 1024 * 1024  # a .docx that unpacks to more than this is refused (zip bomb)

NOT_A_DOCX = ("模板文件不是有效的 Word 文档（.docx）。如果是 .doc 或 WPS 格式，请在 Word 或 WPS 中“另存为”"
              " .docx 格式后再上传。")

# Chinese explanations of the Jinja syntax errors template authors make most often (the original follows).
SYNTAX_HINTS = [
    (r"unexpected end of template.*innermost block that needs to be closed is '(?P<block>\w+)'",
     lambda m: f"缺少结束标记 {{% end{m['block']} %}}"),
    (r"unexpected end of template", lambda m: "缺少结束标记（例如 {% endfor %}、{% endif %}）"),
    (r"encountered unknown tag '(?P<tag>[^']*)'", lambda m: f"无法识别的标记“{m['tag']}”"),
    (r"unexpected char '(?P<char>[^']*)'", lambda m: f"无法识别的字符“{m['char']}”"),
    (r"unexpected '(?P<char>[^']*)'", lambda m: f"多余或不成对的“{m['char']}”"),
    (r"expected token '(?P<token>[^']*)', got '(?P<got>[^']*)'",
     lambda m: f"此处应为“{_token(m['token'])}”，实际为“{_token(m['got'])}”"),
]
TOKEN_NAMES = {"end of print statement": "}}", "end of statement block": "%}", "name": "名称",
               "end of template": "模板结尾"}


def render_docx(template, context):
    """The document `template` makes with `context` (a dict), as bytes of a .docx."""
    document = _open(template)
    environment = _environment()
    try:
        document.render(dict(context), jinja_env=environment, autoescape=True)
        output = io.BytesIO()
        document.save(output)
    except TemplateSyntaxError:
        _parse_parts(_open(template), environment)  # raises the located, explained error
        raise ValidationError("模板有语法错误，无法生成文档。", code="template_syntax") from None
    except TemplateError as error:
        if isinstance(error, SecurityError):
            detail = f"模板中有不允许的写法（{error}）。"
        elif isinstance(error, UndefinedError):
            detail = f"模板用到的数据不存在（{error}）。"
        else:
            detail = str(error)
        raise ValidationError(f"按模板生成文档时出错：{detail}", code="render_error") from error
    except etree.LxmlError as error:
        raise ValidationError("按模板生成的文档结构无效，请检查模板中 {%p %}、{%tr %} 等标记是否放在了单独的段落或"
                              "表格行中。", code="render_error") from error
    return output.getvalue()


def template_placeholders(template):
    """The top-level variable names `template` uses: `{{ unit.name }}` and `{% for row in rows %}` give
    {"unit", "rows"}; loop variables and names the template sets itself are not included."""
    names = set()
    for parsed in _parse_parts(_open(template), _environment()):
        names |= meta.find_undeclared_variables(parsed)
    return names


def check_template(template, allowed: Iterable[str]):
    """Refuse (ValidationError) a template that is not a valid .docx, has a syntax error, or uses a
    placeholder not in `allowed` (names; a dict {name: description} works). Returns its placeholders."""
    allowed = list(allowed)
    placeholders = template_placeholders(template)
    unknown = sorted(placeholders - set(allowed))
    if unknown:
        message = f"模板中有未知的占位符：{_names(unknown)}。"
        if allowed:
            message += f"可以使用的占位符：{_names(allowed)}。"
        raise ValidationError(message, code="unknown_placeholder")
    return placeholders


def docx_response(data: bytes, filename: str) -> HttpResponse:
    """`data` as a .docx download named `filename`. A Chinese name is sent as RFC 5987 `filename*` by Django's
    `content_disposition_header`, the helper FileResponse uses for core.excel's xlsx_response."""
    if not filename.lower().endswith(".docx"):
        filename += ".docx"
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Content-Length"] = str(len(data))
    return response


def build_docx(*blocks, header="", footer="") -> bytes:
    """A simple .docx (tests, built-in default templates): each block is a paragraph (a string) or a table
    (a list of rows, each a list of cell texts); optional header and footer text."""
    document = Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        rows = [list(row) for row in block]
        table = document.add_table(rows=len(rows), cols=max(len(row) for row in rows))
        for table_row, texts in zip(table.rows, rows, strict=True):
            for cell, text in zip(table_row.cells, texts, strict=False):
                cell.text = str(text)
    section = document.sections[0]
    if header:
        section.header.paragraphs[0].text = header
    if footer:
        section.footer.paragraphs[0].text = footer
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()


def _token(name):
    return TOKEN_NAMES.get(name, name)


def _names(names):
    return "、".join(f"{{{{ {name} }}}}" for name in names)


def _environment():
    return SandboxedEnvironment(autoescape=True)


def _read(template):
    """The bytes of `template` (a path, bytes, or a file-like object, left where it was)."""
    if isinstance(template, bytes | bytearray | memoryview):
        return bytes(template)
    if isinstance(template, str | os.PathLike):
        try:
            return Path(template).read_bytes()
        except OSError as error:
            raise ValidationError(f"无法读取模板文件“{Path(template).name}”。", code="unreadable") from error
    if hasattr(template, "read"):
        position = None
        try:
            if hasattr(template, "seek"):
                position = template.tell() if hasattr(template, "tell") else 0
                template.seek(0)
            data = template.read()
            if position is not None:
                template.seek(position)
        except (OSError, ValueError) as error:
            raise ValidationError("无法读取模板文件。", code="unreadable") from error
        return data.encode() if isinstance(data, str) else bytes(data)
    raise TypeError(f"A template is a path, bytes or a file-like object, not {type(template).__name__}.")


def _open(template):
    """A DocxTemplate of `template` with its document loaded; ValidationError when it is not a .docx."""
    data = _read(template)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_UNCOMPRESSED:
                raise ValidationError("模板文件过大（解压后超过100MB），请精简后再上传。", code="too_large")
        document = DocxTemplate(io.BytesIO(data))
        document.init_docx()
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError, EOFError, etree.LxmlError) as error:
        raise ValidationError(NOT_A_DOCX, code="invalid_docx") from error
    return document


def _parts(document):
    """(where, template source) of every part docxtpl renders, as it renders them."""
    docx = document.docx
    yield "正文", document.patch_xml(document.xml_to_string(docx._element.body))
    for uri, where in ((document.HEADER_URI, "页眉"), (document.FOOTER_URI, "页脚")):
        for relation in docx._part.rels.values():
            if relation.reltype == uri and relation.target_part.blob:
                yield where, document.patch_xml(document.xml_to_string(parse_xml(relation.target_part.blob)))
    for part in docx.part.package.parts:
        if part.content_type == FOOTNOTES_CONTENT_TYPE:
            blob = part.blob.decode("utf-8") if isinstance(part.blob, bytes) else part.blob
            yield "脚注", document.patch_xml(blob)
    for name in RENDERED_PROPERTIES:
        value = getattr(docx.core_properties, name, "")
        if value:
            yield "文档属性", value


def _parse_parts(document, environment):
    """The parsed Jinja template of every part; ValidationError naming the place of a syntax error."""
    parsed = []
    try:
        parts = list(_parts(document))
    except (ValueError, KeyError, etree.LxmlError) as error:
        raise ValidationError(NOT_A_DOCX, code="invalid_docx") from error
    for where, source in parts:
        # One paragraph a line, as docxtpl renders (render_xml_part), so the line of an error is its paragraph.
        source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
        try:
            parsed.append(environment.parse(source))
        except TemplateSyntaxError as error:
            raise ValidationError(_syntax_message(where, source, error), code="template_syntax") from error
    return parsed


def _syntax_message(where, source, error):
    lines = source.splitlines()
    text = ""
    if error.lineno and 0 < error.lineno <= len(lines):
        text = html.unescape(re.sub(r"<[^>]+>", "", lines[error.lineno - 1])).strip()
    if len(text) > 60:
        text = text[:60] + "…"
    place = f"{where}“{text}”处" if text else where
    detail = error.message or ""
    for pattern, hint in SYNTAX_HINTS:
        if match := re.match(pattern, detail, re.IGNORECASE | re.DOTALL):
            detail = f"{hint(match)}（{detail}）"
            break
    return f"模板有语法错误，位于{place}：{detail}"
