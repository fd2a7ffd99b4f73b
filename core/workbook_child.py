"""The caged half of the workbook reader: parses one untrusted workbook in a child process.

core.importing runs this file as a script in a fresh interpreter (`python -I core/workbook_child.py`), never
imports it into a Django process, and reads its answer. It imports only the standard library and
python-calamine, so it runs with nothing of the project on sys.path and knows no model, setting or secret.

Before touching the data it caps its own address space (RLIMIT_AS), CPU time (RLIMIT_CPU) and file writes
(RLIMIT_FSIZE = 0); the parent kills it when its wall-clock time is up. Whatever the file does to it — a
shared-string bomb, a billion empty cells, a zip bomb, a parser bug — it can only exhaust this process.

Then, before calamine sees the bytes, it checks what can be checked cheaply, each against a limit the parent
sent: for zip formats (.xlsx, .ods) the archive (entries, declared and actual unpacked size, compression
ratio, CRCs), every XML part (no DTD or entity declaration, no UTF-16, nesting depth), the number of sheets,
and the shared strings (count and total size). Each worksheet of an .xlsx is measured from its XML (the used
area, without parsing it when every cell carries a plain reference) together with the text its shared-string
cells would expand to — one long string referenced by many cells is how a 224 KB file becomes gigabytes. An
.ods is measured from content.xml (repeated rows and cells included). A legacy .xls has no such structure to
check: its caps are this process's limits and the sizes calamine reports after reading it.

Protocol. stdin: one JSON line {"size": n, "limits": {...}}, then the n bytes of the file. stdout: frames,
each a 4-byte big-endian length and a pickle of (kind, payload) holding only plain values and dates:
("workbook", {"format"}), the worksheets it will report ("sheets", [{"index", "name", "visible"}, ...]), then
per worksheet ("sheet", {"index", "name", "visible", "refused"}, plus "rows" (how many it sends) and "merged"
(its merged ranges) for a sheet it reads), its rows in batches ("rows", [[value, ...], ...]) and
("sheet_end", {}) — or, at any point,
("refused", {"code": ..., ...}) for the whole file — and finally ("done", {"peak_kb"}). Refusals carry a code
and the figures of the limit; the parent turns them into Chinese messages.
"""

import io
import json
import pickle
import posixpath
import re
import resource
import signal
import struct
import sys
import threading
import zipfile
from xml.etree import ElementTree

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

CHUNK = 4 * 1024 * 1024
DEPTH_WINDOW = 2048  # bytes; see DepthMeter
ROWS_PER_FRAME = 2000

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHARED_STRINGS_TYPE = _REL_NS + "/sharedStrings"

# Parts that are not XML and that nothing parses as XML (images, printer settings, embedded binaries).
# Worksheet and shared-string parts are always checked as XML, whatever they are called.
BINARY_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".ico", ".bin",
                     ".wdp", ".jfif", ".webp")


class Refused(Exception):
    """The file breaks a limit (or is not a workbook). `code` names the problem, `params` its figures."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# ---------------------------------------------------------------------------------------------------------
# Output


class Output:
    def __init__(self, stream):
        self.stream = stream

    def send(self, kind, payload):
        # With the pickle's memo, a string that occurs in many cells of a frame (a village, a category: the
        # rows share one object, see send_rows) goes over once and comes out as one object in the parent.
        buffer = io.BytesIO()
        pickle.Pickler(buffer, protocol=5).dump((kind, payload))
        body = buffer.getbuffer()
        self.stream.write(struct.pack(">I", len(body)))
        self.stream.write(body)

    def flush(self):
        self.stream.flush()


# ---------------------------------------------------------------------------------------------------------
# Checks on XML parts


def _column_number(letters):
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# A DTD or entity declaration anywhere in a part, as UTF-8 (UTF-16 parts are refused before this is looked for).
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# Every markup construct, for the exact depth count: comments, CDATA, processing instructions and declarations
# (their name group is empty), then tags: (close slash, name, self-closing slash). Attribute values may hold ">".
_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
    rb"|<(/?)([^\s/>!?][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
    re.S,
)
_UNTERMINATED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


class DepthMeter:
    """The nesting depth of an XML part fed in pieces that each end before a "<" (see `xml_buffers`).

    Counting every tag would cost about a second per 100 MB of sheet XML in Python, so most of the text is
    vouched for by counts: in a window of text that holds no comment, CDATA, declaration or processing
    instruction and in which every ">" ends a tag (as many ">" as "<"), each "/>" closes an empty element, so
    the depth inside the window is at most the depth at its start plus the window's opening tags that are
    not empty elements (plus one), and the depth at its end is exact. Only windows where that bound could
    pass the limit are tokenised exactly.
    """

    def __init__(self, limit):
        self.limit = limit
        self.depth = 0

    def feed(self, buffer, special):
        """`special`: whether the piece may hold "<!" or "<?" (comments, CDATA, declarations, processing
        instructions), which the caller has looked for already."""
        if special or buffer.count(b"<") != buffer.count(b">"):
            self._exact(buffer)
            return
        count, rfind, limit = buffer.count, buffer.rfind, self.limit
        position, length = 0, len(buffer)
        while position < length:
            end = position + DEPTH_WINDOW
            if end < length:
                cut = rfind(b"<", position + 1, end)
                end = cut if cut > position else end
            else:
                end = length
            opens = count(b"<", position, end)
            closes = count(b"</", position, end)
            empty = count(b"/>", position, end)
            if self.depth + opens - closes - empty + 1 > limit:
                self._exact(buffer[position:end])
            else:
                self.depth += opens - 2 * closes - empty
            position = end

    def _exact(self, text):
        depth, limit = self.depth, self.limit
        for close, name, empty in _MARKUP.findall(text):
            if not name:
                continue
            if close:
                depth -= 1
            elif not empty:
                depth += 1
                if depth > limit:
                    raise Refused("xml_depth", limit=limit)
        self.depth = max(depth, 0)


class Budget:
    """A running total with a limit: what the archive unpacks to, counted as it is actually inflated (the
    sizes in a zip can lie), or the text an .xls holds, counted as its rows go by."""

    def __init__(self, limit, code):
        self.limit = limit
        self.code = code
        self.used = 0

    def spend(self, size):
        self.used += size
        if self.used > self.limit:
            raise Refused(self.code, limit=self.limit)


def _cut(buffer, declarations, instructions):
    """Where to split `buffer` so that the first piece ends before a "<" and cuts no comment, CDATA or
    processing instruction in two: the piece's text then holds only whole tags. `declarations` and
    `instructions`: whether "<!" and "<?" occur in `buffer` at all."""
    cut = buffer.rfind(b"<")
    for start, end in _UNTERMINATED:
        if not (declarations if start[1:2] == b"!" else instructions):
            continue
        opening = buffer.rfind(start)
        if opening >= 0 and buffer.find(end, opening + len(start)) < 0:
            cut = min(cut, opening)
    return cut


def xml_buffers(archive, name, limits, budget, *, depth=True):
    """The part `name` in pieces of about 4 MB, each ending before a "<", after checking each for a DTD or
    entity declaration and (unless `depth` is false: see `DeferredDepth`) for nesting depth. UTF-16 parts
    are refused (no office program writes them)."""
    meter = DepthMeter(limits["max_xml_depth"]) if depth else None
    tail = b""
    first = True
    try:
        with archive.open(name) as stream:
            while True:
                chunk = stream.read(CHUNK)
                budget.spend(len(chunk))
                buffer = tail + chunk
                if first and (buffer[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in buffer[:64]):
                    raise Refused("xml_encoding", part=name)
                # Whether the text holds declarations or processing instructions: one quick scan each, for
                # the cut, the DTD check and the depth count.
                declarations, instructions = b"<!" in buffer, b"<?" in buffer
                if chunk:
                    cut = _cut(buffer, declarations, instructions)
                    if cut <= 0:
                        tail = buffer
                        continue
                    buffer, tail = buffer[:cut], buffer[cut:]
                if declarations and _DTD.search(buffer):
                    raise Refused("dtd", part=name)
                if meter is not None:
                    skip = _declaration_end(buffer) if first else 0
                    if skip:
                        buffer_after = buffer[skip:]
                        meter.feed(buffer_after, declarations or b"<?" in buffer_after)
                    else:
                        meter.feed(buffer, declarations or instructions)
                first = False
                yield buffer
                if not chunk:
                    return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, KeyError) as exc:
        raise Refused("damaged") from exc


def _declaration_end(buffer):
    """Where the XML declaration (<?xml ...?>, after an optional byte-order mark) ends, 0 without one."""
    start = 3 if buffer.startswith(b"\xef\xbb\xbf") else 0
    while buffer[start:start + 1] in (b" ", b"\t", b"\r", b"\n"):
        start += 1
    if not buffer.startswith(b"<?xml", start):
        return 0
    end = buffer.find(b"?>", start)
    return end + 2 if end > 0 else 0


class DeferredDepth:
    """The depth of the worksheets calamine streams, checked in a thread while calamine reads the workbook.

    calamine parses XML as a stream, so deep nesting costs it nothing; it is refused all the same, but
    counting it costs about half a second per 100 MB of sheet XML, so that runs beside calamine (which
    releases the GIL while it reads) instead of before it. Everything that protects memory — sizes, shared
    strings, expansion — is checked before calamine starts. Nothing of a sheet is sent before `wait()`.
    """

    def __init__(self, archive, parts, limits):
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(archive, parts, limits), daemon=True)
        self.thread.start()

    def _run(self, archive, parts, limits):
        try:
            budget = Budget(limits["max_unpacked"], "unpacked")
            for part in parts:
                for _ in xml_buffers(archive, part, limits, budget):
                    pass
        except BaseException as exc:  # noqa: BLE001 (handed to the main thread by wait())
            self.error = exc
        finally:
            archive.close()

    def wait(self):
        self.thread.join()
        if self.error is not None:
            raise self.error


def check_part(archive, info, limits, budget):
    """Inflate one part completely (its CRC is checked at the end); XML parts go through `xml_buffers`."""
    if info.filename.lower().endswith(BINARY_EXTENSIONS):
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    budget.spend(len(chunk))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise Refused("damaged") from exc
        return
    for _ in xml_buffers(archive, info.filename, limits, budget):
        pass


def read_small_part(archive, name, limits, budget, max_bytes=16 * 1024 * 1024):
    """A small structural part (workbook, relationships), checked like any XML part, then parsed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > max_bytes:
        raise Refused("damaged")
    text = b"".join(xml_buffers(archive, name, limits, budget))
    try:
        return ElementTree.fromstring(text)  # noqa: S314 (no DTD: refused above; depth checked)
    except ElementTree.ParseError as exc:
        raise Refused("damaged") from exc


# ---------------------------------------------------------------------------------------------------------
# The archive


def open_archive(data, limits):
    # The entry count from the end of the central directory, before zipfile builds an object per entry.
    record = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_600))
    if record >= 0 and len(data) >= record + 12:
        (entries,) = struct.unpack_from("<H", data, record + 10)
        if entries > 10 * limits["max_entries"]:
            raise Refused("entries", count=entries, limit=limits["max_entries"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Refused("damaged") from exc
    if sum(info.file_size for info in infos) > limits["max_unpacked"]:
        raise Refused("unpacked", limit=limits["max_unpacked"])
    ratio = limits["max_ratio"]
    if any(info.file_size > limits["ratio_check_bytes"] and info.file_size > ratio * max(info.compress_size, 1)
           for info in infos):
        raise Refused("ratio", limit=ratio)
    return archive


def check_entries(archive, limits):
    count = len(archive.infolist())
    if count > limits["max_entries"]:
        raise Refused("entries", count=count, limit=limits["max_entries"])


def detect_format(data):
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("password")  # an .xlsx with an opening password is an OLE file holding it encrypted
        return "xls"
    if not data.startswith(ZIP_MAGIC):
        raise Refused("not_spreadsheet")
    return "zip"


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
                            current_column = _column_number(match.group(1))
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


# ---------------------------------------------------------------------------------------------------------
# Reading with calamine


def read_sheets(data, file_format, refusals, limits, output, depth=None):
    """Read the worksheets with calamine and send them. `depth`: a `DeferredDepth` still running, waited for
    before the first rows are sent."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_object(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except PasswordError as exc:
        raise Refused("password") from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise Refused("unreadable") from exc
    del data
    if len(metadata) > limits["max_sheets"]:
        raise Refused("sheets", count=len(metadata), limit=limits["max_sheets"])
    output.send("workbook", {"format": file_format})
    worksheets = [{"index": index, "name": meta.name, "visible": meta.visible == SheetVisibleEnum.Visible}
                  for index, meta in enumerate(metadata)
                  if meta.typ == SheetTypeEnum.WorkSheet and (file_format != "xlsx" or meta.name in refusals)]
    # The parent learns the worksheets before any is read, so it can choose among them while rows arrive.
    output.send("sheets", worksheets)
    output.flush()
    max_rows, max_columns = limits["max_rows"], limits["max_columns"]
    cells = 0
    text = Budget(limits["max_expanded_bytes"], "expanded")
    for info in worksheets:
        index, meta = info["index"], metadata[info["index"]]
        refusal = refusals.get(meta.name)
        if refusal is not None:
            output.send("sheet", dict(info, refused=refusal))
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except (CalamineError, ValueError) as exc:
            raise Refused("unreadable_sheet", sheet=meta.name) from exc
        end = sheet.end
        size = (end[0] + 1, end[1] + 1) if end is not None and sheet.start is not None else (0, 0)
        refusal = size_refusal(meta.name, size, max_rows, max_columns)
        if refusal is not None:
            output.send("sheet", dict(info, refused=refusal))
            continue
        cells += size[0] * size[1]
        if cells > limits["max_cells"]:
            raise Refused("cells", limit=limits["max_cells"])
        if depth is not None:
            depth.wait()
            depth = None
        # The row count and merged ranges come first: the parent uses the rows while later ones still arrive.
        merged = [tuple(map(tuple, pair)) for pair in sheet.merged_cell_ranges or ()]
        output.send("sheet", dict(info, refused=None, rows=size[0], merged=merged))
        send_rows(sheet, output, text if file_format == "xls" else None)
        output.send("sheet_end", {})
        del sheet
    if depth is not None:
        depth.wait()


def send_rows(sheet, output, text):
    """Send the sheet's rows from A1 (rows[i] is Excel row i + 1, column A is index 0), empty cells as None.
    With a `text` budget (.xls, which nothing checked beforehand), the characters of text are counted."""
    start = sheet.start
    if start is None:
        return
    pad = [None] * start[1]
    batch = []
    # One object per distinct text in a frame, which the pickle then sends once: the parent's copy of a
    # ledger (villages, categories, genders repeated on every row) is about half as big.
    texts = {}
    same = texts.setdefault
    for values in sheet.iter_rows():
        row = [None if value == "" else same(value, value) if value.__class__ is str else value for value in values]
        if pad:
            row = pad + row
        if text is not None:
            text.spend(sum(len(value) for value in row if value.__class__ is str))
        batch.append(row)
        if len(batch) == ROWS_PER_FRAME:
            output.send("rows", batch)
            batch = []
            texts.clear()
    if batch:
        output.send("rows", batch)


# ---------------------------------------------------------------------------------------------------------
# Main


def cap_resources(limits):
    memory = limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = max(1, int(limits["seconds"] + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # If the parent stops reading without killing this process, it ends by itself.
    signal.alarm(seconds + 5)


def read_data(stream, size):
    data = stream.read(size)
    if len(data) != size:
        raise SystemExit(2)
    return data


def parse(data, limits, output):
    budget = Budget(limits["max_unpacked"], "unpacked")
    if not data:
        raise Refused("empty")
    kind = detect_format(data)
    if kind == "xls":
        read_sheets(data, "xls", {}, limits, output)
        return
    archive = open_archive(data, limits)
    if "xl/workbook.xml" in archive.NameToInfo:
        refusals, deferred = check_xlsx(archive, limits, budget)
        file_format = "xlsx"
    elif "mimetype" in archive.NameToInfo:
        refusals, deferred = check_ods(archive, limits, budget)
        file_format = "ods"
    else:
        raise Refused("not_spreadsheet")
    depth = DeferredDepth(archive, deferred, limits) if deferred else None
    if depth is None:
        archive.close()
    read_sheets(data, file_format, refusals, limits, output, depth)


def peak_kb():
    """This process's peak RSS since it started this program. (ru_maxrss would also count the pages of the
    parent it was forked from, which the kernel carries over as a high-water mark.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    request = json.loads(stdin.readline(64 * 1024))
    limits = request["limits"]
    if len(sys.argv) > 1 and sys.argv[1] not in sys.path:
        sys.path.append(sys.argv[1])  # where python-calamine is installed, should -I have hidden it
    import python_calamine  # noqa: F401  (loaded before the caps: its shared library is mapped once)

    cap_resources(limits)
    data = read_data(stdin, int(request["size"]))
    output = Output(stdout)
    try:
        parse(data, limits, output)
    except Refused as refusal:
        output.send("refused", {"code": refusal.code, **refusal.params})
    except MemoryError:
        sys.exit(3)
    except Exception:  # noqa: BLE001 (anything else the parser raises: a file it cannot read)
        output.send("refused", {"code": "unreadable"})
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException, a BaseException
        if isinstance(exc, SystemExit | KeyboardInterrupt):
            raise
        output.send("refused", {"code": "unreadable"})
    output.send("done", {"peak_kb": peak_kb()})
    output.flush()


if __name__ == "__main__":
    main()
