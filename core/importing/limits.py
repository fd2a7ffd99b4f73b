"""What an uploaded spreadsheet may be: its size and format (`read_upload`, `check_format`) and what the caged
reader lets one workbook take (`ReaderLimits`). A problem with the file as a whole is an `ImportFileError`."""

from dataclasses import dataclass

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



def read_upload(uploaded, *, max_bytes=MAX_UPLOAD_BYTES, formats=("xlsx",)):
    """The bytes of an uploaded file (a Django UploadedFile or any file object), checked by their first bytes
    to be one of `formats` ("xlsx", "xls", "ods")."""
    size = getattr(uploaded, "size", None)
    if size is not None and size > max_bytes:
        raise ImportFileError(f"文件过大（{megabytes(size)}），上限为 {megabytes(max_bytes)}。")
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ImportFileError(f"文件过大，上限为 {megabytes(max_bytes)}。")
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
        if len(formats) > 1 and "xlsx" in formats:
            others = "或".join(FORMAT_NAMES[name] for name in formats if name != "xlsx")
            raise ImportFileError(f"文件不是 Excel（.xlsx）格式。除 .xlsx 外，也可以上传{others}文件。")
        raise ImportFileError(f"文件不是 {format_names(formats)}格式。")


def format_names(formats):
    names = [FORMAT_NAMES[name] for name in formats]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def megabytes(size):
    return f"{size / 1024 / 1024:.1f} MB".replace(".0 MB", " MB")



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
