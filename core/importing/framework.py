"""The import framework: one pipeline for every Excel import (units, ledger, schemes, and the modules to come).

    upload → check in the background, with progress → preview: counts and every problem by row and column
    → confirm → write, all or nothing, in one transaction, with the audit event; the error workbook on request

An app supplies only what is its own, in a subclass of `Importer` registered with `@register` (in the app's
`importers` module, imported by its AppConfig.ready()):

- `kind` ("<app>.<what>", kept in ImportJob.kind), the words of its pages (`title`, `noun`, `measure`, `sheet_label`)
  and its `columns` (core.importing.columns: canonical headers, synonyms, required, template drop-downs and help);
- `converters(table)`: for each column, the function turning a cell into a value; it raises CellError with a
  Chinese message and the framework names the row and the column;
- `check_row(number, raw, got, problems)`: the checks across the columns of one row; returns the row as the app
  keeps it (or None);
- `plan(rows)`: the matcher. Which rows create a record, update one or leave it unchanged (a `Plan`), and which
  conflict with what is stored (`self.reject(number, problems)`);
- `write(plan)`: the writer, run inside the framework's transaction, before the framework's audit event;
- who may use it (`model` and `action`, or `allows(user)`), whether the upload names a unit (`asks_unit`: then
  within `units(user)`), its options (`options_form`) and whether rows with problems may be skipped.

The framework does the rest: the upload (size cap; .xlsx, .xls and .ods, all read by the caged reader, rows
checked as they arrive and nothing matched or written before the reader's verdict on the whole file), locating
the table (title rows above the header, synonyms, the data sheet among others, merged cells), running the
converters, progress, the preview, the confirmation, the error workbook (core.importing.errors), the audit event
(IMPORT: file, unit, options, counts), the job and its expiry (core.importing.jobs), the pages
(core.importing.views, mounted by each app with core.importing.urls) and the command line (`manage.py import`).

`Importer(...).run(data)` is the whole of it, for the web (the job runs it twice: a dry run for the preview, then
the import, checked again from scratch), the command line and the tests alike.
"""

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction

from core import audit
from core.models import AuditEvent, ImportJob

from . import (
    MAX_UPLOAD_BYTES,
    CellError,
    ImportFileError,
    Problem,
    Table,
    cell_text,
    column_letter,
    fill_merged_down,
    find_header,
    header_key,
    is_blank_row,
    open_workbook,
    records,
    stream_workbook,
)
from .columns import Columns
from .results import ImportResult, Plan

__all__ = ["ImportDenied", "ImportRefused", "ImportResult", "Importer", "Plan", "importer_for", "register",
           "registered", "run_import"]

ERROR_COLUMN = "错误说明"  # the last column of the error workbook; ignored when that file comes back
SCAN_ROWS = 30  # the header row is looked for among the first rows of each sheet
PROGRESS_EVERY = 2000  # rows between two progress reports while checking
MAX_PROBLEMS_PER_ROW = 20

_REGISTRY = {}


def register(importer):
    """Class decorator: make `importer` known by its `kind` (to the jobs, the pages and `manage.py import`)."""
    if not importer.kind or not isinstance(importer.columns, Columns):
        raise ImproperlyConfigured(f"{importer.__name__} needs a kind and its columns (core.importing.Columns).")
    known = _REGISTRY.get(importer.kind)
    if known is not None and known.__qualname__ != importer.__qualname__:
        raise ImproperlyConfigured(f"Two importers of kind {importer.kind!r}: {known.__name__}, {importer.__name__}.")
    _REGISTRY[importer.kind] = importer
    return importer


def importer_for(kind):
    """The importer class registered as `kind`; LookupError for an unknown kind."""
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise LookupError(f"no importer of kind {kind!r}") from None


def registered():
    """{kind: importer class} of every registered importer."""
    return dict(sorted(_REGISTRY.items()))


class ImportRefused(Exception):
    """The import cannot happen (e.g. the scheme has submissions meanwhile). `str(error)` is a Chinese message."""


class ImportDenied(ImportRefused):
    """The user may not import into the chosen unit."""


class Importer:
    """The contract of an importer (see the module docstring). Class attributes describe it; an instance is one run."""

    do_not_call_in_templates = True  # the pages show the class's words; a template must not start a run
    kind = ""
    title = ""  # the page title, e.g. "导入台账"
    noun = "记录"  # what a row is: "您没有向“东溪镇”导入人员的权限"
    measure = "条"  # how rows are counted: "新增 2 人", "新增 5 个单位"
    sheet_label = "导入表"  # "以下列不是台账的列"
    columns = Columns(())
    header_needs = None  # the columns a header row must name to be taken for one (default: the required ones)
    model = None  # the permission: `action` on `model`
    action = "import"
    asks_unit = False  # the upload names the unit imported into, one of units(user)
    unit_help = ""  # what the unit chosen means for the rows
    allows_skip_invalid = False  # the user may import the rows without problems and skip the others
    options_form = None  # a Form of the importer's options (upload page and command line), see clean_options
    max_bytes = MAX_UPLOAD_BYTES
    reader_limits = None  # core.importing.ReaderLimits (default: the reader's own)
    fill_merged = True  # a cell merged down over several data rows counts for each of them
    recheck_in_transaction = False  # the matcher runs inside the write's transaction (rows that depend on the tree)
    counts_shown = ("data_rows", "valid_rows", "created", "invalid_rows")
    preview_columns = ()  # [(key, label)] of the preview table (rows from Plan.preview)
    preview_limit = 500
    redirect_when_done = True  # a confirmation that finds the import written leads to `done_url` at once
    template_url_name = ""  # the blank template (a URL name), offered on the upload page
    template_title = ""  # the generic blank template (core.importing.template): its title and file name,
    template_note = ""  # a line of instructions under the title,
    template_examples = ()  # and example rows
    upload_help = ()  # lines of the upload page's notes
    conflict_message = "导入期间数据被其他操作修改，未写入任何数据，请重新上传。"

    # --- who may import ---------------------------------------------------------------------------------------

    @classmethod
    def allows(cls, user):
        """Whether `user` may use this importer at all (403 otherwise)."""
        return user.has_action(cls.model, cls.action)

    @staticmethod
    def units_model():
        """The unit model (org.Unit), known to core only through ImportJob.unit."""
        return ImportJob._meta.get_field("unit").related_model

    @classmethod
    def units(cls, user):
        """The active units the upload form offers (asks_unit): those `user` may import into."""
        return cls.model.objects.units_in_scope(user, cls.action).filter(is_active=True).order_by("path")

    @classmethod
    def job_visible(cls, user, job):
        """Whether the job's creator still sees it: its unit, if it has one, is still in their scope."""
        return job.unit_id is None or (job.unit is not None
                                       and cls.model.objects.unit_in_scope(user, cls.action, job.unit))

    # The pages' context is a dict: what the upload URL's kwargs point at (`upload_context`), or what a job's
    # options do (`job_context`), e.g. {"object": the scheme whose indicators are replaced}.

    @classmethod
    def upload_context(cls, request, **kwargs):
        """The context of the upload page from its URL's kwargs; raise Http404 for what the user may not see."""
        return {}

    @classmethod
    def job_context(cls, job):
        """The context of a job's pages from its options (the same keys as `upload_context`)."""
        return {}

    @classmethod
    def refusal(cls, context):
        """Why this import is not possible now (shown on the upload page, and the upload refused), or ""."""
        return ""

    @classmethod
    def make_options_form(cls, data, context, user):
        """The form of the importer's own options (None: it has none)."""
        return cls.options_form(data) if cls.options_form is not None else None

    @classmethod
    def clean_options(cls, form, context):
        """The job's options (JSON) from the valid options form."""
        return dict(form.cleaned_data) if form is not None else {}

    @classmethod
    def job_unit(cls, request, context):
        """The unit a job belongs to when the upload has no unit choice (None: none)."""
        return None

    @classmethod
    def describe_options(cls, options):
        """[(label, value)] describing a job's options on its page."""
        return []

    @classmethod
    def breadcrumbs(cls, context):
        """[(label, url)] above the import pages, before the import's own."""
        return []

    @classmethod
    def upload_url(cls, context):
        """The upload page, when its URL takes kwargs (None: the importer's upload URL without any)."""
        return None

    @classmethod
    def upload_note(cls, context):
        """A note above the upload form (safe HTML, e.g. what a replacing import deletes), or ""."""
        return ""

    @classmethod
    def back_url(cls, context):
        """Where "cancel" on the upload page leads (None: no such link)."""
        return None

    @classmethod
    def done_url(cls, result):
        """(URL, link text) of what an import wrote, from its result: the confirmation leads there when the import
        has finished by then (else the job page links to it); (None, "") to stay on the job page."""
        return None, ""

    @classmethod
    def done_message(cls, file_name, result):
        created, updated = result["counts"]["created"], result["counts"]["updated"]
        return f"已从“{file_name}”导入：新增 {created} {cls.measure}，更新 {updated} {cls.measure}。"

    # --- one run ---------------------------------------------------------------------------------------------

    def __init__(self, *, user=None, unit=None, options=None, file_name="", dry_run=False, skip_invalid=False,
                 progress=None):
        self.user = user
        self.unit = unit
        self.options = dict(options or {})
        self.file_name = file_name
        self.dry_run = dry_run
        self.skip_invalid = skip_invalid and self.allows_skip_invalid
        self.progress = progress
        if unit is not None and not self.may_import_into(unit):
            raise ImportDenied(f"您没有向“{unit.name}”导入{self.noun}的权限。")
        if user is not None and not self.allows(user):
            raise ImportDenied(f"您没有导入{self.noun}的权限。")
        self.result = ImportResult(file_name=file_name, dry_run=dry_run)
        self.problems = []
        self.invalid = set()  # Excel row numbers with a problem

    def may_import_into(self, unit):
        """Whether records may be imported into `unit`: inside the user's scope for the importer's action, or, for
        an import without a user (the command line), inside the subtree of the unit imported into."""
        if self.user is None:
            return self.unit is None or unit.path.startswith(self.unit.path)
        return self.model.objects.unit_in_scope(self.user, self.action, unit)

    def run(self, data):
        """Read, check, plan and (unless a dry run, or blocked by problems) write. Returns the ImportResult.

        Raises ImportFileError for a file that cannot be read, ImportRefused when the import cannot happen and
        whatever the importer's checks raise (e.g. core.lookups.LookupRefused).
        """
        result = self.result
        self.report_progress(0, 0, "read")
        # Rows are checked while the caged reader still sends later ones; its verdict on the whole file (finish())
        # comes before anything is matched, looked up or written.
        with stream_workbook(data, limits=self.reader_limits) as workbook:
            del data
            table = self.locate(workbook)
            result.sheet, result.header_row = table.sheet, table.header_row_number
            result.columns = {name: column_letter(index) for name, index in table.columns.items()}
            unknown = unknown_columns(table)
            if unknown:
                listed = "、".join(f"“{text}”（{letter}列）" for letter, text in unknown)
                result.notices.append(f"以下列不是{self.sheet_label}的列，内容未导入：{listed}。")
            missing = [name for name in self.columns.required if name not in table.columns]
            for name in missing:
                self.file_problem(f"表头缺少“{name}”列。", row=table.header_row_number, column=name)
            rows = [] if missing else self.check_rows(table)
            del table
            workbook.finish()
        if not missing:
            self.checked(rows)
        if self.dry_run or not self.recheck_in_transaction:
            plan = self.settle(rows)
            return result if self.dry_run else self.finish(plan)
        with transaction.atomic():
            return self.finish(self.settle(rows))

    # --- reading -------------------------------------------------------------------------------------------------

    @classmethod
    def read_table(cls, data):
        """The located table of the file (`Table`); ImportFileError when there is none."""
        with open_workbook(data, limits=cls.reader_limits) as workbook:
            return cls.locate(workbook)

    @classmethod
    def locate(cls, workbook):
        """The first sheet (visible ones first) whose header row names the needed columns and at least two other
        known ones, else the first naming the needed ones at all; cells merged down filled in (`fill_merged`)."""
        needs = cls.columns.required if cls.header_needs is None else cls.header_needs
        ordered = [s for s in workbook.sheets if s.visible] + [s for s in workbook.sheets if not s.visible]
        fallback = too_big = None
        for sheet in ordered:
            try:
                rows = workbook.rows(sheet)
            except ImportFileError as exc:
                too_big = too_big or exc
                continue
            match = find_header(rows, cls.columns.synonyms, required=needs, scan_rows=SCAN_ROWS)
            if match is None:
                continue
            index, found, ignored = match
            if cls.fill_merged:
                fill_merged_down(rows, workbook.merged_ranges(sheet), index)
            table = Table(sheet.name, rows, index, found, ignored)
            if len(found) >= min(len(needs) + 2, len(cls.columns)):
                return table
            fallback = fallback or table
        if fallback is not None:
            return fallback
        if too_big is not None:
            raise too_big
        names = "、".join(f"“{name}”" for name in needs)
        raise ImportFileError(f"没有找到表头：请确认某个工作表的前{SCAN_ROWS}行中有一行表头，包含{names}列"
                              "（建议使用导入模板）。")

    # --- checking ------------------------------------------------------------------------------------------------

    def converters(self, table):
        """[(column, key, convert)]: `convert(raw cell)` gives the value kept under `key` in the row's `got`
        (None: nothing), or raises CellError. Only columns the file has are used. Default: every column as text."""
        return [(column.header, column.header, cell_text) for column in self.columns]

    def header_text(self, table, column):
        """What the file's header calls `column` (a canonical name the table has)."""
        return cell_text(table.rows[table.header_index][table.columns[column]])

    def mobile_only(self, table, column):
        """Whether the file heads the phone column `column` as a mobile (手机, 手机号码): then it takes mobile
        numbers only, and a landline belongs in a column headed 电话 or 固定电话."""
        mobiles = {header_key(spelling) for spelling in self.columns[column].mobile_headers}
        return header_key(self.header_text(table, column)) in mobiles

    def check_row(self, number, raw, got, problems):
        """The row to keep for `plan` (None: none) from the converted values `got` ({key: value}); append to
        `problems` (core.importing.Problem) what is wrong across columns. A row with problems is never written,
        but a row returned with problems still reaches `plan`, so that checks across rows see every row."""
        return {"row": number, **got}

    def checked(self, rows):
        """Called once every row is checked: a file without data rows gets a notice (override to refuse it)."""
        if not self.result.data_rows:
            self.result.notices.append(f"表头（第{self.result.header_row}行）下方没有数据行。")

    def check_rows(self, table):
        columns = table.columns
        converters = [(column, key, convert) for column, key, convert in self.converters(table) if column in columns]
        others = [c for c in columns if c not in self.columns.serial]
        total = max(0, len(table.rows) - table.header_index - 1)
        rows = []
        result, progress = self.result, self.progress
        for count, (number, raw) in enumerate(records(table), 1):
            table.rows[number - 1] = None  # checked rows are not needed any more: memory stays flat
            if progress is not None and count % PROGRESS_EVERY == 0:
                progress(number - table.header_index - 1, total, "check")
            if is_blank_row(raw[c] for c in others):
                continue  # only a row number: an unused line of a template
            result.data_rows += 1
            got, problems = {}, []
            for column, key, convert in converters:
                value = raw[column]
                if value is None:
                    continue
                try:
                    converted = convert(value)
                except CellError as exc:
                    problems.append(Problem(number, column, str(exc)))
                    continue
                if converted is not None:
                    got[key] = converted
            row = self.check_row(number, raw, got, problems)
            if problems:
                self.reject(number, problems)
            if row is not None:
                rows.append(row)
        self.report_progress(total, total, "check")
        return rows

    def reject(self, number, problems):
        """Row `number` has `problems`: it is not imported, and they are reported (at most 20 per row)."""
        self.invalid.add(number)
        self.problems.extend(problems[:MAX_PROBLEMS_PER_ROW])

    def file_problem(self, message, *, row=0, column=""):
        """A problem of the file as a whole: the import cannot go ahead, whatever `skip_invalid` says."""
        self.result.file_problems += 1
        self.problems.append(Problem(row, column, message))

    # --- matching and writing ------------------------------------------------------------------------------------

    def plan(self, rows):
        """The matcher: a Plan of what to write. Default: every row without problems creates a record."""
        plan = Plan()
        plan.create = [row for row in rows if row["row"] not in self.invalid]
        return plan

    def write(self, plan):
        """Write `plan`, inside the framework's transaction (which also holds the audit event)."""
        raise NotImplementedError

    def audit_object(self, plan):
        """The object the audit event names (default: none, the model's label)."""
        return None

    def audit_options(self):
        """{label: value} of the run's options, for the audit event."""
        return {}

    def settle(self, rows):
        """Plan the rows and put the counts, problems and preview into the result."""
        result = self.result
        plan = self.plan(rows)
        result.valid_rows = result.data_rows - len(self.invalid)
        order = self.columns.order
        result.errors = sorted(self.problems, key=lambda p: (p.row, order(p.column)))
        result.created, result.updated = len(plan.create), len(plan.update)
        result.unchanged, result.skipped = plan.unchanged, plan.skipped
        result.summary = dict(plan.summary)
        result.preview_total = len(plan.preview)
        result.preview = list(plan.preview[:self.preview_limit])
        return plan

    def finish(self, plan):
        """Write the plan, all or nothing, with the audit event; or, blocked by problems, audit the refusal."""
        result = self.result
        if result.file_problems or (self.invalid and not self.skip_invalid):
            result.created = result.updated = result.unchanged = result.skipped = 0
            self.record_audit(plan, success=False)
            return result
        if not (plan.create or plan.update):
            self.record_audit(plan, success=True)
            return result
        total = len(plan.create) + len(plan.update)
        self.report_progress(0, total, "write")
        with transaction.atomic():
            self.write(plan)
            self.record_audit(plan, success=True)
        result.written = True
        self.report_progress(total, total, "write")
        return result

    def record_audit(self, plan, *, success):
        result = self.result
        changes = {"文件": self.file_name, "工作表": result.sheet}
        if self.unit is not None:
            changes["导入单位"] = self.unit.name
        changes.update(self.audit_options())
        if self.allows_skip_invalid:
            changes["只导入无误的行"] = self.skip_invalid
        changes.update({
            "数据行": result.data_rows, "有效": result.valid_rows, "错误行": result.invalid_rows,
            "新增": result.created, "更新": result.updated, "无变化": result.unchanged,
        })
        if result.file_problems:
            changes["文件问题"] = result.file_problems
        changes.update(result.summary)
        obj = self.audit_object(plan) if success else None
        audit.record(AuditEvent.Action.IMPORT, obj=obj, object_type=self.model._meta.label, label=self.file_name,
                     user=self.user, success=success, changes=changes)

    def report_progress(self, done, total, stage):
        if self.progress is not None:
            self.progress(done, total, stage)


def unknown_columns(table):
    """[(column letter, header text)] of header cells that name no column of the spec (错误说明 aside)."""
    known = set(table.columns.values())
    header = table.rows[table.header_index]
    unknown = []
    for col, value in enumerate(header):
        text = cell_text(value)
        if col in known or not text or header_key(text) == header_key(ERROR_COLUMN):
            continue
        unknown.append((column_letter(col), text))
    return unknown


def run_import(kind, data, file_name, *, user=None, unit=None, options=None, skip_invalid=False, dry_run=False,
               progress=None):
    """Run the importer registered as `kind` on `data` (the file's bytes). Returns its ImportResult."""
    importer = importer_for(kind)(user=user, unit=unit, options=options, file_name=file_name, dry_run=dry_run,
                                  skip_invalid=skip_invalid, progress=progress)
    return importer.run(data)
