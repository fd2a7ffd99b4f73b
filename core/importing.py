"""Reading uploaded spreadsheets, generically: every importer (units, ledger, schemes, ...) builds on these helpers.

What is here knows nothing about any model:

- `read_upload(file)`: the bytes of an uploaded file, refused early when too big or not a workbook.
- `open_workbook(data)`: a `Workbook` of an .xlsx, .xls or .ods file, read by python-calamine in a *caged child
  process* (core/workbook_child.py): a fresh interpreter with a hard memory cap (RLIMIT_AS) and CPU cap,
  killed when its time is up, that checks the file against explicit limits before calamine reads it —
  sheets, rows and columns per sheet (calamine loads a whole sheet into a dense grid, so one stray value in
  cell XFD1048576 would make it allocate billions of cells), cells, shared strings and the text they expand
  to (one long string referenced by 60,000 cells turns 224 KB into gigabytes), zip entries, unpacked size
  and compression ratio, XML nesting depth, DTDs and entities (refused). The rows come back as plain values
  (decoded with a pickle that may name no class but the datetime types); whatever the file does, this
  process only ever sees a refusal with a Chinese message naming the limit. `ReaderLimits` holds the limits;
  `open_large_workbook` uses `LARGE_LIMITS`, sized for a county ledger of 100,000+ rows.
- `locate_table(workbook, columns, required)`: the first sheet whose header row (title rows above it are
  fine) names the required columns, matched through synonyms; `records(table)` then yields
  `(excel_row_number, {column: raw value})`, skipping blank rows.
- Cell conversion: `normalise_text`, `cell_text`, `cell_code`, `cell_int`, `cell_date`. They raise `CellError`
  with a Chinese message; the importer adds the row number and column name.

Every problem with the file as a whole raises `ImportFileError`, whose message is Chinese and meant for
the user as is.
"""

import collections.abc
import contextlib
import dataclasses
import datetime
import fcntl
import importlib.util
import io
import json
import logging
import os
import pickle
import re
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 50
MAX_CELLS = 1_000_000
MAX_SHEETS = 100
# The unpacked size of every part of the archive together: a 5 MB upload can unpack to gigabytes.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
# An xlsx has a few dozen parts that compress 5–30 times; a zip bomb has many parts or compresses thousands
# of times. The ratio is checked only on parts big enough to matter.
MAX_ENTRIES = 1000
MAX_RATIO = 200
RATIO_CHECK_BYTES = 1024 * 1024
MAX_SHARED_STRINGS = 500_000
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_EXPANDED_BYTES = 64 * 1024 * 1024
MAX_XML_DEPTH = 256  # libxml2's default limit; real spreadsheet parts nest about 10 deep
READER_MEMORY_MB = 512
READER_SECONDS = 30  # within a web request (gunicorn's timeout is 60 s)

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and other legacy Office files, and encrypted .xlsx
SPREADSHEET_FORMATS = ("xlsx", "xls", "ods")
FORMAT_NAMES = {"xlsx": "Excel（.xlsx）", "xls": "Excel 97-2003（.xls）", "ods": "OpenDocument 表格（.ods）"}


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
# Upload


def read_upload(uploaded, *, max_bytes=MAX_UPLOAD_BYTES, formats=("xlsx",)):
    """The bytes of an uploaded file (a Django UploadedFile or any file object), checked by their first bytes
    to be one of `formats` ("xlsx", "xls", "ods")."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ImportFileError(f"文件过大（{_megabytes(size)}），上限为 {_megabytes(max_bytes)}。")
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(f"文件过大，上限为 {_megabytes(max_bytes)}。")
    check_format(data, formats)
    return data


def check_format(data, formats=SPREADSHEET_FORMATS):
    """Refuse at once what cannot be a workbook of `formats`: .xlsx and .ods are zip archives, .xls an OLE
    compound file (which is also what an .xlsx with an opening password is)."""
    if not data:
        raise ImportFileError("文件是空的。")
    if data.startswith(OLE_MAGIC):
        if "xls" not in formats:
            raise ImportFileError("这是旧版 Excel（.xls）文件或已加密的文件，请在 Excel 中“另存为”.xlsx 格式后再上传。")
        return
    if not data.startswith(ZIP_MAGIC) or not {"xlsx", "ods"} & set(formats):
        raise ImportFileError(f"文件不是 {_format_names(formats)}格式。")


def _format_names(formats):
    names = [FORMAT_NAMES[name] for name in formats]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def _megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")


# ---------------------------------------------------------------------------------------------------------
# The caged reader


@dataclass(frozen=True)
class ReaderLimits:
    """What one untrusted workbook may take. The child process that parses it gets these (core/workbook_child.py
    checks each and names the one a file breaks); `memory_mb` and `seconds` are its hard caps."""

    max_rows: int = MAX_ROWS  # per sheet: the last row holding a value
    max_columns: int = MAX_COLUMNS  # per sheet
    max_cells: int = MAX_CELLS  # all sheets read: rows × columns of their used area from A1
    max_sheets: int = MAX_SHEETS
    max_entries: int = MAX_ENTRIES  # parts of a zip archive (.xlsx, .ods)
    max_unpacked: int = MAX_UNPACKED_BYTES  # all parts unpacked
    max_ratio: int = MAX_RATIO
    ratio_check_bytes: int = RATIO_CHECK_BYTES
    max_shared_strings: int = MAX_SHARED_STRINGS
    max_shared_strings_bytes: int = MAX_SHARED_STRINGS_BYTES
    max_expanded_bytes: int = MAX_EXPANDED_BYTES  # the text of all cells, each shared string once per cell
    max_xml_depth: int = MAX_XML_DEPTH
    memory_mb: int = READER_MEMORY_MB  # the child's address space (RLIMIT_AS)
    seconds: float = READER_SECONDS  # wall clock (the child is killed) and CPU time (RLIMIT_CPU)


LARGE_LIMITS = ReaderLimits(
    max_rows=200_000, max_cells=4_000_000, max_unpacked=1024 * 1024 * 1024, max_shared_strings=2_000_000,
    max_shared_strings_bytes=128 * 1024 * 1024, max_expanded_bytes=128 * 1024 * 1024, memory_mb=768, seconds=300,
)


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
        self._fills = {}  # sheet name -> _MergedDown applied to its rows as they arrive
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

    def check_size(self, sheet):
        """The used area of `sheet`; raises the refusal of a sheet past the row or column cap."""
        self._check(sheet)
        return self.size(sheet)

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
            raise ImportFileError(_INVALID_OUTPUT)

    def _fill_merged_down(self, name, ranges, below):
        with self._arrival:
            rows = self._rows[name]
            fill = _MergedDown(ranges, below, self._counts[name])
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


def open_workbook(data, *, limits=None, **caps):
    """A `Workbook` read from the bytes of an .xlsx, .xls or .ods file in a caged child process, under
    `limits` (default `ReaderLimits()`) with any of its fields overridden by `caps` (e.g. `max_rows=100`).
    Raises `ImportFileError` with a Chinese message naming the limit a file breaks."""
    limits = dataclasses.replace(limits or ReaderLimits(), **caps)
    check_format(data)
    read = _CagedRead(data, limits)
    read.run()
    return read.workbook.finish()


def open_large_workbook(data, **caps):
    """`open_workbook` with the caps of big tables (`LARGE_LIMITS`: a county ledger has 100,000+ rows)."""
    return open_workbook(data, limits=LARGE_LIMITS, **caps)


def stream_workbook(data, *, limits=None, **caps):
    """`open_workbook`, returning as soon as the reader has checked the file and listed its worksheets: their
    rows (`ArrivingRows`) arrive while the caller already works on them. The reader has run every check of the
    file before it sends the first row; a limit it can only find later (a later sheet too big, the cells of all
    sheets together) or its own failure reaches the caller from `finish()` — or from a row it waits for.
    Use it as a context manager (leaving it stops the reader) and call `finish()` before acting on what was
    read (looking anything up, writing)."""
    limits = dataclasses.replace(limits or ReaderLimits(), **caps)
    check_format(data)
    read = _CagedRead(data, limits)
    workbook = read.workbook
    workbook._streamed, workbook._finished, workbook._reader = True, False, read
    read.start()
    try:
        workbook._wait_for(lambda: workbook._announced)
        if not workbook._announced:
            workbook.finish()  # ended without listing its sheets: its failure, or (never) a finished workbook
    except BaseException:
        workbook.close()
        raise
    return workbook


def stream_large_workbook(data, **caps):
    """`stream_workbook` with the caps of big tables (`LARGE_LIMITS`)."""
    return stream_workbook(data, limits=LARGE_LIMITS, **caps)


_CHILD = Path(__file__).with_name("workbook_child.py")
_FRAME_HEADER = struct.Struct(">I")
_STDERR_KEPT = 16 * 1024
_CELL_TYPES = frozenset({str, int, float, bool, type(None), datetime.date, datetime.datetime, datetime.time,
                         datetime.timedelta})


class _ReaderOutputError(Exception):
    """The child's output is not what it sends: it must be treated as broken."""


class _RowsUnpickler(pickle.Unpickler):
    """The child parsed hostile bytes, so what it sends is decoded as data only: the one class a pickle of its
    frames may name is one of the datetime types; anything else (any callable) is refused."""

    _ALLOWED = {("datetime", name): getattr(datetime, name) for name in ("date", "datetime", "time", "timedelta")}

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed") from None


class _CagedRead:
    """core/workbook_child.py run on `data`, its frames built into `self.workbook`: in the calling thread
    (`run`, for `open_workbook`) or in a thread of its own (`start`, for `stream_workbook`). Enforces the
    wall-clock limit (the child is killed) and turns every failure of the child into an `ImportFileError`,
    which the workbook holds once the read has ended."""

    def __init__(self, data, limits):
        self.limits = limits
        self.builder = _WorkbookBuilder(data, limits)
        self.workbook = self.builder.workbook
        self.stopped = False  # the caller stopped the read: how the child then ends means nothing
        self.thread = None
        self.crash = None  # an unexpected exception of the thread, raised again by wait()
        request = json.dumps({"size": len(data), "limits": dataclasses.asdict(limits)}).encode() + b"\n"
        calamine = importlib.util.find_spec("python_calamine")
        site = str(Path(calamine.origin).resolve().parent.parent) if calamine and calamine.origin else ""
        try:
            self.child = subprocess.Popen(  # noqa: S603 (a fixed command: this interpreter running the child script)
                [sys.executable, "-I", str(_CHILD), site], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env={"PATH": os.defpath, "LC_ALL": "C.UTF-8"}, close_fds=True,
            )
        except OSError as exc:
            logger.error("The workbook reader could not be started: %s", exc)
            raise ImportFileError("暂时无法读取文件（解析程序无法启动），请稍后重试或联系系统管理员。") from exc
        _widen_pipe(self.child.stdout)
        self.feeder = threading.Thread(target=_feed, args=(self.child.stdin, request, data), daemon=True)
        self.feeder.start()
        self.deadline = time.monotonic() + limits.seconds

    def run(self):
        """Read every frame until the child closes its output, then record how the read ended."""
        child, builder = self.child, self.builder
        timed_out = broken = True  # until the child's output has been read to its end
        stderr = bytearray()
        try:
            timed_out, broken = _collect(child, self.deadline, builder, stderr)
        finally:
            if timed_out or broken or self.stopped:
                child.kill()
            status = _reap(child, self.deadline)
            self.feeder.join(timeout=5)
            child.stdout.close()
            child.stderr.close()
        if self.stopped:
            self.workbook._reader_ended(ImportFileError("文件读取已中止。"))
            return
        _note_peak(builder.peak_kb)
        self.workbook.reader_peak_kb = builder.peak_kb
        failure = _failure(self.limits, status, timed_out, broken, builder)
        if failure is not None:
            if stderr and not timed_out:
                logger.warning("Workbook reader exited with %s: %s", status,
                               bytes(stderr[-2000:]).decode(errors="replace"))
            failure.reader_peak_kb = builder.peak_kb
        self.workbook._reader_ended(failure)

    def start(self):
        self.thread = threading.Thread(target=self._run_in_thread, name="workbook-reader", daemon=True)
        self.thread.start()

    def _run_in_thread(self):
        try:
            self.run()
        except BaseException as exc:  # noqa: BLE001 (handed to the caller by wait())
            self.crash = exc
            self.workbook._reader_ended(ImportFileError(_INVALID_OUTPUT))

    def wait(self):
        if self.thread is not None:
            self.thread.join()
        if self.crash is not None:
            crash, self.crash = self.crash, None
            raise crash

    def stop(self):
        """End the read now (the caller has what it needs, or gave up): the child is killed."""
        if self.thread is None or not self.thread.is_alive():
            return
        self.stopped = True
        with contextlib.suppress(OSError):
            self.child.kill()
        self.thread.join()


def _widen_pipe(stream):
    """Let the child's output pipe hold 1 MB instead of 64 KB: the child writes frames of a few hundred KB,
    and the parent reads them between its own work on the rows (Linux only; elsewhere the default stays)."""
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(stream.fileno(), fcntl.F_SETPIPE_SZ, 1024 * 1024)


_largest_peak_kb = 0


def _note_peak(peak_kb):
    global _largest_peak_kb
    _largest_peak_kb = max(_largest_peak_kb, peak_kb or 0)


def largest_reader_peak_kb():
    """The largest peak RSS (KiB) a reader child of this process reported (children killed at their memory
    cap report nothing: their peak is the cap)."""
    return _largest_peak_kb


def _feed(stream, request, data):
    # OSError (a broken pipe): the child stopped reading; its exit status tells why.
    with contextlib.suppress(OSError), stream:
        stream.write(request)
        stream.write(data)


def _collect(child, deadline, builder, stderr):
    """Read the child's frames until it closes its output. Returns (timed out, output broken)."""
    with selectors.DefaultSelector() as selector:
        selector.register(child.stdout, selectors.EVENT_READ)
        selector.register(child.stderr, selectors.EVENT_READ)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True, False
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 1024 * 1024)
                if not chunk:
                    selector.unregister(key.fileobj)
                elif key.fileobj is child.stdout:
                    try:
                        builder.feed(chunk)
                    except _ReaderOutputError:
                        logger.warning("The workbook reader sent output that is not a frame", exc_info=True)
                        return False, True
                elif len(stderr) < _STDERR_KEPT:
                    stderr += chunk[: _STDERR_KEPT - len(stderr)]
    return False, False


def _reap(child, deadline):
    """Wait for the child, killing it once the deadline has passed; returns its exit status."""
    while child.poll() is None:
        if time.monotonic() >= deadline:
            child.kill()
            return child.wait()
        time.sleep(0.01)
    return child.returncode


def _failure(limits, status, timed_out, broken, builder):
    """The ImportFileError for a read that did not end with the child's "done", or None."""
    if timed_out or status == -signal.SIGXCPU:
        logger.warning("Workbook refused: the reader ran out of time (%s s)", limits.seconds)
        return ImportFileError(f"文件解析超时（{limits.seconds:g} 秒），已停止读取：{_TOO_BIG_OR_ODD}")
    if broken:
        return ImportFileError(_INVALID_OUTPUT)
    if status in (_CHILD_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL):
        logger.warning("Workbook refused: the reader ran out of memory (%s MB)", limits.memory_mb)
        return ImportFileError(f"文件解析超出内存上限（{limits.memory_mb} MB），已停止读取：{_TOO_BIG_OR_ODD}")
    if builder.refusal is not None:
        return builder.refusal
    if status != 0:
        logger.warning("Workbook refused: the reader exited with status %s", status)
        return ImportFileError("文件解析程序异常退出，未读取任何数据：文件可能已损坏或结构异常。")
    if not builder.done:
        return ImportFileError(_INVALID_OUTPUT)
    return None


_CHILD_OUT_OF_MEMORY = 3  # workbook_child's exit status after a MemoryError
_TOO_BIG_OR_ODD = "文件过大或结构异常，请删除无关内容或拆分后重试。"
_INVALID_OUTPUT = "文件解析结果无效，未读取任何数据：文件可能已损坏或结构异常。"


class _WorkbookBuilder:
    """Decodes the child's frames (4-byte length, restricted pickle of (kind, payload)) into a `Workbook`."""

    def __init__(self, data, limits):
        self.legacy = data.startswith(OLE_MAGIC)
        self.workbook = Workbook()
        self.buffer = bytearray()
        # What a well-behaved child can send for the largest file the limits allow; a child that sends more
        # is broken, whatever it says.
        self.allowance = 64 * limits.max_cells + 2 * limits.max_expanded_bytes + 4 * len(data) + (16 << 20)
        self.received = 0
        self.sheet = None  # the sheet whose rows are arriving
        self.reported = 0  # sheets the child has sent (or refused)
        self.refusal = None
        self.done = False
        self.peak_kb = None  # the child's own peak RSS, as it reported it

    def feed(self, chunk):
        self.received += len(chunk)
        if self.received > self.allowance:
            raise _ReaderOutputError("too much output")
        self.buffer += chunk
        header = _FRAME_HEADER.size
        while len(self.buffer) >= header:
            (size,) = _FRAME_HEADER.unpack_from(self.buffer)
            if len(self.buffer) < header + size:
                return
            body = bytes(self.buffer[header:header + size])
            del self.buffer[:header + size]
            try:
                frame = _RowsUnpickler(io.BytesIO(body)).load()
                kind, payload = frame
                with self.workbook._arrival:
                    self.handle(kind, payload)
                    self.workbook._arrival.notify_all()
            except (pickle.UnpicklingError, ValueError, TypeError, KeyError, AttributeError, EOFError,
                    IndexError) as exc:
                raise _ReaderOutputError(str(exc)) from exc

    def handle(self, kind, payload):
        if self.done or self.refusal is not None and kind != "done":
            raise _ReaderOutputError(f"{kind} after the end")
        workbook = self.workbook
        if kind == "rows":
            if self.sheet is None or type(payload) is not list:
                raise _ReaderOutputError("rows outside a sheet")
            for row in payload:
                if type(row) is not list or not _CELL_TYPES.issuperset(map(type, row)):
                    raise _ReaderOutputError("not a row of cell values")
            name = self.sheet.name
            rows = workbook._rows[name]
            if len(rows) + len(payload) > workbook._counts.get(name, len(rows) + len(payload)):
                raise _ReaderOutputError("more rows than announced")
            fill = workbook._fills.get(name)
            if fill is not None:
                fill.apply(payload, len(rows))
            rows.extend(payload)  # after the fill: a row is visible to readers once complete
        elif kind == "workbook":
            workbook.format = str(payload["format"])
        elif kind == "sheets":
            if workbook._announced or workbook.sheets or type(payload) is not list:
                raise _ReaderOutputError("sheets listed twice or late")
            workbook.sheets.extend(Sheet(str(item["name"]), int(item["index"]), bool(item["visible"]))
                                   for item in payload)
            workbook._announced = True
        elif kind == "sheet":
            if self.sheet is not None:
                raise _ReaderOutputError("sheet inside a sheet")
            sheet = Sheet(str(payload["name"]), int(payload["index"]), bool(payload["visible"]))
            if workbook._announced:
                if self.reported >= len(workbook.sheets) or workbook.sheets[self.reported] != sheet:
                    raise _ReaderOutputError("a sheet that was not announced")
                sheet = workbook.sheets[self.reported]
            else:
                workbook.sheets.append(sheet)
            self.reported += 1
            refused = payload["refused"]
            if refused is None:
                self.sheet = sheet
                count = payload.get("rows")
                if count is not None:
                    if type(count) is not int or count < 0:
                        raise _ReaderOutputError("bad row count")
                    workbook._counts[sheet.name] = count
                elif workbook._announced:
                    raise _ReaderOutputError("no row count")
                if payload.get("merged") is not None:
                    workbook._merged[sheet.name] = _merged_ranges(payload["merged"])
                workbook._rows[sheet.name] = []
            else:
                workbook._refusals[sheet.name] = _refusal(dict(refused), self.legacy)
                workbook._sizes[sheet.name] = SheetSize(int(refused.get("rows", 0)), int(refused.get("columns", 0)))
                workbook._ended.add(sheet.name)
        elif kind == "sheet_end":
            if self.sheet is None:
                raise _ReaderOutputError("sheet_end outside a sheet")
            name = self.sheet.name
            if payload.get("merged") is not None:
                workbook._merged[name] = _merged_ranges(payload["merged"])
            if workbook._counts.setdefault(name, len(workbook._rows[name])) != len(workbook._rows[name]):
                raise _ReaderOutputError("fewer rows than announced")
            workbook._ended.add(name)
            self.sheet = None
        elif kind == "refused":
            self.refusal = _refusal(dict(payload), self.legacy)
        elif kind == "done":
            if self.refusal is None and (self.sheet is not None or self.reported < len(workbook.sheets)):
                raise _ReaderOutputError("done before the end of the sheets")
            self.done = True
            self.peak_kb = int(payload["peak_kb"])
        else:
            raise _ReaderOutputError(f"unknown frame {kind!r}")


def _merged_ranges(pairs):
    return [((int(a), int(b)), (int(c), int(d))) for (a, b), (c, d) in pairs]


def _refusal(params, legacy):
    """The ImportFileError for a refusal the child reported: a code and the figures of the limit."""
    code = str(params.pop("code", ""))
    if code == "unreadable" and legacy:
        code = "unreadable_legacy"
    message = _REFUSALS.get(code)
    if message is None:
        raise _ReaderOutputError(f"unknown refusal {code!r}")
    (logger.warning if code in _SUSPICIOUS else logger.info)("Workbook refused: %s %s", code, params)
    if isinstance(params.get("limit"), int):
        params["megabytes"] = _megabytes(params["limit"])
    try:
        return ImportFileError(message.format(**params, formats=_format_names(SPREADSHEET_FORMATS)))
    except (KeyError, IndexError, ValueError) as exc:
        raise _ReaderOutputError(f"bad refusal {code!r}") from exc


_SUSPICIOUS = {"ratio", "unpacked", "entries", "expanded", "xml_depth", "dtd", "xml_encoding", "shared_strings",
               "shared_strings_bytes", "cells"}
_REFUSALS = {
    "empty": "文件是空的。",
    "not_spreadsheet": "文件不是 {formats}格式（可能是 Word 文档或其他压缩文件）。",
    "damaged": "文件已损坏或不是 Excel（.xlsx）格式。",
    "unreadable": "无法读取该文件，文件可能已损坏或已加密。",
    "unreadable_legacy": "无法读取该 .xls 文件（可能已损坏或已加密），请在 Excel 中“另存为”.xlsx 格式后再上传。",
    "unreadable_sheet": "无法读取工作表“{sheet}”。",
    "password": "文件设置了打开密码，请在 Excel 中取消密码（或另存为不加密的 .xlsx）后再上传。",
    "entries": "文件包含的部件过多（{count}个，上限{limit}个），不像正常的 Excel 文件。",
    "unpacked": "文件解压后过大（上限 {megabytes}），请删除无关的工作表、图片后重试。",
    "ratio": "文件压缩比异常（超过 {limit} 倍，疑似压缩炸弹），已拒绝读取。",
    "sheets": "文件包含 {count} 个工作表，超过上限 {limit} 个，请删除无关的工作表后重试。",
    "shared_strings": "文件中的共享字符串超过上限（{limit} 个），请删除无关内容或拆分文件后重试。",
    "shared_strings_bytes": "文件中的共享字符串总长度超过上限（{megabytes}），请删除无关内容或拆分文件后重试。",
    "expanded": "文件中的文字展开后超过上限（{megabytes}）：大量单元格引用了很长的文字，疑似恶意构造的文件，"
                "已拒绝读取。",
    "cells": "文件的单元格总数超过上限（{limit} 个），请删除无关的工作表或拆分文件后重试。",
    "xml_depth": "文件的 XML 嵌套层数超过上限（{limit} 层），疑似恶意构造的文件，已拒绝读取。",
    "dtd": "文件中含有 XML 文档类型定义或实体声明（DOCTYPE/ENTITY），正常的表格文件不含这些内容，已拒绝读取。",
    "xml_encoding": "文件中有 UTF-16 编码的 XML 部件，正常的表格文件不用这种编码，已拒绝读取。",
    "rows": "工作表“{sheet}”的数据超过 {limit} 行（可能有远处的零星单元格），请删除多余的行或拆分成多个文件后重试。",
    "columns": "工作表“{sheet}”的数据超过 {limit} 列（可能有远处的零星单元格），请删除多余的列后重试。",
}


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
# Merged cells and dates


def fill_merged_down(rows, ranges, below):
    """Give every row of a vertically merged block the value of its top cell, in the block's first column,
    for blocks starting after row index `below` (the header): cadres merge a village's or a category's
    cells over the rows it applies to. Rows past the end of `rows` are left alone. On `ArrivingRows`, rows
    still to come are filled as they arrive."""
    if isinstance(rows, ArrivingRows):
        rows.fill_merged_down(ranges, below)
        return
    _MergedDown(ranges, below, len(rows)).apply(rows, 0)


class _MergedDown:
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
