"""A workbook as the caged reader returned it, or as it is still arriving (`Workbook`, `ArrivingRows`)."""

import collections.abc
import threading
from dataclasses import dataclass

from .limits import ImportFileError
from .tables import MergedDown

INVALID_OUTPUT = "文件解析结果无效，未读取任何数据：文件可能已损坏或结构异常。"


@dataclass
class SheetSize:
    """The used area of a sheet: the last row and column holding a value (1-based; 0 for an empty sheet)."""

    rows: int
    columns: int


@dataclass
class Sheet:
    name: str
    index: int
    visible: bool


class Workbook:
    """A workbook as the caged reader returned it: its worksheets, each with its rows (`rows[i]` is Excel row
    i + 1, column A is index 0, empty cells None; values are str, int, float, bool, date, datetime, time or
    timedelta as python-calamine gives them) and merged ranges — or, for a sheet past the row or column cap,
    the refusal, raised when the sheet is asked for. Use `open_workbook(data)`; nothing of the file is parsed
    in this process.

    From `stream_workbook(data)`, the workbook is still arriving: its sheets are known, `rows(sheet)` is an
    `ArrivingRows`, and the caller must call `finish()` (the reader's verdict on the whole file) before acting
    on anything it read."""

    def __init__(self):
        self.format = ""  # "xlsx", "xls" or "ods"
        self.sheets = []
        self.reader_peak_kb = None  # the child process's peak RSS (KiB), as it reported it
        self._rows = {}
        self._merged = {}
        self._refusals = {}
        self._sizes = {}
        # What the reader said before sending the rows, and how far it got. The frames are applied under
        # `_arrival`, which wakes whoever waits for rows of a streamed workbook.
        self._arrival = threading.Condition()
        self._announced = False  # the reader listed its sheets before reading them
        self._counts = {}  # sheet name -> how many rows the reader sends
        self._ended = set()  # names of sheets all of whose rows have arrived (or that were refused)
        self._fills = {}  # sheet name -> MergedDown applied to its rows as they arrive
        self._streamed = False
        self._reader = None  # the _CagedRead of a streamed workbook
        self._finished = True  # whether the reader has ended (a streamed workbook: once its child has)
        self._failure = None  # the ImportFileError the reader ended with

    def size(self, sheet):
        """The used area of `sheet`; for a refused sheet, what the reader had measured when it stopped."""
        self._wait_for(lambda: sheet.name in self._ended)
        if sheet.name not in self._sizes:
            rows = self._rows.get(sheet.name) or []
            last_row = last_column = 0
            for number, row in enumerate(rows, 1):
                used = [index for index, value in enumerate(row) if value is not None]
                if used:
                    last_row, last_column = number, max(last_column, used[-1] + 1)
            self._sizes[sheet.name] = SheetSize(last_row, last_column)
        return self._sizes[sheet.name]

    def rows(self, sheet):
        """All rows of `sheet`: the list the reader returned (callers may change it) — or, in a streamed
        workbook, an `ArrivingRows` filled as the reader sends them."""
        self._check(sheet)
        if self._streamed:
            return ArrivingRows(self, sheet.name)
        return self._rows[sheet.name]

    def _check(self, sheet):
        self._wait_for(lambda: sheet.name in self._counts or sheet.name in self._refusals)
        refusal = self._refusals.get(sheet.name)
        if refusal is not None:
            raise refusal

    def merged_ranges(self, sheet):
        """[((first row, first column), (last row, last column))] (0-based) of the merged cells of `sheet`."""
        self._wait_for(lambda: sheet.name in self._merged or sheet.name in self._ended)
        return self._merged.get(sheet.name, [])

    def finish(self):
        """Wait for the reader to end; raises its refusal or failure (`ImportFileError`). A streamed workbook's
        rows are the file's only once this has returned: a later sheet may still break a limit, or the reader
        may fail, and then nothing of the file may be used."""
        if self._reader is not None:
            self._reader.wait()
        if self._failure is not None:
            raise self._failure
        return self

    def close(self):
        if self._reader is not None:
            self._reader.stop()
        self._rows.clear()
        self._merged.clear()

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, ImportFileError) and self._reader is not None:
            # A file problem found in its first rows, while the reader had not ended: the reader's own verdict
            # on the file comes first, as when the whole file was read before any row was looked at.
            self._reader.wait()
            failure = self._failure
            self.close()
            if failure is not None and failure is not error:
                raise failure from None
            return
        self.close()

    # --- arrival ----------------------------------------------------------------------------------------

    def _wait_for(self, ready):
        """Wait until `ready()` or the reader has ended; raises the reader's failure if it ended first."""
        if ready():
            return
        with self._arrival:
            while not ready() and not self._finished:
                self._arrival.wait()
        if not ready() and self._failure is not None:
            raise self._failure

    def _wait_rows(self, name, count):
        rows = self._rows[name]
        self._wait_for(lambda: len(rows) >= count)
        if len(rows) < count:  # the reader ended without them, and without saying why
            raise ImportFileError(INVALID_OUTPUT)

    def _fill_merged_down(self, name, ranges, below):
        with self._arrival:
            rows = self._rows[name]
            fill = MergedDown(ranges, below, self._counts[name])
            fill.apply(rows, 0)
            self._fills[name] = fill

    def _reader_ended(self, failure):
        with self._arrival:
            self._failure = failure
            self._finished = True
            self._arrival.notify_all()


class ArrivingRows(collections.abc.Sequence):
    """The rows of one sheet of a streamed workbook (`stream_workbook`), filled while the caged reader sends
    them. `len()` is the sheet's row count, known before its first row; reading a row that has not arrived
    yet waits for it, and raises the reader's failure (`ImportFileError`) if the reader ends without sending
    it. A row that has been used may be replaced (by None, to free its memory)."""

    def __init__(self, workbook, name):
        self._workbook = workbook
        self._name = name
        self._rows = workbook._rows[name]
        self._total = workbook._counts[name]

    def __len__(self):
        return self._total

    def __getitem__(self, index):
        if isinstance(index, slice):
            indices = range(*index.indices(self._total))
            if indices:
                self._arrived(max(indices[0], indices[-1]))
            return [self._rows[i] for i in indices]
        if index < 0:
            index += self._total
        if not 0 <= index < self._total:
            raise IndexError("row index out of range")
        return self._arrived(index)

    def __setitem__(self, index, row):
        self[index]  # noqa: B018 (a row is replaced only once it has arrived)
        self._rows[index] = row

    def __iter__(self):
        for index in range(self._total):
            yield self._arrived(index)

    def _arrived(self, index):
        rows = self._rows
        if index >= len(rows):
            self._workbook._wait_rows(self._name, index + 1)
        return rows[index]

    def fill_merged_down(self, ranges, below):
        """`fill_merged_down` for these rows: those that have arrived now, the others as they arrive."""
        self._workbook._fill_merged_down(self._name, ranges, below)
