"""Locating the table in a workbook (the header row among title rows, through synonyms), its records, the
problems found in them, and cells merged down over several rows."""

import re
from dataclasses import dataclass, field

from xlsxwriter.utility import xl_col_to_name as column_letter  # 0 → A, 25 → Z, 26 → AA

from .cells import cell_text, is_blank_row
from .limits import ImportFileError


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


def records(table):
    """Yield `(excel row number, {canonical column: raw value})` for each non-blank row under the header."""
    for index in range(table.header_index + 1, len(table.rows)):
        row = table.rows[index]
        values = {name: (row[col] if col < len(row) else None) for name, col in table.columns.items()}
        if is_blank_row(values.values()):
            continue
        yield index + 1, values




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



def fill_merged_down(rows, ranges, below):
    """Give every row of a vertically merged block the value of its top cell, in the block's first column,
    for blocks starting after row index `below` (the header): cadres merge a village's or a category's
    cells over the rows it applies to. Rows past the end of `rows` are left alone. On `ArrivingRows`, rows
    still to come are filled as they arrive."""
    if hasattr(rows, "fill_merged_down"):  # ArrivingRows
        rows.fill_merged_down(ranges, below)
        return
    MergedDown(ranges, below, len(rows)).apply(rows, 0)


class MergedDown:
    """`fill_merged_down` applied to rows in order, as many at a time as there are: each row is filled from
    the blocks it lies in, whose top cell's value was taken when the top row went by."""

    def __init__(self, ranges, below, total):
        self.blocks = sorted(
            (first_row, first_col, min(last_row, total - 1))
            for (first_row, first_col), (last_row, _) in ranges
            if below < first_row < last_row and first_row < total
        )
        self.next = 0  # the first block whose top row has not gone by
        self.active = []  # (first column, last row, value) of the blocks being filled

    def apply(self, rows, offset):
        """Fill `rows`, which are the rows from index `offset` on (every row goes by once, in order)."""
        blocks = self.blocks
        if self.next == len(blocks) and not self.active:
            return
        for index, row in enumerate(rows, offset):
            if self.active:
                self.active = [block for block in self.active if block[1] >= index]
                if row is not None:
                    for first_col, _, value in self.active:
                        if first_col >= len(row):
                            row.extend([None] * (first_col + 1 - len(row)))
                        if row[first_col] is None:
                            row[first_col] = value
            while self.next < len(blocks) and blocks[self.next][0] <= index:
                _, first_col, last_row = blocks[self.next]
                self.next += 1
                value = row[first_col] if row is not None and first_col < len(row) else None
                if value is not None:
                    self.active.append((first_col, last_row, value))
            if self.next == len(blocks) and not self.active:
                return
