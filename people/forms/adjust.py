"""The dynamic adjustments (动态调整) of one person or a selection: status, tier, transfer, tags."""

import datetime

from django import forms
from django.core.exceptions import ValidationError

from core.forms import DateInput, UnitChoiceField, style
from org.models import Unit

from .. import choices


def transfer_destinations(exclude=None):
    """Every active unit of the county below its root (towns, villages, member and field units) and the root."""
    queryset = Unit.objects.filter(is_active=True).order_by("path")
    if exclude is not None:
        queryset = queryset.exclude(pk=exclude.pk)
    return queryset


class DatedReasonForm(forms.Form):
    date = forms.DateField(label="日期", widget=DateInput(), error_messages={"required": "请填写日期"})
    reason = forms.CharField(label="原因", max_length=200, error_messages={"required": "请填写原因"},
                             widget=forms.TextInput(attrs={"placeholder": "例如：工作调动、本人申请"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = datetime.date.today
        style(self)

    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > datetime.date.today():
            raise ValidationError("日期不能晚于今天")
        return value


class StatusForm(DatedReasonForm):
    status = forms.ChoiceField(label="新状态", choices=choices.Status.choices)
    field_order = ["status", "date", "reason"]

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["date"].label = "变更日期"
        self.fields["reason"].label = "变更原因"
        style(self)

    def clean_status(self):
        value = self.cleaned_data["status"]
        if self.person is not None and value == self.person.status:
            raise ValidationError(f"该人员当前已是“{self.person.get_status_display()}”状态")
        return value


class TierForm(forms.Form):
    tier = forms.ChoiceField(label="新管理层级", choices=choices.Tier.choices)
    reason = forms.CharField(label="调整原因", max_length=200, error_messages={"required": "请填写原因"})

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        style(self)

    def clean_tier(self):
        value = self.cleaned_data["tier"]
        if self.person is not None and value == self.person.tier:
            raise ValidationError(f"该人员当前已是“{self.person.get_tier_display()}”")
        return value


class TransferForm(DatedReasonForm):
    to_unit = UnitChoiceField(label="调入单位", queryset=Unit.objects.none(),
                              error_messages={"required": "请选择调入单位", "invalid_choice": "请选择有效的调入单位"})
    field_order = ["to_unit", "date", "reason"]

    def __init__(self, *args, exclude_unit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_unit"].queryset = transfer_destinations(exclude_unit)
        self.fields["to_unit"].widget.attrs.update({"data-tom-select": "", "class": "form-select"})
        self.fields["date"].label = "调动日期"
        self.fields["reason"].label = "调动原因"


class BulkTransferForm(TransferForm):
    """The transfer form for a selection; the selected ids travel beside it and are re-scoped by the view."""

class BulkTagForm(forms.Form):
    tag = forms.CharField(label="标签", max_length=30, error_messages={"required": "请填写标签"},
                          widget=forms.TextInput(attrs={"list": "tag-options", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean_tag(self):
        value = self.cleaned_data["tag"].strip()
        if not value:
            raise ValidationError("请填写标签")
        return value
