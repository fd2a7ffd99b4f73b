"""The caged reader's measurement of an .xlsx before calamine reads it: shared strings, each worksheet's used
area and the text its cells expand to (child process of core/workbook_child.py: standard library only)."""

import posixpath
import re
from xml.etree import ElementTree

from reader_checks import Refused, check_entries, check_part, column_letter, column_number, read_small_part, xml_buffers

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHARED_STRINGS_TYPE = _REL_NS + "/sharedStrings"

# ---------------------------------------------------------------------------------------------------------
# .xlsx


_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_SHARED_CELL = re.compile(rb"<(?:\w+:)?c\b[^>]*?\st=[\"']s[\"']")
_SHARED_CELL_VALUE = re.compile(rb"<(?:\w+:)?c\b[^>]*?\st=[\"']s[\"'][^>]*>\s*<(?:\w+:)?v>\s*(\d{1,9})\s*</")
_STRING_ITEM = re.compile(rb"<(?:\w+:)?si\b")


class SharedStrings:
    """How many shared strings there are and how long each is (bytes of its XML, an upper bound of its text)."""

    def __init__(self, sizes):
        self.sizes = sizes
        self.longest = max(sizes, default=0)


def scan_shared_strings(archive, name, limits, budget):
    if name is None or name not in archive.NameToInfo:
        return SharedStrings([])
    info = archive.getinfo(name)
    if info.file_size > limits["max_shared_strings_bytes"]:
        raise Refused("shared_strings_bytes", limit=limits["max_shared_strings_bytes"])
    starts = []
    offset = 0
    maximum = limits["max_shared_strings"]
    total = 0
    for buffer in xml_buffers(archive, name, limits, budget):
        starts.extend(offset + match.start() for match in _STRING_ITEM.finditer(buffer))
        if len(starts) > maximum:
            raise Refused("shared_strings", count=len(starts), limit=maximum)
        offset += len(buffer)
        total = offset
    if total > limits["max_shared_strings_bytes"]:
        raise Refused("shared_strings_bytes", limit=limits["max_shared_strings_bytes"])
    starts.append(total)
    return SharedStrings([end - start for start, end in zip(starts, starts[1:], strict=False)])


class SheetScan:
    """What a worksheet part holds: whether it plainly fits the caps, and its shared-string expansion."""

    def __init__(self, max_rows, max_columns, strings):
        letters = len(column_letter(max_columns - 1))
        digits = len(str(max_rows))
        # "<c" not followed by a letter (<col>, <cfRule>, ...) nor by a short enough reference.
        self.unusual = re.compile(rb'<c(?![a-zA-Z]| r="[A-Z]{1,%d}\d{1,%d}")' % (letters, digits))
        self.as_long = re.compile(rb'<c r="(?:([A-Z]{%d})\d|[A-Z]+(\d{%d})")' % (letters, digits))
        self.last_column = column_letter(max_columns - 1).encode()
        self.max_rows = max_rows
        self.strings = strings
        self.plain = True
        self.expanded = 0

    def feed(self, buffer):
        if self.plain and (_PREFIXED_CELL.search(buffer) or self.unusual.search(buffer)):
            self.plain = False
        if self.plain:
            for column, row in self.as_long.findall(buffer):
                if (column and column > self.last_column) or (row and int(row) > self.max_rows):
                    self.plain = False
                    break
        if self.strings.sizes:
            self.expanded += self._expansion(buffer)

    def _expansion(self, buffer):
        """The bytes of the shared strings the cells of `buffer` reference: an upper bound by counting when
        that is small enough, otherwise cell by cell."""
        cells = len(_SHARED_CELL.findall(buffer))
        if not cells or cells * self.strings.longest <= 1024 * 1024:
            return cells * self.strings.longest
        sizes, longest = self.strings.sizes, self.strings.longest
        total = found = 0
        for index in _SHARED_CELL_VALUE.findall(buffer):
            found += 1
            index = int(index)
            total += sizes[index] if index < len(sizes) else longest
        return total + (cells - found) * longest


def measure_sheet(archive, part, max_rows, max_columns, strings, limits, budget):
    """The used area (last row and column holding a value, 1-based) of a sheet part, read as a stream, and the
    expansion of its shared strings. Stops early once the caps are exceeded (the size is then only known to
    be too big). Rows and cells without an "r" attribute take the position after the previous one."""
    row_tag, cell_tag, data_tag = (f"{{{_MAIN_NS}}}{name}" for name in ("row", "c", "sheetData"))
    value_tag, inline_tag = f"{{{_MAIN_NS}}}v", f"{{{_MAIN_NS}}}is"
    sizes, longest = strings.sizes, strings.longest
    last_row = last_column = 0
    current_row = current_column = 0
    expanded = 0
    sheet_data = row_element = None
    depth, depth_limit = 0, limits["max_xml_depth"]
    parser = ElementTree.XMLPullParser(events=("start", "end"))
    try:
        for buffer in xml_buffers(archive, part, limits, budget):
            parser.feed(buffer)
            for event, element in parser.read_events():
                tag = element.tag
                if event == "start":
                    depth += 1
                    if depth > depth_limit:
                        raise Refused("xml_depth", limit=depth_limit)
                    if tag == cell_tag:
                        match = _CELL_REF.match(element.get("r") or "")
                        if match:
                            current_column = column_number(match.group(1))
                            current_row = int(match.group(2))
                        else:
                            current_column += 1
                    elif tag == row_tag:
                        r = element.get("r")
                        current_row = int(r) if r and r.isdigit() else current_row + 1
                        current_column = 0
                        row_element = element
                    elif tag == data_tag:
                        sheet_data = element
                    continue
                depth -= 1
                if tag == cell_tag:
                    value = None
                    for child in element:
                        if child.tag == inline_tag or (child.tag == value_tag and child.text):
                            value = child
                    if value is not None:
                        last_row = max(last_row, current_row)
                        last_column = max(last_column, current_column)
                        if last_row > max_rows or last_column > max_columns:
                            return (last_row, last_column), expanded
                        if element.get("t") == "s" and value.tag == value_tag:
                            text = value.text.strip()
                            index = int(text) if text.isdigit() else -1
                            expanded += sizes[index] if 0 <= index < len(sizes) else longest
                    # Drop what has been measured, so memory stays constant however many cells there are.
                    if row_element is not None and len(row_element) and row_element[-1] is element:
                        del row_element[-1]
                    element.clear()
                elif tag == row_tag and sheet_data is not None:
                    sheet_data.clear()
        parser.close()
    except ElementTree.ParseError as exc:
        raise Refused("damaged") from exc
    return (last_row, last_column), expanded


def check_xlsx(archive, limits, budget):
    """Check every part of an .xlsx and measure its worksheets. Returns {sheet name: refusal or None} and the
    worksheet parts whose depth is left to `DeferredDepth` (those measured exactly had theirs counted)."""
    names = archive.NameToInfo
    if "xl/workbook.xml" not in names:
        raise Refused("not_spreadsheet")
    workbook = read_small_part(archive, "xl/workbook.xml", limits, budget)
    rels = read_small_part(archive, "xl/_rels/workbook.xml.rels", limits, budget)
    if workbook is None or rels is None:
        raise Refused("damaged")
    sheet_elements = list(workbook.iter(f"{{{_MAIN_NS}}}sheet"))
    if len(sheet_elements) > limits["max_sheets"]:
        raise Refused("sheets", count=len(sheet_elements), limit=limits["max_sheets"])
    check_entries(archive, limits)
    targets, shared = {}, None
    for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
        targets[rel.get("Id")] = path
        if rel.get("Type") == _SHARED_STRINGS_TYPE:
            shared = path
    parts = {}
    for sheet in sheet_elements:
        path = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
        if path in names:
            parts[sheet.get("name")] = path
    if shared is None and "xl/sharedStrings.xml" in names:
        shared = "xl/sharedStrings.xml"
    strings = scan_shared_strings(archive, shared, limits, budget)
    special = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", shared, *parts.values()}
    for info in archive.infolist():
        if info.filename not in special:
            check_part(archive, info, limits, budget)
    max_rows, max_columns = limits["max_rows"], limits["max_columns"]
    refusals = {}
    deferred = []
    expanded = 0
    for name, part in parts.items():
        scan = SheetScan(max_rows, max_columns, strings)
        for buffer in xml_buffers(archive, part, limits, budget, depth=False):
            scan.feed(buffer)
        sheet_expanded = scan.expanded
        refusal = None
        if scan.plain:
            deferred.append(part)
        else:
            size, sheet_expanded = measure_sheet(archive, part, max_rows, max_columns, strings, limits, budget)
            refusal = size_refusal(name, size, max_rows, max_columns)
        refusals[name] = refusal
        if refusal is None:
            expanded += sheet_expanded
            if expanded > limits["max_expanded_bytes"]:
                raise Refused("expanded", limit=limits["max_expanded_bytes"])
    return refusals, deferred


def size_refusal(name, size, max_rows, max_columns):
    rows, columns = size
    if rows > max_rows:
        return {"code": "rows", "sheet": name, "limit": max_rows, "rows": rows, "columns": columns}
    if columns > max_columns:
        return {"code": "columns", "sheet": name, "limit": max_columns, "rows": rows, "columns": columns}
    return None
