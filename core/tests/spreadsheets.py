"""Spreadsheet files written from scratch for the reader's tests: hand-made .xlsx parts (for hostile files that
no library would write), OpenDocument .ods and Excel 97–2003 .xls (BIFF8 in an OLE compound file; nothing on
the machine writes .xls, so this does, with just the records calamine reads)."""

import datetime
import io
import math
import random
import struct
import zipfile
from xml.sax.saxutils import escape

from xlsxwriter.utility import xl_col_to_name

# --- .xlsx from parts ---------------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def xlsx_from_parts(sheets, shared_strings=None, extra=()):
    """An .xlsx whose worksheets are the given XML bodies (what goes inside <worksheet>), as [(name, body)],
    with optional shared strings ([str]) and extra parts [(path, bytes)]. Parts are deflated."""
    workbook = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN}" '
                f'xmlns:r="{REL}"><sheets>']
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    parts = [("[Content_Types].xml", CONTENT_TYPES.encode()), ("_rels/.rels", ROOT_RELS.encode())]
    for number, (name, body) in enumerate(sheets, 1):
        workbook.append(f'<sheet name="{escape(name)}" sheetId="{number}" r:id="rId{number}"/>')
        rels.append(f'<Relationship Id="rId{number}" Type="{REL}/worksheet" Target="worksheets/sheet{number}.xml"/>')
        content = body if isinstance(body, bytes) else body.encode()
        parts.append((f"xl/worksheets/sheet{number}.xml",
                      b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="' + MAIN.encode()
                      + b'">' + content + b"</worksheet>"))
    if shared_strings is not None:
        rels.append(f'<Relationship Id="rId{len(sheets) + 1}" Type="{REL}/sharedStrings" '
                    'Target="sharedStrings.xml"/>')
        items = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
        parts.append(("xl/sharedStrings.xml", (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{MAIN}" '
            f'count="{len(shared_strings)}" uniqueCount="{len(shared_strings)}">{items}</sst>').encode()))
    workbook.append("</sheets></workbook>")
    rels.append("</Relationships>")
    parts += [("xl/workbook.xml", "".join(workbook).encode()), ("xl/_rels/workbook.xml.rels", "".join(rels).encode())]
    parts += list(extra)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, content in parts:
            archive.writestr(path, content)
    return buffer.getvalue()


def shared_string_bomb(cells=60_000, length=32_000, seed=11):
    """The 224 KB workbook of the issue: one shared string of `length` random characters, referenced by
    `cells` cells scattered over the sheet in random order (so that no part compresses well enough for the
    ratio check to notice). calamine would copy the string into every cell: about 2 GB."""
    rng = random.Random(seed)
    text = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length))
    columns = 50
    positions = sorted(rng.sample(range(10 * cells), cells))  # 12,000 rows × 50 columns: within the caps
    rows = {}
    for position in positions:
        row, column = divmod(position, columns)
        rows.setdefault(row + 1, []).append(column)
    body = ["<sheetData>"]
    for row, cols in rows.items():
        cells_xml = "".join(f'<c r="{xl_col_to_name(col)}{row}" t="s"><v>0</v></c>' for col in cols)
        body.append(f'<row r="{row}">{cells_xml}</row>')
    body.append("</sheetData>")
    return xlsx_from_parts([("台账", "".join(body))], shared_strings=[text])


def plain_sheet(rows):
    """A worksheet body with inline strings and numbers, every cell with its reference."""
    body = ["<sheetData>"]
    for number, values in enumerate(rows, 1):
        cells = []
        for col, value in enumerate(values):
            ref = f"{xl_col_to_name(col)}{number}"
            if isinstance(value, str):
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>')
            elif value is not None:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        body.append(f'<row r="{number}">{"".join(cells)}</row>')
    body.append("</sheetData>")
    return "".join(body)


# --- .ods -------------------------------------------------------------------------------------------------------

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)
_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def ods_cell(value, *, repeat=1):
    repeated = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    if value is None:
        return f"<table:table-cell{repeated}/>"
    if isinstance(value, bool):
        return (f'<table:table-cell{repeated} office:value-type="boolean" '
                f'office:boolean-value="{str(value).lower()}"><text:p>{value}</text:p></table:table-cell>')
    if isinstance(value, datetime.date):
        return (f'<table:table-cell{repeated} office:value-type="date" office:date-value="{value.isoformat()}">'
                f"<text:p>{value.isoformat()}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell{repeated} office:value-type="float" office:value="{value}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    return (f'<table:table-cell{repeated} office:value-type="string"><text:p>{escape(value)}</text:p>'
            "</table:table-cell>")


def ods_bytes(tables, hidden=()):
    """An .ods of [(table name, [row, ...])], each row a list of values or a ready-made XML string; the tables
    named in `hidden` are hidden."""
    body = []
    for name, rows in tables:
        style = ' table:style-name="hidden"' if name in hidden else ""
        body.append(f'<table:table table:name="{escape(name)}"{style}>')
        for row in rows:
            cells = row if isinstance(row, str) else "".join(ods_cell(value) for value in row)
            if not cells.startswith("<table:table-row"):
                cells = f"<table:table-row>{cells}</table:table-row>"
            body.append(cells)
        body.append("</table:table>")
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS}><office:automatic-styles>'
        '<style:style style:name="hidden" style:family="table"><style:table-properties table:display="false"/>'
        "</style:style></office:automatic-styles><office:body><office:spreadsheet>"
        + "".join(body) + "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE)  # first and stored, as the format asks
        archive.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


# --- .xls (BIFF8 in a compound file) ------------------------------------------------------------------------

_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_MAX_RECORD = 8224  # bytes of data in one BIFF8 record; longer ones go on in CONTINUE records


def _record(kind, data):
    return struct.pack("<HH", kind, len(data)) + data


def _sst_records(strings):
    """The shared string table, split into SST and CONTINUE records where a record fills up (a string cut in
    two goes on after a one-byte flag, as BIFF8 wants)."""
    records, current = [], bytearray(struct.pack("<II", len(strings), len(strings)))
    for text in strings:
        encoded = text.encode("utf-16-le")
        if _MAX_RECORD - len(current) < 5:
            records.append(bytes(current))
            current = bytearray()
        current += struct.pack("<HB", len(text), 1)
        while encoded:
            room = (_MAX_RECORD - len(current)) // 2 * 2
            current += encoded[:room]
            encoded = encoded[room:]
            if encoded:
                records.append(bytes(current))
                current = bytearray(b"\x01")
    records.append(bytes(current))
    return _record(0x00FC, records[0]) + b"".join(_record(0x003C, data) for data in records[1:])


def _bof(kind):
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 0x0006))


def xls_bytes(sheets, hidden=(), merged=None, dimensions=None):
    """An .xls of [(sheet name, [row, ...])] with str, int/float, date and bool cells (strings through the
    shared string table), `hidden` sheet names, `merged` {sheet: [(first row, last row, first col, last col)]}
    and, for a hostile file, the `dimensions` {sheet: (rows, columns)} its DIMENSIONS record claims."""
    strings, index = [], {}
    substreams = []
    for name, rows in sheets:
        cells = []
        width = max((len(row) for row in rows), default=0)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, bool):
                    cells.append(_record(0x0205, struct.pack("<HHHBB", r, c, 0, int(value), 0)))
                elif isinstance(value, datetime.date):
                    serial = (value - _EXCEL_EPOCH).days
                    cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 1, serial)))
                elif isinstance(value, int | float):
                    cells.append(_record(0x0203, struct.pack("<HHHd", r, c, 0, value)))
                else:
                    if value not in index:
                        index[value] = len(strings)
                        strings.append(value)
                    cells.append(_record(0x00FD, struct.pack("<HHHI", r, c, 0, index[value])))
        rows_claimed, columns_claimed = (dimensions or {}).get(name, (len(rows), width))
        body = _bof(0x0010) + _record(0x0200, struct.pack("<IIHHH", 0, rows_claimed, 0, columns_claimed, 0))
        body += b"".join(cells)
        ranges = (merged or {}).get(name, [])
        if ranges:
            body += _record(0x00E5, struct.pack("<H", len(ranges)) + b"".join(struct.pack("<HHHH", *m) for m in ranges))
        substreams.append(body + _record(0x000A, b""))

    def globals_part(offsets):
        part = _bof(0x0005) + _record(0x0042, struct.pack("<H", 1200))
        part += _record(0x00E0, struct.pack("<HH", 0, 0) + bytes(16))  # XF 0: General
        part += _record(0x00E0, struct.pack("<HH", 0, 14) + bytes(16))  # XF 1: a built-in date format
        for (name, _), offset in zip(sheets, offsets, strict=True):
            encoded = name.encode("utf-16-le")
            part += _record(0x0085, struct.pack("<IBBBB", offset, 1 if name in hidden else 0, 0, len(name), 1)
                            + encoded)
        return part + _sst_records(strings) + _record(0x000A, b"")

    size = len(globals_part([0] * len(sheets)))
    offsets = []
    for body in substreams:
        offsets.append(size)
        size += len(body)
    stream = globals_part(offsets) + b"".join(substreams)
    return compound_file("Workbook", stream.ljust(4096, b"\0"))


def compound_file(name, stream):
    """An OLE compound file (version 3, 512-byte sectors) holding one stream of at least 4096 bytes."""
    sector = 512
    stream_sectors = math.ceil(len(stream) / sector)
    fat_sectors = 1
    while fat_sectors * 128 < fat_sectors + 1 + stream_sectors:
        fat_sectors += 1
    if fat_sectors > 109:
        raise ValueError("stream too long for a compound file without DIFAT sectors")
    directory = fat_sectors
    first = fat_sectors + 1
    fat = [0xFFFFFFFD] * fat_sectors + [0xFFFFFFFE]
    fat += [first + i + 1 for i in range(stream_sectors - 1)] + [0xFFFFFFFE]
    fat += [0xFFFFFFFF] * (fat_sectors * 128 - len(fat))
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack(
        "<HHHHH6sIIIIIIIII", 0x003E, 0x0003, 0xFFFE, 9, 6, bytes(6), 0, fat_sectors, directory, 0, 4096,
        0xFFFFFFFE, 0, 0xFFFFFFFE, 0)
    difat = list(range(fat_sectors)) + [0xFFFFFFFF] * (109 - fat_sectors)
    header += struct.pack("<109I", *difat)

    def entry(entry_name, kind, child, start, length):
        encoded = entry_name.encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBBIII", len(encoded) + 2, kind, 1, 0xFFFFFFFF, 0xFFFFFFFF,
                                                         child) + bytes(16 + 4 + 16) + struct.pack("<III", start,
                                                                                                   length, 0))

    entries = entry("Root Entry", 5, 1, 0xFFFFFFFE, 0) + entry(name, 2, 0xFFFFFFFF, first, len(stream))
    entries = entries.ljust(sector, b"\0")
    return (header + struct.pack(f"<{len(fat)}I", *fat) + entries + stream.ljust(stream_sectors * sector, b"\0"))
