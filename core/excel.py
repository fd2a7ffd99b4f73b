"""Excel output shared by every export: streamed with constant memory, safe against formula injection."""

import tempfile

import xlsxwriter
import xlsxwriter.utility
from django.http import FileResponse
from django.utils import timezone

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A cell that would start a formula is written with a leading apostrophe-equivalent (a space-free quote)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SheetWriter:
    """Writes one sheet: an optional title block, a header row, then rows, every cell as text or number.

    Text columns (`text_columns`) are written as strings even when they look like numbers, so
    an ID number survives a round trip through Excel.
    """

    def __init__(self, target, sheet_name, headers, *, title="", subtitle="", text_columns=(), widths=None):
        self.workbook = xlsxwriter.Workbook(
            target, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                     "strings_to_urls": False, "in_memory": False, "tmpdir": tempfile.gettempdir()}
        )
        self.sheet = self.workbook.add_worksheet(sheet_name[:31])
        self.header_format = self.workbook.add_format(
            {"bold": True, "bg_color": "#E8EEF7", "border": 1, "align": "center", "valign": "vcenter"}
        )
        self.title_format = self.workbook.add_format({"bold": True, "font_size": 14})
        self.text_format = self.workbook.add_format({"num_format": "@"})
        self.headers = list(headers)
        self.text_columns = set(text_columns)
        self.row = 0
        if title:
            self.sheet.write_string(self.row, 0, title, self.title_format)
            self.row += 1
        if subtitle:
            self.sheet.write_string(self.row, 0, subtitle)
            self.row += 1
        for col, header in enumerate(self.headers):
            self.sheet.write_string(self.row, col, header, self.header_format)
            width = (widths or {}).get(header) or max(10, min(40, len(header) * 2 + 4))
            self.sheet.set_column(col, col, width, self.text_format if col in self.text_columns else None)
        self.header_row = self.row
        self.row += 1
        self.count = 0

    def write_row(self, values):
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if col in self.text_columns or isinstance(value, str):
                self.sheet.write_string(self.row, col, str(neutralise(value)), self.text_format
                                        if col in self.text_columns else None)
            elif hasattr(value, "isoformat"):
                self.sheet.write_string(self.row, col, value.isoformat()[:10] if not hasattr(value, "hour")
                                        else timezone.localtime(value).strftime("%Y-%m-%d %H:%M"))
            elif isinstance(value, bool):
                self.sheet.write_string(self.row, col, "是" if value else "否")
            else:
                self.sheet.write_number(self.row, col, value)
        self.row += 1
        self.count += 1

    def close(self):
        self.sheet.freeze_panes(self.header_row + 1, 0)
        self.workbook.close()


def xlsx_response(build, filename):
    """Run `build(writer_target)` into a spooled temporary file and stream it back as a download."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
    build(spool)
    spool.seek(0)
    return FileResponse(
        spool, as_attachment=True, filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_filename(stem):
    return f"{stem}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"



# --- drop-downs (list data validation) -----------------------------------------------------------------

EXCEL_MAX_ROW = 1_048_575  # zero-based index of the last row of a sheet
INLINE_LIST_LIMIT = 255  # Excel refuses an inline list ("a,b,c") longer than this


def _inline_length(text):
    """Length as counted against the inline-list limit; conservatively a CJK character counts as two
    (double-byte), as older Excel versions count it."""
    return sum(1 if ord(ch) < 128 else 2 for ch in text)


def quote_sheet(name):
    """A sheet name as a formula reference: always quoted, which Excel accepts for any name."""
    return "'" + name.replace("'", "''") + "'"


class DropDowns:
    """Adds drop-down lists (list data validation) to the columns of a sheet.

    A short list is written inline; one too long for Excel's inline limit (or containing a comma) is
    written as one row of a hidden sheet, created on first need, and referenced from there. Rows are
    written in ascending order, so this also works on a `constant_memory` workbook.
    """

    def __init__(self, workbook, lists_sheet_name="选项"):
        self.workbook = workbook
        self.lists_sheet_name = lists_sheet_name
        self.lists_sheet = None
        self.list_rows = 0

    def source(self, values):
        """The validation source for `values`: the list itself, or a reference to a hidden-sheet row."""
        values = [str(v) for v in values]
        if _inline_length(",".join(values)) + 2 <= INLINE_LIST_LIMIT and not any("," in v for v in values):
            return values
        if self.lists_sheet is None:
            self.lists_sheet = self.workbook.add_worksheet(self.lists_sheet_name[:31])
            self.lists_sheet.hide()
        row = self.list_rows
        for col, value in enumerate(values):
            self.lists_sheet.write_string(row, col, value)
        self.list_rows += 1
        last = xlsxwriter.utility.xl_rowcol_to_cell(row, len(values) - 1, row_abs=True, col_abs=True)
        return f"={quote_sheet(self.lists_sheet_name[:31])}!$A${row + 1}:{last}"

    def add(self, sheet, col, values, *, first_row, last_row=EXCEL_MAX_ROW, title="", message="", strict=True):
        """A drop-down on column `col` from `first_row` to `last_row` (zero-based) offering `values`.

        `strict` refuses anything else (Excel's "停止" alert); otherwise Excel only warns.
        """
        options = {
            "validate": "list", "source": self.source(values), "ignore_blank": True,
            "error_type": "stop" if strict else "warning",
            "error_title": "输入值无效", "error_message": "请从下拉列表中选择。",
        }
        if title or message:
            options.update(input_title=title[:32], input_message=message[:255])
        return sheet.data_validation(first_row, col, last_row, col, options)
