"""Reading uploaded Excel files, generically: every importer (units, ledger, ...) builds on these helpers.

What is here knows nothing about any model:

- `read_upload(file)`: the bytes of an uploaded .xlsx, refused early when too big or not really xlsx.
- `open_workbook(data)`: a `Workbook` whose sheets are measured *before* python-calamine reads them.
  calamine loads a whole sheet into a dense grid, so one stray value in cell XFD1048576 would make it
  allocate billions of cells; `Workbook` streams the sheet's XML first and refuses a sheet whose used
  area exceeds the caps (20,000 rows, 50 columns by default).
- `locate_table(workbook, columns, required)`: the first sheet whose header row (title rows above it are
  fine) names the required columns, matched through synonyms; `records(table)` then yields
  `(excel_row_number, {column: raw value})`, skipping blank rows.
- Cell conversion: `normalise_text`, `cell_text`, `cell_code`, `cell_int`. They raise `CellError` with a
  Chinese message; the importer adds the row number and column name.

Every problem with the file as a whole raises `ImportFileError`, whose message is Chinese and meant for
the user as is.
"""

import datetime
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50
# The unpacked size of every part of the archive together: a 5 MB upload can unpack to gigabytes.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# An xlsx has a few dozen parts that compress 5–30 times; a zip bomb has many parts or compresses thousands
# of times. The ratio is checked only on parts big enough to matter.
MAX_ENTRIES = 1000
MAX_RATIO = 200
RATIO_CHECK_BYTES = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other legacy Office files

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"


class ImportFileError(Exception):
    """The file as a whole cannot be imported. `str(error)` is a Chinese message for the user."""


class CellError(ValueError):
    """One cell's value is unusable. `str(error)` is a Chinese message; the caller adds row and column."""


# ---------------------------------------------------------------------------------------------------------
# Text normalisation and cell conversion

# Full-width digits, Latin letters and the ideographic space typed by Chinese input methods, plus
# non-breaking and zero-width characters pasted from web pages and Word.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_HALF_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None})


def normalise_text(value):
    """Full-width digits/letters/spaces to half-width, invisible characters removed, ends stripped.

    Chinese punctuation such as full-width brackets （） is kept: it is what Chinese names are written with.
    """
    return str(value).translate(_HALF_WIDTH).strip()


def cell_text(value):
    """Any cell as text: "" for empty, integral numbers without ".0", dates as YYYY-MM-DD, 是/否 for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return normalise_text(value)


def cell_code(value, *, digits=()):
    """A code column (division code, unit code, ...) as text.

    Text cells are normalised and returned as they are; the caller validates their format. A numeric cell
    is accepted only when it is an integer with one of the allowed numbers of `digits` (all refused when
    `digits` is empty): Excel keeps 15 significant digits and drops leading zeros, so any other number
    may already have lost what was typed.
    """
    if value is None or isinstance(value, str):
        return normalise_text(value or "")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellError("应为文本格式的代码。")
    if not digits:
        raise CellError("是数字格式，可能已丢失前导0或15位以后的数字，请将该列设为文本格式后重新填写。")
    if isinstance(value, float) and not value.is_integer():
        raise CellError("应为整数代码，不能含小数。")
    number = int(value)
    if number < 0 or number >= 10**15 or len(str(number)) not in digits:
        allowed = "、".join(str(d) for d in digits)
        raise CellError(
            f"是数字格式且为{len(str(abs(number)))}位（应为{allowed}位），可能已丢失前导0，"
            "请将该列设为文本格式后重新填写。"
        )
    return str(number)


def cell_int(value, *, minimum=None, maximum=None, default=None):
    """An integer cell (a number without fraction, or digits as text). Empty gives `default`."""
    if value is None or (isinstance(value, str) and not normalise_text(value)):
        return default
    if isinstance(value, bool):
        raise CellError("应为整数。")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数，不能含小数。")
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,15}", normalise_text(value)):
        number = int(normalise_text(value))
    else:
        raise CellError("应为整数。")
    if minimum is not None and number < minimum:
        raise CellError(f"不能小于{minimum}。")
    if maximum is not None and number > maximum:
        raise CellError(f"不能大于{maximum}。")
    return number


def is_blank_row(values):
    return all(v is None or (isinstance(v, str) and not normalise_text(v)) for v in values)


# ---------------------------------------------------------------------------------------------------------
# Upload and workbook


def read_upload(uploaded, *, max_bytes=MAX_UPLOAD_BYTES):
    """The bytes of an uploaded file (a Django UploadedFile or any file object), checked to be xlsx."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ImportFileError(f"文件过大（{_megabytes(size)}），上限为 {_megabytes(max_bytes)}。")
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(f"文件过大，上限为 {_megabytes(max_bytes)}。")
    check_xlsx(data)
    return data


def check_xlsx(data):
    if not data:
        raise ImportFileError("文件是空的。")
    if data.startswith(OLE_MAGIC):
        raise ImportFileError("这是旧版 Excel（.xls）文件或已加密的文件，请在 Excel 中“另存为”.xlsx 格式后再上传。")
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError("文件不是 Excel（.xlsx）格式。")


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


@dataclass
class SheetSize:
    """The used area of a sheet: the last row and column holding a value (1-based; 0 for an empty sheet)."""

    rows: int
    columns: int


@dataclass
class Sheet:
    name: str
    index: int
    part: str  # the sheet's XML part inside the archive, e.g. "xl/worksheets/sheet1.xml"
    visible: bool


class Workbook:
    """An xlsx file whose sheets are measured before they are read. Use `open_workbook(data)`."""

    def __init__(self, data, *, max_rows=MAX_ROWS, max_columns=MAX_COLUMNS, max_unpacked=MAX_UNPACKED_BYTES):
        check_xlsx(data)
        self.max_rows = max_rows
        self.max_columns = max_columns
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            names = set(self._zip.namelist())
        except (zipfile.BadZipFile, ValueError) as exc:
            raise ImportFileError("文件已损坏或不是 Excel（.xlsx）格式。") from exc
        if "xl/workbook.xml" not in names:
            raise ImportFileError("文件不是 Excel（.xlsx）格式（可能是 Word、WPS 或其他压缩文件）。")
        infos = self._zip.infolist()
        if len(infos) > MAX_ENTRIES:
            raise ImportFileError(f"文件包含的部件过多（{len(infos)}个），不像正常的 Excel 文件。")
        if sum(info.file_size for info in infos) > max_unpacked:
            raise ImportFileError("文件解压后过大，请删除无关的工作表、图片后重试。")
        if any(info.file_size > RATIO_CHECK_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1)
               for info in infos):
            raise ImportFileError("文件压缩比异常（疑似压缩炸弹），已拒绝读取。")
        self._verify_archive(max_unpacked)
        try:
            self._calamine = CalamineWorkbook.from_object(io.BytesIO(data))
        except (CalamineError, ValueError, OSError) as exc:
            raise ImportFileError("无法读取该 Excel 文件，文件可能已损坏或已加密。") from exc
        parts = self._sheet_parts()
        self.sheets = []
        for index, meta in enumerate(self._calamine.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet or meta.name not in parts:
                continue
            self.sheets.append(Sheet(meta.name, index, parts[meta.name], meta.visible == SheetVisibleEnum.Visible))
        self._sizes = {}

    def _verify_archive(self, max_unpacked):
        """Unpack every part once, in small chunks: catches lying sizes (CRC errors) and zip bombs."""
        total = 0
        try:
            for info in self._zip.infolist():
                with self._zip.open(info) as part:
                    while chunk := part.read(1024 * 1024):
                        total += len(chunk)
                        if total > max_unpacked:
                            raise ImportFileError("文件解压后过大，请删除无关的工作表、图片后重试。")
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise ImportFileError("文件已损坏或已加密，无法读取。") from exc

    def _sheet_parts(self):
        """{sheet name: XML part path} from xl/workbook.xml and its relationships."""
        try:
            workbook = ElementTree.fromstring(self._zip.read("xl/workbook.xml"))  # noqa: S314 (see _parse_note)
            rels = ElementTree.fromstring(self._zip.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        except (KeyError, ElementTree.ParseError) as exc:
            raise ImportFileError("文件已损坏：找不到工作表目录。") from exc
        targets = {}
        for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
            targets[rel.get("Id")] = path
        parts = {}
        for sheet in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
            path = targets.get(sheet.get(f"{{{_REL_NS}}}id"))
            if path:
                parts[sheet.get("name")] = path
        return parts

    def size(self, sheet):
        """The used area of `sheet`, measured by streaming its XML (constant memory). Stops early once the
        caps are exceeded, so the returned size is then only known to be too big."""
        if sheet.name not in self._sizes:
            self._sizes[sheet.name] = _measure(self._zip, sheet.part, self.max_rows, self.max_columns)
        return self._sizes[sheet.name]

    def check_size(self, sheet):
        size = self.size(sheet)
        if size.rows > self.max_rows:
            raise ImportFileError(
                f"工作表“{sheet.name}”的数据超过 {self.max_rows} 行（可能有远处的零星单元格），"
                "请删除多余的行或拆分成多个文件后重试。"
            )
        if size.columns > self.max_columns:
            raise ImportFileError(
                f"工作表“{sheet.name}”的数据超过 {self.max_columns} 列（可能有远处的零星单元格），"
                "请删除多余的列后重试。"
            )
        return size

    def rows(self, sheet):
        """All rows of `sheet` as lists of raw values; `rows[i]` is Excel row i + 1, column A is index 0."""
        self.check_size(sheet)
        try:
            values = self._calamine.get_sheet_by_index(sheet.index).to_python(skip_empty_area=False)
        except (CalamineError, ValueError) as exc:
            raise ImportFileError(f"无法读取工作表“{sheet.name}”。") from exc
        return [[None if v == "" else v for v in row] for row in values]

    def close(self):
        self._calamine.close()
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def open_workbook(data, **limits):
    """A `Workbook` over the bytes of an xlsx file. Raises `ImportFileError` with a Chinese message."""
    return Workbook(data, **limits)


# _parse_note: the XML parsed here comes from the uploaded file. ElementTree resolves no external entities
# and the bundled expat (>= 2.4) limits entity expansion ("billion laughs"), so plain ElementTree is safe.

_CELL_REF = re.compile(r"([A-Z]{1,3})(\d+)$")


def _column_number(letters):
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def _measure(archive, part, max_rows, max_columns):
    """The last row and column holding a value in a sheet part, read as a stream.

    Cells without a value (only formatting) do not count, as calamine skips them too. Rows and cells
    without an "r" attribute take the position after the previous one, as the format specifies.
    """
    row_tag, cell_tag, data_tag = (f"{{{_MAIN_NS}}}{name}" for name in ("row", "c", "sheetData"))
    value_tags_v = f"{{{_MAIN_NS}}}v"
    value_tags = {value_tags_v, f"{{{_MAIN_NS}}}is"}
    last_row = last_column = 0
    current_row = current_column = 0
    sheet_data = row_element = None
    try:
        with archive.open(part) as stream:
            for event, element in ElementTree.iterparse(stream, events=("start", "end")):  # noqa: S314
                tag = element.tag
                if event == "start":
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
                if tag == cell_tag:
                    if any(child.tag in value_tags and (child.tag != value_tags_v or child.text) for child in element):
                        last_row = max(last_row, current_row)
                        last_column = max(last_column, current_column)
                        if last_row > max_rows or last_column > max_columns:
                            return SheetSize(last_row, last_column)
                    # Drop what has been measured, so memory stays constant however many cells there are.
                    if row_element is not None and len(row_element) and row_element[-1] is element:
                        del row_element[-1]
                    element.clear()
                elif tag == row_tag and sheet_data is not None:
                    sheet_data.clear()
    except (KeyError, ElementTree.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError("文件已损坏：工作表内容无法解析。") from exc
    return SheetSize(last_row, last_column)


# ---------------------------------------------------------------------------------------------------------
# Header and records


def header_key(value):
    """A header cell reduced for matching: no spaces, half-width, no required-marks (*, （必填）), casefolded."""
    text = re.sub(r"\s+", "", cell_text(value))
    text = re.sub(r"[(（]\s*(必填|选填|可选)\s*[)）]", "", text)
    return text.strip("*＊").casefold()


@dataclass
class Table:
    """A located table: its sheet, all rows, the header row index and where each known column is."""

    sheet: str
    rows: list
    header_index: int  # index into rows; the Excel row number is header_index + 1
    columns: dict  # canonical column name -> index
    ignored: list = field(default_factory=list)  # header texts of columns nobody asked for

    @property
    def header_row_number(self):
        return self.header_index + 1


def find_header(rows, columns, *, required=(), scan_rows=30):
    """Find the header row among the first `scan_rows` rows.

    `columns` maps each canonical column name to its accepted spellings (the canonical name is always
    accepted). The header row is the first row containing every `required` column. Returns
    `(row index, {canonical: column index}, [ignored header texts])` or None.
    Raises `ImportFileError` when a column appears twice in the header row.
    """
    lookup = {}
    for canonical, synonyms in columns.items():
        for spelling in (canonical, *synonyms):
            lookup[header_key(spelling)] = canonical
    for index, row in enumerate(rows[:scan_rows]):
        found, ignored, seen = {}, [], {}
        for col, value in enumerate(row):
            key = header_key(value)
            if not key:
                continue
            canonical = lookup.get(key)
            if canonical is None:
                ignored.append(cell_text(value))
            elif canonical in found:
                seen.setdefault(canonical, [found[canonical]]).append(col)
            else:
                found[canonical] = col
        if all(name in found for name in required) and found:
            if seen:
                name, cols = next(iter(seen.items()))
                letters = "、".join(column_letter(c) for c in cols)
                raise ImportFileError(f"第{index + 1}行表头中“{name}”列出现了多次（{letters}列），请只保留一列。")
            return index, found, ignored
    return None


def locate_table(workbook, columns, *, required=(), scan_rows=30):
    """The first sheet (visible sheets first) whose header row has every `required` column, as a `Table`.

    A sheet that is too big is skipped while looking; if no sheet has the header, the size problem of the
    first such sheet is reported, otherwise a message naming the required columns.
    """
    too_big = None
    ordered = [s for s in workbook.sheets if s.visible] + [s for s in workbook.sheets if not s.visible]
    for sheet in ordered:
        try:
            rows = workbook.rows(sheet)
        except ImportFileError as exc:
            too_big = too_big or exc
            continue
        match = find_header(rows, columns, required=required, scan_rows=scan_rows)
        if match is not None:
            index, found, ignored = match
            return Table(sheet.name, rows, index, found, ignored)
    if too_big is not None:
        raise too_big
    names = "、".join(f"“{name}”" for name in required)
    raise ImportFileError(f"没有找到表头：请确认某个工作表的前{scan_rows}行中有一行包含{names}列。")


def records(table):
    """Yield `(excel row number, {canonical column: raw value})` for each non-blank row under the header."""
    for index in range(table.header_index + 1, len(table.rows)):
        row = table.rows[index]
        values = {name: (row[col] if col < len(row) else None) for name, col in table.columns.items()}
        if is_blank_row(values.values()):
            continue
        yield index + 1, values


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@dataclass
class Problem:
    """One problem found in a file, located for the user: Excel row number (0 for the file) and column."""

    row: int
    column: str
    message: str

    def __str__(self):
        where = f"第{self.row}行" if self.row else "文件"
        if self.column:
            where += f"“{self.column}”列"
        return f"{where}：{self.message}"


# ---------------------------------------------------------------------------------------------------------
# Additions for large tables (a county ledger can have 100,000+ rows) and for dates.


class LargeWorkbook(Workbook):
    """A `Workbook` for big tables: the size check scans the sheet's XML as bytes first.

    The exact measure (`Workbook.size`) parses every cell and takes about 10 s for 100,000 rows × 20
    columns; the quick scan takes a fraction of that. It vouches for a sheet only when the sheet is plainly
    within the caps (every cell carries its own reference, no reference beyond the caps); anything unusual
    falls back to the exact measure, so the caps hold exactly as in `Workbook`.
    """

    def check_size(self, sheet):
        if sheet.name not in self._sizes and _fits_quickly(self._zip, sheet.part, self.max_rows, self.max_columns):
            return None  # within the caps; the exact size was not computed
        return super().check_size(sheet)

    def rows(self, sheet):
        """As `Workbook.rows` (empty cells are None), converted in place to spare a copy of a big sheet; the
        sheet's merged ranges are kept for `merged_ranges`."""
        self.check_size(sheet)
        try:
            source = self._calamine.get_sheet_by_index(sheet.index)
            values = source.to_python(skip_empty_area=False)
            merged = getattr(self, "_merged", None)
            if merged is None:
                merged = self._merged = {}
            merged[sheet.name] = list(source.merged_cell_ranges or [])
        except (CalamineError, ValueError) as exc:
            raise ImportFileError(f"无法读取工作表“{sheet.name}”。") from exc
        for row in values:
            for index, value in enumerate(row):
                if value == "":
                    row[index] = None
        return values

    def merged_ranges(self, sheet):
        """[((first row, first column), (last row, last column))] (0-based) of a sheet read by `rows`."""
        return getattr(self, "_merged", {}).get(sheet.name, [])


def fill_merged_down(rows, ranges, below):
    """Give every row of a vertically merged block the value of its top cell, in the block's first column,
    for blocks starting after row index `below` (the header): cadres merge a village's or a category's
    cells over the rows it applies to. Rows past the end of `rows` are left alone."""
    for (first_row, first_col), (last_row, _) in ranges:
        if first_row <= below or last_row <= first_row or first_row >= len(rows):
            continue
        top = rows[first_row]
        value = top[first_col] if top is not None and first_col < len(top) else None
        if value is None:
            continue
        for index in range(first_row + 1, min(last_row, len(rows) - 1) + 1):
            row = rows[index]
            if row is None:
                continue
            if first_col >= len(row):
                row.extend([None] * (first_col + 1 - len(row)))
            if row[first_col] is None:
                row[first_col] = value


def open_large_workbook(data, *, max_rows=200_000, max_columns=MAX_COLUMNS, max_unpacked=1024 * 1024 * 1024):
    """A `LargeWorkbook` over the bytes of an xlsx file, with caps sized for big ledgers."""
    return LargeWorkbook(data, max_rows=max_rows, max_columns=max_columns, max_unpacked=max_unpacked)


_PREFIXED_CELL = re.compile(rb":c[\s/>]")


def _fits_quickly(archive, part, max_rows, max_columns):
    """True when the sheet part is certainly within `max_rows` × `max_columns`; False when unsure.

    Works on the raw bytes in chunks (text nodes cannot contain "<", so a chunk is cut before its last
    "<" and the rest carried over). Every cell tag must start `<c r="` followed by a reference no longer
    than the caps allow: a cell without a reference takes the position after the previous one, which only
    the exact measure follows. References exactly as long as the caps are compared by value.
    """
    letters = len(column_letter(max_columns - 1))
    digits = len(str(max_rows))
    # "<c" not followed by a letter (<col>, <cfRule>, ...) nor by a short enough reference.
    unusual = re.compile(rb'<c(?![a-zA-Z]| r="[A-Z]{1,%d}\d{1,%d}")' % (letters, digits))
    as_long = re.compile(rb'<c r="(?:([A-Z]{%d})\d|[A-Z]+(\d{%d})")' % (letters, digits))
    last_column = column_letter(max_columns - 1).encode()
    tail = b""
    try:
        with archive.open(part) as stream:
            while True:
                chunk = stream.read(4 * 1024 * 1024)
                buffer = tail + chunk
                if chunk:
                    cut = buffer.rfind(b"<")
                    if cut <= 0:
                        tail = buffer
                        continue
                    buffer, tail = buffer[:cut], buffer[cut:]
                if _PREFIXED_CELL.search(buffer) or unusual.search(buffer):
                    return False
                for column, row in as_long.findall(buffer):
                    if (column and column > last_column) or (row and int(row) > max_rows):
                        return False
                if not chunk:
                    return True
    except (KeyError, zipfile.BadZipFile, OSError):
        return False


_DATE_TEXT = [
    # 1975-03-01, 1975.3.1, 1975/03/01, 1975年3月1日 (an optional time after it is ignored); full-width
    # separators too
    (re.compile(r"(\d{4})[.\-/年．－／](\d{1,2})[.\-/月．－／](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?"), "day"),
    # 1975.03, 1975-3, 1975/03, 1975年3月
    (re.compile(r"(\d{4})[.\-/年．－／](\d{1,2})月?"), "month"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "day"),  # 19750301
    (re.compile(r"(\d{4})(\d{2})"), "month"),  # 197503
    (re.compile(r"(\d{4})年?"), "year"),  # 1975, 1975年
]
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_HINT = "请写成“1975.03”“1975年3月”或“1975-03-01”的形式"


def cell_date(value, *, earliest=1900, latest=2100):
    """A date cell as `(date, precision)`, precision being "day", "month" or "year"; `None` when empty.

    Accepts what ledgers hold: Excel dates, text such as "1975.03", "1975.3", "1975年3月", "1975-03-01",
    "1975/3/1", "1975年3月1日", "197503", "19750301", "1975", full-width digits, and numbers typed into a
    General cell: 1975.03 (year.month), 197503, 19750301, or an Excel date serial (27454). A month-precise
    value is the first of its month. Raises `CellError` with a Chinese message.

    The number 1975.1 is refused: Excel has already turned "1975.10" into it, so October and January
    cannot be told apart.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return _checked_date(value.year, value.month, value.day, "day", value, earliest, latest)
    if isinstance(value, datetime.date):
        return _checked_date(value.year, value.month, value.day, "day", value, earliest, latest)
    if isinstance(value, bool):
        raise CellError(f"不是日期，{DATE_HINT}。")
    if isinstance(value, int | float):
        return _number_date(value, earliest, latest)
    text = re.sub(r"\s+", "", normalise_text(value))
    if not text:
        return None
    for pattern, precision in _DATE_TEXT:
        match = pattern.fullmatch(text)
        if match:
            parts = [int(part) for part in match.groups()]
            year, month, day = (parts + [1, 1])[:3]
            return _checked_date(year, month, day, precision, text, earliest, latest)
    raise CellError(f"无法识别的日期“{text}”，{DATE_HINT}。")


def _number_date(value, earliest, latest):
    shown = cell_text(value)
    if isinstance(value, float) and not value.is_integer():
        whole = int(value)
        if earliest <= whole <= latest:  # 1975.03 typed into a General cell
            hundredths = round((value - whole) * 100)
            if abs((value - whole) * 100 - hundredths) > 1e-6:
                raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")
            if hundredths == 10:
                raise CellError(
                    f"“{shown}”是数字格式，无法区分1月和10月，请将该列设为文本格式后填写“{whole}.01”或“{whole}.10”。"
                )
            month = hundredths // 10 if hundredths % 10 == 0 else hundredths  # 1975.3 is March
            return _checked_date(whole, month, 1, "month", shown, earliest, latest)
        if 10_000 <= value < 100_000:  # an Excel date serial with a time of day
            value = int(value)
        else:
            raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")
    number = int(value)
    digits = str(number)
    if 10_000 <= number < 100_000:
        day = _EXCEL_EPOCH + datetime.timedelta(days=number)
        return _checked_date(day.year, day.month, day.day, "day", shown, earliest, latest)
    if len(digits) == 8:
        return _checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), "day", shown, earliest, latest)
    if len(digits) == 6:
        return _checked_date(int(digits[:4]), int(digits[4:]), 1, "month", shown, earliest, latest)
    if len(digits) == 4:
        return _checked_date(number, 1, 1, "year", shown, earliest, latest)
    raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")


def _checked_date(year, month, day, precision, shown, earliest, latest):
    if isinstance(shown, datetime.date):
        shown = cell_text(shown)
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"“{shown}”不是有效的日期。") from None
    if not earliest <= year <= latest:
        raise CellError(f"日期“{shown}”不在合理范围内（{earliest}—{latest}年）。")
    return date, precision
