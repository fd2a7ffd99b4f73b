"""Excel output shared by every export: streamed with constant memory, safe against formula injection."""

import tempfile

import xlsxwriter
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

