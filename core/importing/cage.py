"""The caged reader: core/workbook_child.py run on the file in a child process under hard caps, its frames decoded
into a `Workbook` (whole, `open_workbook`, or while they arrive, `stream_workbook`), every failure of the child
turned into an `ImportFileError` with a Chinese message."""

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
import selectors
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from .limits import (
    OLE_MAGIC,
    SPREADSHEET_FORMATS,
    ImportFileError,
    ReaderLimits,
    check_format,
    format_names,
    megabytes,
)
from .workbook import INVALID_OUTPUT, Sheet, SheetSize, Workbook

logger = logging.getLogger("core.importing")


def open_workbook(data, *, limits=None, **caps):
    """A `Workbook` read from the bytes of an .xlsx, .xls or .ods file in a caged child process, under
    `limits` (default `ReaderLimits()`) with any of its fields overridden by `caps` (e.g. `max_rows=100`).
    Raises `ImportFileError` with a Chinese message naming the limit a file breaks."""
    limits = dataclasses.replace(limits or ReaderLimits(), **caps)
    check_format(data)
    read = _CagedRead(data, limits)
    read.run()
    return read.workbook.finish()


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


_CHILD = Path(__file__).parent.with_name("workbook_child.py")
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
            self.workbook._reader_ended(ImportFileError(INVALID_OUTPUT))

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
        return ImportFileError(INVALID_OUTPUT)
    if status in (_CHILD_OUT_OF_MEMORY, -signal.SIGABRT, -signal.SIGKILL):
        logger.warning("Workbook refused: the reader ran out of memory (%s MB)", limits.memory_mb)
        return ImportFileError(f"文件解析超出内存上限（{limits.memory_mb} MB），已停止读取：{_TOO_BIG_OR_ODD}")
    if builder.refusal is not None:
        return builder.refusal
    if status != 0:
        logger.warning("Workbook refused: the reader exited with status %s", status)
        return ImportFileError("文件解析程序异常退出，未读取任何数据：文件可能已损坏或结构异常。")
    if not builder.done:
        return ImportFileError(INVALID_OUTPUT)
    return None


_CHILD_OUT_OF_MEMORY = 3  # workbook_child's exit status after a MemoryError
_TOO_BIG_OR_ODD = "文件过大或结构异常，请删除无关内容或拆分后重试。"


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
        params["megabytes"] = megabytes(params["limit"])
    try:
        return ImportFileError(message.format(**params, formats=format_names(SPREADSHEET_FORMATS)))
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
