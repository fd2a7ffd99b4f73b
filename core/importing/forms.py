"""The upload form of every import: the file (.xlsx, .xls or .ods, kept in memory up to the importer's cap), the
unit imported into (when the importer asks for one), the importer's own options and, where the importer allows
it, "只导入无误的行"."""

import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from core.forms import UnitChoiceField, style

from . import SPREADSHEET_FORMATS, ImportFileError, read_upload
from .limits import megabytes

ACCEPT = ",".join([
    ".xlsx", ".xls", ".ods", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-excel", "application/vnd.oasis.opendocument.spreadsheet",
])
SKIP_INVALID_HELP = "默认只要有一行有错误就全部不导入；勾选后跳过有错误的行，导入其余各行"


def file_help(max_bytes):
    return (f"Excel 文件（.xlsx 或 Excel 97-2003 的 .xls）或 WPS/LibreOffice 的 .ods 表格，"
            f"不超过 {megabytes(max_bytes)}")


def too_big_message(max_bytes):
    return f"文件过大，不能超过 {megabytes(max_bytes)}，请拆分后分批导入。"


class InMemoryUploadHandler(FileUploadHandler):
    """Keeps an upload in memory up to `limit` bytes, so that nothing of it is written to disk (Django would spool
    anything above 2.5 MB to a temporary file). A bigger file is skipped and the request flagged."""

    def __init__(self, request=None, limit=0):
        super().__init__(request)
        self.limit = limit

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.buffer = io.BytesIO()

    def receive_data_chunk(self, raw_data, start):
        if self.buffer.tell() + len(raw_data) > self.limit:
            self.buffer = io.BytesIO()
            if self.request is not None:
                self.request.import_upload_too_big = True
            raise SkipFile
        self.buffer.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.buffer.seek(0)
        return InMemoryUploadedFile(
            file=self.buffer, field_name=self.field_name, name=self.file_name, content_type=self.content_type,
            size=file_size, charset=self.charset, content_type_extra=self.content_type_extra,
        )


class UploadForm(forms.Form):
    """The file, the unit (asks_unit) and "skip invalid rows" (allows_skip_invalid) of one importer's upload."""

    file = forms.FileField(
        label="Excel 文件", error_messages={"required": "请选择要导入的 Excel 文件", "empty": "文件是空的"},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    unit = UnitChoiceField(
        label="导入到单位", queryset=None,
        error_messages={"required": "请选择导入到哪个单位", "invalid_choice": "请选择您有权导入的单位"},
    )
    skip_invalid = forms.BooleanField(label="只导入无误的行", required=False, help_text=SKIP_INVALID_HELP)

    def __init__(self, *args, importer, user, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.importer = importer
        self.too_big = too_big
        self.data_bytes = b""
        self.fields["file"].help_text = file_help(importer.max_bytes)
        if too_big:  # the handler dropped the file: say why rather than "please choose a file"
            self.fields["file"].required = False
        if importer.asks_unit:
            units = importer.units(user)
            field = self.fields["unit"]
            field.queryset = units
            field.help_text = importer.unit_help
            field.widget.attrs["data-tom-select"] = ""
            if user.unit_id and units.filter(pk=user.unit_id).exists():
                field.initial = user.unit_id
        else:
            del self.fields["unit"]
        if not importer.allows_skip_invalid:
            del self.fields["skip_invalid"]
        style(self)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_big:
            raise ValidationError(too_big_message(self.importer.max_bytes))
        try:
            self.data_bytes = read_upload(upload, max_bytes=self.importer.max_bytes, formats=SPREADSHEET_FORMATS)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from exc
        return upload
