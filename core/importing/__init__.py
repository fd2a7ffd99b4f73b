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
  `LARGE_LIMITS` are sized for a county ledger of 100,000+ rows (an importer's `reader_limits`).
- `Importer.locate(workbook)` (core.importing.framework): the first sheet whose header row (title rows above it
  are fine) names the required columns, matched through synonyms; `records(table)` then yields
  `(excel_row_number, {column: raw value})`, skipping blank rows.
- Cell conversion: `normalise_text`, `cell_text`, `cell_code`, `cell_int`, `cell_date`. They raise `CellError`
  with a Chinese message; the importer adds the row number and column name.

Every problem with the file as a whole raises `ImportFileError`, whose message is Chinese and meant for
the user as is.

The reading machinery is in limits.py (what a file may be), cage.py (the child and the decoder of its output),
workbook.py (what it returns, or is still returning), tables.py (header, records, problems, merged cells) and
cells.py (cell conversion); the import framework on top of it in framework.py and its neighbours.
"""

from .cage import (
    largest_reader_peak_kb,
    open_workbook,
    stream_workbook,
)
from .cells import DATE_HINT, CellError, cell_code, cell_date, cell_int, cell_text, is_blank_row, normalise_text
from .limits import (
    FORMAT_NAMES,
    LARGE_LIMITS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ENTRIES,
    MAX_EXPANDED_BYTES,
    MAX_RATIO,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_SHARED_STRINGS_BYTES,
    MAX_SHEETS,
    MAX_UNPACKED_BYTES,
    MAX_UPLOAD_BYTES,
    MAX_XML_DEPTH,
    OLE_MAGIC,
    RATIO_CHECK_BYTES,
    READER_MEMORY_MB,
    READER_SECONDS,
    SPREADSHEET_FORMATS,
    ZIP_MAGIC,
    ImportFileError,
    ReaderLimits,
    check_format,
    read_upload,
)
from .tables import Problem, Table, column_letter, fill_merged_down, find_header, header_key, records
from .workbook import ArrivingRows, Sheet, SheetSize, Workbook

__all__ = [
    "DATE_HINT", "FORMAT_NAMES", "LARGE_LIMITS", "MAX_CELLS", "MAX_COLUMNS", "MAX_ENTRIES", "MAX_EXPANDED_BYTES",
    "MAX_RATIO", "MAX_ROWS", "MAX_SHARED_STRINGS", "MAX_SHARED_STRINGS_BYTES", "MAX_SHEETS", "MAX_UNPACKED_BYTES",
    "MAX_UPLOAD_BYTES", "MAX_XML_DEPTH", "OLE_MAGIC", "RATIO_CHECK_BYTES", "READER_MEMORY_MB", "READER_SECONDS",
    "SPREADSHEET_FORMATS", "ZIP_MAGIC", "ArrivingRows", "CellError", "ImportFileError", "Problem", "ReaderLimits",
    "Sheet", "SheetSize", "Table", "Workbook", "cell_code", "cell_date", "cell_int", "cell_text", "check_format",
    "column_letter", "fill_merged_down", "find_header", "header_key", "is_blank_row", "largest_reader_peak_kb",
    "normalise_text", "open_workbook", "read_upload", "records",
    "stream_workbook",
]
