"""Forms of the work report (工作汇报): choosing a unit and period, uploading a template."""

from pathlib import Path

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core import word
from core.metrics import QUARTERS
from org.models import Unit

from . import health, reports
from .models import ReportTemplate

FIRST_YEAR = 2015
MAX_TEMPLATE_BYTES = 10 * 1024 * 1024


class UnitChoiceField(forms.ModelChoiceField):
    def __init__(self, *args, depth=1, **kwargs):
        self.base_depth = depth
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj):
        return "　" * max(0, obj.depth - self.base_depth) + obj.name


def report_units(user):
    """The units a user may request a report of: the units of their top units' subtrees (the figures are then
    the records the user may view in it)."""
    tops = health.ledger_tops(user)
    query = Q(pk__in=[])
    for top in tops:
        query |= Q(path__startswith=top.path)
    return Unit.objects.filter(query).order_by("path"), min((t.depth for t in tops), default=1)


def year_choices(today=None):
    today = today or timezone.localdate()
    return [(year, f"{year}年") for year in range(today.year, FIRST_YEAR - 1, -1)]


class ReportForm(forms.Form):
    unit = UnitChoiceField(queryset=Unit.objects.none(), label="单位", empty_label=None,
                           error_messages={"invalid_choice": "请选择您数据范围内的单位。", "required": "请选择单位。"})
    year = forms.TypedChoiceField(label="年度", coerce=int, error_messages={
        "invalid_choice": "请选择有效的年度。", "required": "请选择年度。"})
    quarter = forms.TypedChoiceField(
        label="期间", coerce=int, required=False, empty_value=None,
        choices=[("", "全年")] + [(q, f"第{QUARTERS[q - 1]}季度") for q in range(1, 5)],
        error_messages={"invalid_choice": "季度须为1至4。"},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        units, depth = report_units(user)
        self.fields["unit"].queryset = units
        self.fields["unit"].base_depth = depth
        self.fields["unit"].widget.attrs.update({"class": "form-select", "data-tom-select": ""})
        self.fields["year"].choices = year_choices()
        self.fields["year"].widget.attrs["class"] = "form-select"
        self.fields["quarter"].widget.attrs["class"] = "form-select"
        if not self.is_bound:
            self.initial.setdefault("year", timezone.localdate().year)
            if user.unit_id and units.filter(pk=user.unit_id).exists():
                self.initial.setdefault("unit", user.unit_id)

    def clean(self):
        data = super().clean()
        year, quarter = data.get("year"), data.get("quarter")
        if year is not None:
            period = reports.report_period(year, quarter)
            if period.start > timezone.localdate():
                self.add_error("quarter" if quarter else "year", f"{period.label}尚未开始，请选择已开始的期间。")
            data["period"] = period
        return data


class ReportTemplateForm(forms.ModelForm):
    activate = forms.BooleanField(label="上传后立即启用", required=False, initial=True,
                                  help_text="启用后，本县各单位生成工作汇报时使用该模板")

    class Meta:
        model = ReportTemplate
        fields = ["name", "file", "notes"]
        help_texts = {"file": "Word 文档（.docx），不超过10MB；只能使用下方列出的占位符"}
        error_messages = {"name": {"required": "请填写模板名称。"}, "file": {"required": "请选择模板文件。"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "notes"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["file"].widget.attrs.update({"class": "form-control", "accept": ".docx"})
        self.fields["activate"].widget.attrs["class"] = "form-check-input"

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() != ".docx":
            raise ValidationError("模板须为 Word 文档（.docx）。.doc 或 WPS 格式请先“另存为” .docx。")
        if upload.size > MAX_TEMPLATE_BYTES:
            raise ValidationError("模板文件不能超过10MB。")
        word.check_template(upload, reports.PLACEHOLDERS)  # ValidationError naming any unknown placeholder
        upload.seek(0)
        return upload
