"""The caged half of the workbook reader: parses one untrusted workbook in a child process.

core.importing runs this file as a script in a fresh interpreter (`python -I core/workbook_child.py`), never
imports it into a Django process, and reads its answer. It imports only the standard library and
python-calamine, so it runs with nothing of the project on sys.path and knows no model, setting or secret.

Before touching the data it caps its own address space (RLIMIT_AS), CPU time (RLIMIT_CPU) and file writes
(RLIMIT_FSIZE = 0); the parent kills it when its wall-clock time is up. Whatever the file does to it — a
shared-string bomb, a billion empty cells, a zip bomb, a parser bug — it can only exhaust this process.

Then, before calamine sees the bytes, it checks what can be checked cheaply, each against a limit the parent
sent: for zip formats (.xlsx, .ods) the archive (entries, declared and actual unpacked size, compression
ratio, CRCs), every XML part (no DTD or entity declaration, no UTF-16, nesting depth), the number of sheets,
and the shared strings (count and total size). Each worksheet of an .xlsx is measured from its XML (the used
area, without parsing it when every cell carries a plain reference) together with the text its shared-string
cells would expand to — one long string referenced by many cells is how a 224 KB file becomes gigabytes. An
.ods is measured from content.xml (repeated rows and cells included). A legacy .xls has no such structure to
check: its caps are this process's limits and the sizes calamine reports after reading it.

This file is the process: its limits, the reading with calamine and the output. The checks are in
core/workbook_reader/ (reader_checks.py: the archive and its XML parts; reader_xlsx.py and reader_ods.py: what
each format's sheets hold), a directory that holds nothing else and is the only one this file adds to sys.path.

Protocol. stdin: one JSON line {"size": n, "limits": {...}}, then the n bytes of the file. stdout: frames,
each a 4-byte big-endian length and a pickle of (kind, payload) holding only plain values and dates:
("workbook", {"format"}), the worksheets it will report ("sheets", [{"index", "name", "visible"}, ...]), then
per worksheet ("sheet", {"index", "name", "visible", "refused"}, plus "rows" (how many it sends) and "merged"
(its merged ranges) for a sheet it reads), its rows in batches ("rows", [[value, ...], ...]) and
("sheet_end", {}) — or, at any point,
("refused", {"code": ..., ...}) for the whole file — and finally ("done", {"peak_kb"}). Refusals carry a code
and the figures of the limit; the parent turns them into Chinese messages.
"""

import io
import json
import pickle
import resource
import signal
import struct
import sys
from pathlib import Path

# The checks live beside this file, in a directory holding only them: run with -I, this interpreter has nothing
# of the project on sys.path, and only that directory is added.
_CHECKS = str(Path(__file__).with_name("workbook_reader"))
if _CHECKS not in sys.path:
    sys.path.insert(0, _CHECKS)

from reader_checks import (  # noqa: E402 (importable once the directory is on sys.path)
    Budget,
    DeferredDepth,
    Refused,
    detect_format,
    open_archive,
    xml_buffers,
)
from reader_ods import check_ods  # noqa: E402
from reader_xlsx import SharedStrings, SheetScan, check_xlsx, size_refusal  # noqa: E402

__all__ = ["Budget", "Output", "Refused", "SharedStrings", "SheetScan", "main", "parse", "read_sheets", "xml_buffers"]

ROWS_PER_FRAME = 2000

# ---------------------------------------------------------------------------------------------------------
# Output


class Output:
    def __init__(self, stream):
        self.stream = stream

    def send(self, kind, payload):
        # With the pickle's memo, a string that occurs in many cells of a frame (a village, a category: the
        # rows share one object, see send_rows) goes over once and comes out as one object in the parent.
        buffer = io.BytesIO()
        pickle.Pickler(buffer, protocol=5).dump((kind, payload))
        body = buffer.getbuffer()
        self.stream.write(struct.pack(">I", len(body)))
        self.stream.write(body)

    def flush(self):
        self.stream.flush()


# ---------------------------------------------------------------------------------------------------------
# Reading with calamine


def read_sheets(data, file_format, refusals, limits, output, depth=None):
    """Read the worksheets with calamine and send them. `depth`: a `DeferredDepth` still running, waited for
    before the first rows are sent."""
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

    try:
        workbook = CalamineWorkbook.from_object(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except PasswordError as exc:
        raise Refused("password") from exc
    except (CalamineError, ValueError, OSError) as exc:
        raise Refused("unreadable") from exc
    del data
    if len(metadata) > limits["max_sheets"]:
        raise Refused("sheets", count=len(metadata), limit=limits["max_sheets"])
    output.send("workbook", {"format": file_format})
    worksheets = [{"index": index, "name": meta.name, "visible": meta.visible == SheetVisibleEnum.Visible}
                  for index, meta in enumerate(metadata)
                  if meta.typ == SheetTypeEnum.WorkSheet and (file_format != "xlsx" or meta.name in refusals)]
    # The parent learns the worksheets before any is read, so it can choose among them while rows arrive.
    output.send("sheets", worksheets)
    output.flush()
    max_rows, max_columns = limits["max_rows"], limits["max_columns"]
    cells = 0
    text = Budget(limits["max_expanded_bytes"], "expanded")
    for info in worksheets:
        index, meta = info["index"], metadata[info["index"]]
        refusal = refusals.get(meta.name)
        if refusal is not None:
            output.send("sheet", dict(info, refused=refusal))
            continue
        try:
            sheet = workbook.get_sheet_by_index(index)
        except (CalamineError, ValueError) as exc:
            raise Refused("unreadable_sheet", sheet=meta.name) from exc
        end = sheet.end
        size = (end[0] + 1, end[1] + 1) if end is not None and sheet.start is not None else (0, 0)
        refusal = size_refusal(meta.name, size, max_rows, max_columns)
        if refusal is not None:
            output.send("sheet", dict(info, refused=refusal))
            continue
        cells += size[0] * size[1]
        if cells > limits["max_cells"]:
            raise Refused("cells", limit=limits["max_cells"])
        if depth is not None:
            depth.wait()
            depth = None
        # The row count and merged ranges come first: the parent uses the rows while later ones still arrive.
        merged = [tuple(map(tuple, pair)) for pair in sheet.merged_cell_ranges or ()]
        output.send("sheet", dict(info, refused=None, rows=size[0], merged=merged))
        send_rows(sheet, output, text if file_format == "xls" else None)
        output.send("sheet_end", {})
        del sheet
    if depth is not None:
        depth.wait()


def send_rows(sheet, output, text):
    """Send the sheet's rows from A1 (rows[i] is Excel row i + 1, column A is index 0), empty cells as None.
    With a `text` budget (.xls, which nothing checked beforehand), the characters of text are counted."""
    start = sheet.start
    if start is None:
        return
    pad = [None] * start[1]
    batch = []
    # One object per distinct text in a frame, which the pickle then sends once: the parent's copy of a
    # ledger (villages, categories, genders repeated on every row) is about half as big.
    texts = {}
    same = texts.setdefault
    for values in sheet.iter_rows():
        row = [None if value == "" else same(value, value) if value.__class__ is str else value for value in values]
        if pad:
            row = pad + row
        if text is not None:
            text.spend(sum(len(value) for value in row if value.__class__ is str))
        batch.append(row)
        if len(batch) == ROWS_PER_FRAME:
            output.send("rows", batch)
            batch = []
            texts.clear()
    if batch:
        output.send("rows", batch)


# ---------------------------------------------------------------------------------------------------------
# Main


def cap_resources(limits):
    memory = limits["memory_mb"] * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    seconds = max(1, int(limits["seconds"] + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # If the parent stops reading without killing this process, it ends by itself.
    signal.alarm(seconds + 5)


def read_data(stream, size):
    data = stream.read(size)
    if len(data) != size:
        raise SystemExit(2)
    return data


def parse(data, limits, output):
    budget = Budget(limits["max_unpacked"], "unpacked")
    if not data:
        raise Refused("empty")
    kind = detect_format(data)
    if kind == "xls":
        read_sheets(data, "xls", {}, limits, output)
        return
    archive = open_archive(data, limits)
    if "xl/workbook.xml" in archive.NameToInfo:
        refusals, deferred = check_xlsx(archive, limits, budget)
        file_format = "xlsx"
    elif "mimetype" in archive.NameToInfo:
        refusals, deferred = check_ods(archive, limits, budget)
        file_format = "ods"
    else:
        raise Refused("not_spreadsheet")
    depth = DeferredDepth(archive, deferred, limits) if deferred else None
    if depth is None:
        archive.close()
    read_sheets(data, file_format, refusals, limits, output, depth)


def peak_kb():
    """This process's peak RSS since it started this program. (ru_maxrss would also count the pages of the
    parent it was forked from, which the kernel carries over as a high-water mark.)"""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main():
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    request = json.loads(stdin.readline(64 * 1024))
    limits = request["limits"]
    if len(sys.argv) > 1 and sys.argv[1] not in sys.path:
        sys.path.append(sys.argv[1])  # where python-calamine is installed, should -I have hidden it
    import python_calamine  # noqa: F401  (loaded before the caps: its shared library is mapped once)

    cap_resources(limits)
    data = read_data(stdin, int(request["size"]))
    output = Output(stdout)
    try:
        parse(data, limits, output)
    except Refused as refusal:
        output.send("refused", {"code": refusal.code, **refusal.params})
    except MemoryError:
        sys.exit(3)
    except Exception:  # noqa: BLE001 (anything else the parser raises: a file it cannot read)
        output.send("refused", {"code": "unreadable"})
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException, a BaseException
        if isinstance(exc, SystemExit | KeyboardInterrupt):
            raise
        output.send("refused", {"code": "unreadable"})
    output.send("done", {"peak_kb": peak_kb()})
    output.flush()


if __name__ == "__main__":
    main()
