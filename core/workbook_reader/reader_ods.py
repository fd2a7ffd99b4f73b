"""The caged reader's measurement of an .ods before calamine reads it: its sheets, rows, cells and text from
content.xml (child process of core/workbook_child.py: standard library only)."""

import zipfile
from xml.etree import ElementTree

from reader_checks import ODS_MIMETYPE, Refused, check_entries, check_part, xml_buffers
from reader_xlsx import size_refusal

# ---------------------------------------------------------------------------------------------------------
# .ods

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODS_TABLE, _ODS_ROW = f"{{{_TABLE}}}table", f"{{{_TABLE}}}table-row"
_ODS_CELLS = (f"{{{_TABLE}}}table-cell", f"{{{_TABLE}}}covered-table-cell")
_ODS_ROWS_REPEATED, _ODS_COLUMNS_REPEATED = f"{{{_TABLE}}}number-rows-repeated", f"{{{_TABLE}}}number-columns-repeated"
_ODS_NAME = f"{{{_TABLE}}}name"
_ODS_VALUE_ATTRIBUTES = tuple(f"{{{_OFFICE}}}{name}" for name in (
    "value", "string-value", "date-value", "time-value", "boolean-value"))
_ODS_VALUE_TYPE = f"{{{_OFFICE}}}value-type"
_ODS_SPACE, _ODS_SPACE_COUNT = f"{{{_TEXT}}}s", f"{{{_TEXT}}}c"


def _repeat(element, attribute):
    text = element.get(attribute) or "1"
    if not text.isdigit():
        raise Refused("damaged")
    return max(int(text), 1)


def check_ods(archive, limits, budget):
    """Check every part of an .ods and measure its tables from content.xml. calamine reads every table when
    it opens the file, so a table past a cap refuses the whole file."""
    try:
        with archive.open("mimetype") as stream:
            mimetype = stream.read(len(ODS_MIMETYPE) + 1)
    except (KeyError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise Refused("not_spreadsheet") from exc
    if mimetype.strip() != ODS_MIMETYPE or "content.xml" not in archive.NameToInfo:
        raise Refused("not_spreadsheet")
    check_entries(archive, limits)
    for info in archive.infolist():
        if info.filename != "content.xml":
            check_part(archive, info, limits, budget)
    max_rows, max_columns = limits["max_rows"], limits["max_columns"]
    depth, depth_limit = 0, limits["max_xml_depth"]
    tables = expanded = 0
    name = None
    row = column = last_row = last_column = 0
    row_repeat = 1
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    try:
        for buffer in xml_buffers(archive, "content.xml", limits, budget):
            parser.feed(buffer)
            for event, element in parser.read_events():
                tag = element.tag
                if event == "start":
                    depth += 1
                    if depth > depth_limit:
                        raise Refused("xml_depth", limit=depth_limit)
                    if tag == _ODS_TABLE:
                        tables += 1
                        if tables > limits["max_sheets"]:
                            raise Refused("sheets", count=tables, limit=limits["max_sheets"])
                        name = element.get(_ODS_NAME) or ""
                        row = last_row = last_column = 0
                    elif tag == _ODS_ROW:
                        row_repeat = _repeat(element, _ODS_ROWS_REPEATED)
                        column = 0
                    continue
                depth -= 1
                if tag in _ODS_CELLS:
                    repeat = _repeat(element, _ODS_COLUMNS_REPEATED)
                    text = _ods_text_bytes(element)
                    if text or any(element.get(attribute) for attribute in _ODS_VALUE_ATTRIBUTES):
                        last_row = max(last_row, row + row_repeat)
                        last_column = max(last_column, column + repeat)
                        refusal = size_refusal(name, (last_row, last_column), max_rows, max_columns)
                        if refusal is not None:
                            raise Refused(refusal.pop("code"), **refusal)
                        expanded += text * repeat * row_repeat
                        if expanded > limits["max_expanded_bytes"]:
                            raise Refused("expanded", limit=limits["max_expanded_bytes"])
                    column += repeat
                    element.clear()
                elif tag == _ODS_ROW:
                    row += row_repeat
                    element.clear()
                elif tag == _ODS_TABLE:
                    element.clear()
        parser.close()
    except ElementTree.ParseError as exc:
        raise Refused("damaged") from exc
    return {}, []


def _ods_text_bytes(cell):
    """The bytes of text a cell holds (paragraphs, and runs of spaces written as <text:s text:c="n"/>)."""
    size = sum(len(text.encode()) for text in cell.itertext())
    for space in cell.iter(_ODS_SPACE):
        count = space.get(_ODS_SPACE_COUNT) or "1"
        size += int(count) if count.isdigit() else 1
    string_value = cell.get(_ODS_VALUE_ATTRIBUTES[1])
    return size + (len(string_value.encode()) if string_value else 0)
