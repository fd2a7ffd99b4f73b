"""Test support of the ledger, for the tests of every app: valid ID numbers, the birth dates of the URL security
walk and the ways a page may write a day, and ledger workbooks to import."""

import datetime
import io

import xlsxwriter

from .identity import check_digit

__all__ = ["HEADERS", "Blank", "birth_date", "check_digit", "day_texts", "id_number", "ledger", "make_id", "person"]

HEADERS = ["序号", "姓名", "性别", "民族", "出生年月", "身份证号", "政治面貌", "类别", "工作单位及职务", "学历",
           "联系电话", "所在村(社区)", "是否代表人士", "备注"]


def make_id(birth=datetime.date(1975, 3, 14), seq=123, area="330998"):
    """A valid 18-digit ID number; an odd `seq` is a man."""
    first17 = f"{area}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def birth_date(serial):
    return datetime.date(1960, 1, 1) + datetime.timedelta(days=serial)


def id_number(serial):
    first17 = f"330998{birth_date(serial):%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


def day_texts(day):
    """A date written with its day, as pages, forms and exports write one."""
    return [day.isoformat(), f"{day.year}年{day.month:02d}月{day.day:02d}日", f"{day.year}年{day.month}月{day.day}日",
            f"{day.year}.{day.month:02d}.{day.day:02d}", f"{day:%Y/%m/%d}"]


class Blank:
    """A blank row in `ledger(...)`."""


def ledger(rows, headers=HEADERS, *, title="东溪镇统战成员台账", subtitle=None, instructions=False, merge=True,
           sheet="台账", extra_sheets=()):
    """Bytes of an xlsx ledger. Rows are dicts {header: value}; values keep their type (a number stays a
    number, a date becomes an Excel date); `Blank` makes an empty row. `extra_sheets` ([(name, rows)]) come
    before the data sheet, as does the instructions sheet."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    if instructions:
        notes = book.add_worksheet("填表说明")
        for index, line in enumerate(["填表说明", "1. 姓名必填；", "2. 身份证号请设为文本格式；", "姓名"]):
            notes.write_string(index, 0, line)
    for name, lines in extra_sheets:
        other = book.add_worksheet(name)
        for index, line in enumerate(lines):
            for col, value in enumerate(line):
                other.write(index, col, value)
    row = 0
    data = book.add_worksheet(sheet)
    if title:
        if merge:
            data.merge_range(row, 0, row, len(headers) - 1, title)
        else:
            data.write_string(row, 0, title)
        row += 1
    if subtitle:
        data.write_string(row, 0, subtitle)
        row += 1
    for col, header in enumerate(headers):
        data.write_string(row, col, header)
    row += 1
    for values in rows:
        if values is not Blank:
            for col, header in enumerate(headers):
                value = values.get(header)
                if value is None:
                    continue
                if isinstance(value, bool):
                    data.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    data.write_number(row, col, value)
                elif isinstance(value, datetime.date):
                    data.write_datetime(row, col, value, date_format)
                else:
                    data.write_string(row, col, value)
        row += 1
    book.close()
    return buffer.getvalue()


def person(name="张三", **values):
    row = {"姓名": name}
    row.update(values)
    return row
