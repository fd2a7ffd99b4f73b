"""What an import found and would do (`ImportResult`, kept in the job and reported by the command line) and what
an importer's matcher hands its writer (`Plan`)."""

from dataclasses import dataclass, field


@dataclass
class ImportResult:
    """What an import found and did, as the preview, the command line and the job keep it."""

    file_name: str
    data_rows: int = 0
    valid_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # records left alone on purpose (an option), also counted in unchanged
    errors: list = field(default_factory=list)  # [Problem], sorted by row and column
    file_problems: int = 0  # problems of the file as a whole (a missing column): never skipped
    notices: list = field(default_factory=list)  # [str]: unknown columns and the like
    sheet: str = ""
    header_row: int = 0
    columns: dict = field(default_factory=dict)  # canonical column -> its letter in the file, e.g. {"身份证号": "F"}
    summary: dict = field(default_factory=dict)  # the importer's own figures, {label: value}
    preview: list = field(default_factory=list)  # the importer's preview rows (dicts), capped
    preview_total: int = 0
    outcome: dict = field(default_factory=dict)  # what the writer wants to point at afterwards, e.g. {"scheme": 7}
    dry_run: bool = False
    written: bool = False  # whether the database was changed

    @property
    def invalid_rows(self):
        return self.data_rows - self.valid_rows

    @property
    def blocked(self):
        """Whether the file as it is cannot be imported without skipping rows."""
        return bool(self.invalid_rows or self.file_problems)

    def report(self):
        """The JSON report of the command line (`--report`)."""
        return {
            "data_rows": self.data_rows, "valid_rows": self.valid_rows, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged,
            "errors": [{"row": p.row, "column": p.column, "message": p.message} for p in self.errors],
        }

    def counts(self):
        return {
            "data_rows": self.data_rows, "valid_rows": self.valid_rows, "invalid_rows": self.invalid_rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "skipped": self.skipped,
            "file_problems": self.file_problems,
        }


class Plan:
    """What an import would write: `create` and `update` (whatever the importer's writer takes), the count of rows
    left `unchanged` (`skipped` of them on purpose), the importer's own figures (`summary`, {label: value}, shown
    in the preview and audited) and the rows of its preview table (`preview`, dicts)."""

    def __init__(self):
        self.create = []
        self.update = []
        self.unchanged = 0
        self.skipped = 0
        self.summary = {}
        self.preview = []
