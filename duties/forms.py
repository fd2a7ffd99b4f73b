"""Forms of the scheme pages (考核细则) and the holiday pages (节假日)."""

import datetime
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.forms import style
from org.models import Unit

from . import rules
from .models import Holiday, Indicator, Scheme
from .periods import ReportingPeriod

UNIT_TYPES = [(code, label) for code, label in Unit.Type.choices if code != Unit.Type.COUNTY]


class InlineCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes side by side, Tabler style."""

    template_name = "duties/widgets/inline_checkboxes.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def year_choices(extra=()):
    this_year = timezone.localdate().year
    years = sorted({*range(this_year - 2, this_year + 3), *extra}, reverse=True)
    return [(y, f"{y}年") for y in years]


def assessable_units():
    """Units a scheme may name: every active unit but the county itself, in tree order."""
    return Unit.objects.filter(is_active=True, depth__gt=1).order_by("path")


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, unit):
        return unit.name


class SchemeForm(forms.ModelForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=year_choices)
    unit_types = forms.MultipleChoiceField(
        label="考核单位类型", choices=UNIT_TYPES, required=False, widget=InlineCheckboxes,
        help_text="这些类型的全部单位均纳入考核")
    units = UnitChoiceField(
        label="另行指定的考核单位", queryset=assessable_units(), required=False,
        widget=forms.SelectMultiple(attrs={"data-tom-select": ""}), help_text="不属于上述类型、但要纳入考核的单位")
    periods = forms.MultipleChoiceField(
        label="通报周期", choices=ReportingPeriod.choices, required=False, widget=InlineCheckboxes)

    class Meta:
        model = Scheme
        fields = ["year", "title", "unit_types", "units", "periods", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"title": {"required": "请填写考核细则名称"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = assessable_units()
        if self.instance.pk:
            self.fields["year"].choices = year_choices([self.instance.year])
        else:
            # self.initial holds the empty instance's values: fill the ones left empty
            for name, value in [("year", timezone.localdate().year),
                                ("unit_types", [Unit.Type.TOWN, Unit.Type.MEMBER]),
                                ("periods", [ReportingPeriod.QUARTER, ReportingPeriod.YEAR])]:
                if not self.initial.get(name):
                    self.initial[name] = value
        style(self)

    def clean(self):
        data = super().clean()
        if not data.get("unit_types") and not data.get("units"):
            self.add_error("unit_types", "请选择考核单位类型，或另行指定考核单位。")
        year, title = data.get("year"), (data.get("title") or "").strip()
        if year and title and Scheme.objects.filter(year=year, title=title).exclude(pk=self.instance.pk).exists():
            self.add_error("title", f"{year}年已有名为“{title}”的考核细则。")
        return data

    def validate_unique(self):
        """Uniqueness is checked in clean() with a message of our own."""


class CopyForm(forms.Form):
    year = forms.TypedChoiceField(label="目标年度", coerce=int, choices=year_choices)
    title = forms.CharField(label="新细则名称", max_length=100)

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.fields["year"].choices = year_choices([scheme.year + 1])
        style(self)

    def clean(self):
        data = super().clean()
        year, title = data.get("year"), (data.get("title") or "").strip()
        if year and title and Scheme.objects.filter(year=year, title=title).exists():
            self.add_error("title", f"{year}年已有名为“{title}”的考核细则，请换一个名称。")
        return data


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["text"]
        labels = {"text": "类别名称"}
        widgets = {"text": forms.TextInput()}
        error_messages = {"text": {"required": "请填写类别名称"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)


class ItemForm(forms.ModelForm):
    """An item (考核事项) under a category of the same scheme."""

    parent = forms.ModelChoiceField(label="所属类别", queryset=Indicator.objects.none(),
                                    error_messages={"required": "请选择所属类别"})
    unit_types = forms.MultipleChoiceField(
        label="适用单位类型", choices=UNIT_TYPES, required=False, widget=InlineCheckboxes,
        help_text="共性事项：留空则适用于本细则的全部考核单位")
    units = UnitChoiceField(label="适用单位", queryset=Unit.objects.none(), required=False,
                            widget=forms.SelectMultiple(attrs={"data-tom-select": ""}),
                            help_text="个性事项：指定的单位（须在本细则的考核范围内）")
    metric_key = forms.ChoiceField(label="自动取数指标", required=False,
                                   help_text="从系统已有记录自动判断完成情况；不选则完全按报送材料审核")
    metric_params = forms.CharField(
        label="取数参数", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个，写成“名称=值”，例如：活动类型=同心大讲堂")

    class Meta:
        model = Indicator
        fields = ["parent", "text", "points", "method", "unit_points", "score_min", "evidence_required",
                  "frequency", "deadline", "deadline_days", "deadline_anchor", "applies_to", "unit_types", "units",
                  "metric_key", "metric_params", "rule_comparison", "rule_threshold", "rule_mapping"]
        labels = {"text": "考核事项"}
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "evidence_required": forms.Textarea(attrs={"rows": 2}),
            "deadline": DateInput(),
        }
        error_messages = {"text": {"required": "请填写考核事项"}, "points": {"required": "请填写分值"}}

    def __init__(self, *args, scheme, **kwargs):
        super().__init__(*args, **kwargs)
        self.scheme = scheme
        self.instance.scheme = scheme
        self.fields["parent"].queryset = scheme.categories()
        self.fields["parent"].label_from_instance = lambda c: c.text
        covered = scheme.covered_units()
        self.fields["units"].queryset = covered if not self.instance.pk else (
            covered | Unit.objects.filter(pk__in=self.instance.units.values("pk"))).distinct().order_by("path")
        self.fields["metric_key"].choices = [("", "不自动取数")] + rules.metric_choices()
        self.initial["metric_params"] = rules.params_text(self.instance.metric_params, self.instance.metric_key)
        style(self)

    def clean_metric_params(self):
        try:
            return rules.parse_params(self.cleaned_data.get("metric_params"), self.data.get("metric_key", ""))
        except ValueError as error:
            raise ValidationError(str(error)) from error

    def clean(self):
        data = super().clean()
        if not data.get("metric_key"):
            data["metric_params"] = {}
            data["rule_threshold"] = None
        if data.get("applies_to") == Indicator.Applicability.SPECIFIC:
            if not data.get("units"):
                self.add_error("units", "个性事项须指定适用单位。")
        elif data.get("units"):
            self.add_error("units", "共性事项按单位类型适用，不用指定单位；要指定单位请选择“个性”。")
        points = data.get("points")
        if points is not None and points > Decimal("1000"):
            self.add_error("points", "分值不能超过1000。")
        return data


class HolidayForm(forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "is_workday", "name"]
        widgets = {"date": DateInput()}
        error_messages = {"date": {"required": "请填写日期", "unique": "该日期已在节假日表中，请直接修改那一条。"}}
        help_texts = {"name": "例如：国庆节、春节调休"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not datetime.date(2000, 1, 1) <= day <= datetime.date(2100, 12, 31):
            raise ValidationError("日期应在2000年至2100年之间。")
        return day
