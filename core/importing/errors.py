"""The error workbook (错误报告) of any import: the uploaded sheet again, row for row where it was (so that the row
numbers match the messages), the bad cells filled red and a last column 错误说明 listing each row's problems. The
user corrects the cells and uploads it again: the importers ignore the 错误说明 column."""

import datetime

from . import cell_text, header_key
from .framework import ERROR_COLUMN

RED = {"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1, "border_color": "#C00000"}


def write_error_workbook(importer, data, problems, target):
    """Write the error workbook of `data` (the upload, .xlsx/.xls/.ods) as `importer` located its table, for
    `problems` ([(row, column, message)]), with xlsxwriter to `target` (a path or a file object). Column names
    are the importer's canonical ones; columns the spec writes as text (ID numbers, codes) stay text."""
    import xlsxwriter

    table = importer.read_table(data)
    by_row = {}
    for row, column, message in problems:
        by_row.setdefault(row, []).append((column, message))
    dropped = {col for col, value in enumerate(table.rows[table.header_index])
               if header_key(cell_text(value)) == header_key(ERROR_COLUMN)}
    width = max((len(r) for r in table.rows if r), default=0)
    kept = [col for col in range(width) if col not in dropped]
    position = {col: index for index, col in enumerate(kept)}
    column_of = dict(table.columns)
    text_columns = {column_of[name] for name in importer.columns.text if name in column_of}

    workbook = xlsxwriter.Workbook(target, {
        "constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
        "strings_to_urls": False,
    })
    sheet = workbook.add_worksheet((table.sheet or importer.sheet_label)[:31])
    formats = {
        (False, False, False): None,
        (True, False, False): workbook.add_format(RED),
        (False, True, False): workbook.add_format({"num_format": "@"}),
        (True, True, False): workbook.add_format({**RED, "num_format": "@"}),
        (False, False, True): workbook.add_format({"num_format": "yyyy-mm-dd"}),
        (True, False, True): workbook.add_format({**RED, "num_format": "yyyy-mm-dd"}),
    }
    note_header = workbook.add_format({"bold": True, "font_color": "#C00000", "bg_color": "#FFC7CE", "border": 1})
    note = workbook.add_format({"font_color": "#C00000", "text_wrap": True, "valign": "top"})
    last = len(kept)
    for col in kept:
        sheet.set_column(position[col], position[col], 14, formats[(False, True, False)] if col in text_columns
                         else None)
    sheet.set_column(last, last, 60)
    for index, values in enumerate(table.rows):
        found = by_row.get(index + 1, ())
        bad = {column_of.get(column) for column, _ in found}
        for col in kept:
            value = values[col] if values is not None and col < len(values) else None
            is_text = col in text_columns
            is_date = isinstance(value, datetime.date)
            _write_cell(sheet, index, position[col], value, formats[(col in bad, is_text, is_date and not is_text)],
                        is_text)
        if index == table.header_index:
            sheet.write_string(index, last, ERROR_COLUMN, note_header)
        elif found:
            text = "；".join(f"{column}：{message}" if column else message for column, message in found)
            sheet.write_string(index, last, text, note)
    sheet.freeze_panes(table.header_index + 1, 0)
    workbook.close()


def _write_cell(sheet, row, col, value, fmt, is_text):
    if value is None or value == "":
        if fmt is not None:
            sheet.write_blank(row, col, None, fmt)
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, fmt)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, datetime.datetime | datetime.date) and not is_text:
        sheet.write_datetime(row, col, value, fmt)
    else:
        sheet.write_string(row, col, cell_text(value) if not isinstance(value, str) else value, fmt)
