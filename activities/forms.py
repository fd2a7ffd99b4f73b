import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.forms import ScopedModelForm, UnitChoiceField, style
from core.images import MAX_BYTES, process_image
from core.text import is_number
from org.models import Unit
from people.services import visible_people

from .models import Activity, ActivityType, Frequency, Plan

MAX_PHOTOS = 20  # photos in one upload
DEFAULT_DURATION = datetime.timedelta(hours=2)
FIRST_YEAR = 2015


def year_choices():
    this_year = timezone.localdate().year
    return [(y, f"{y}年") for y in range(this_year + 1, FIRST_YEAR - 1, -1)]


def set_initial(form, name, value):
    if form.initial.get(name) in (None, "", []):
        form.initial[name] = value


def active_types():
    return ActivityType.objects.filter(is_active=True)


class TypeSelect(forms.Select):
    """Activity types, each option carrying its expected frequency (the plan form prefills the frequency)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-frequency"] = instance.expected_frequency
            option["attrs"]["data-name"] = instance.name
        return option


class CoOrganisersField(forms.ModelMultipleChoiceField):
    def __init__(self, queryset=None, **kwargs):
        kwargs["required"] = False
        kwargs["widget"] = forms.SelectMultiple(attrs={"data-tom-select": ""})
        kwargs.setdefault("label", "协办单位")
        super().__init__(queryset=Unit.objects.filter(is_active=True).order_by("path"), **kwargs)

    def label_from_instance(self, obj):
        return obj.name


class PlanForm(ScopedModelForm):
    class Meta:
        model = Plan
        fields = ["year", "activity_type", "frequency", "title", "owner_unit", "co_organisers", "notes"]
        field_classes = {"owner_unit": UnitChoiceField, "co_organisers": CoOrganisersField}
        widgets = {
            "activity_type": TypeSelect(attrs={"data-plan-type": ""}),
            "frequency": forms.Select(attrs={"data-plan-frequency": ""}),
            "title": forms.TextInput(attrs={"placeholder": "例如：每月同心行活动日", "data-plan-title": ""}),
            "owner_unit": forms.Select(attrs={"data-tom-select": ""}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner_unit": "组织单位"}
        help_texts = {
            "frequency": "选择活动类型后自动带出该类型的应开展频次，可修改",
            "title": "留空时按“频次＋活动类型”自动生成",
            "owner_unit": "负责开展该计划的单位",
        }
        error_messages = {
            "activity_type": {"required": "请选择活动类型", "invalid_choice": "请选择活动类型"},
            "frequency": {"required": "请选择频次", "invalid_choice": "请选择频次"},
            "owner_unit": {"required": "请选择组织单位", "invalid_choice": "请选择您数据范围内的单位"},
        }

    year = forms.TypedChoiceField(label="年度", coerce=int, choices=year_choices,
                                  error_messages={"required": "请选择年度", "invalid_choice": "请选择年度"})

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["title"].required = False
        self.fields["activity_type"].queryset = active_types() | ActivityType.objects.filter(
            pk=self.instance.activity_type_id or 0)
        self.fields["co_organisers"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        if not self.instance.pk:
            set_initial(self, "year", timezone.localdate().year)
            monthly = ActivityType.objects.filter(expected_frequency=Frequency.MONTH, is_active=True).first()
            if monthly is not None:
                set_initial(self, "activity_type", monthly.pk)
                set_initial(self, "frequency", monthly.expected_frequency)
        style(self)

    def clean(self):
        data = super().clean()
        kind, frequency = data.get("activity_type"), data.get("frequency")
        if kind and frequency and not data.get("title"):
            data["title"] = f"{Frequency(frequency).label}{kind.name}"
            self.instance.title = data["title"]
        return data

    def _post_clean(self):
        if self.cleaned_data.get("title"):
            self.instance.title = self.cleaned_data["title"]
        super()._post_clean()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one go; each is checked and re-encoded by core.images (errors name the file)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={
            "accept": "image/jpeg,image/png,image/webp,image/*", "capture": "environment", "multiple": True,
            "class": "form-control", "data-photo-input": "",
        }))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > MAX_PHOTOS:
            raise ValidationError(f"一次最多上传 {MAX_PHOTOS} 张照片")
        processed, errors = [], []
        for upload in files:
            try:
                processed.append(process_image(upload))
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return processed


class PersonPicker(forms.SelectMultiple):
    """A remote-search Tom Select (app.js, data-remote-picker): only the chosen people are rendered as options."""


class ActivityForm(ScopedModelForm):
    """Record an activity, built for a phone: type, title (prefilled), start (now), place, who took part,
    content, photos. End time, co-organisers and outcome have defaults and sit under “更多”."""

    photos = PhotosField(
        label="活动照片",
        help_text=f"可一次选择多张（JPG、PNG、WebP，每张不超过 {MAX_BYTES // 2**20} MB），手机上可直接拍照")

    class Meta:
        model = Activity
        fields = ["activity_type", "title", "start", "end", "place", "owner_unit", "participants",
                  "other_participants", "content", "outcome", "plan", "co_organisers", "signup_open",
                  "signup_deadline", "signup_capacity"]
        field_classes = {"owner_unit": UnitChoiceField, "co_organisers": CoOrganisersField}
        widgets = {
            "activity_type": TypeSelect(attrs={"data-activity-type": ""}),
            "title": forms.TextInput(attrs={"data-activity-title": "", "placeholder": "留空按日期和类型自动生成"}),
            "start": forms.DateTimeInput(attrs={"type": "datetime-local", "data-activity-start": ""},
                                         format="%Y-%m-%dT%H:%M"),
            "end": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "place": forms.TextInput(attrs={"placeholder": "例如：村文化礼堂", "autocomplete": "on"}),
            "owner_unit": forms.Select(attrs={"data-activity-unit": ""}),
            "participants": PersonPicker(),
            "other_participants": forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
            "content": forms.Textarea(attrs={"rows": 3, "placeholder": "开展了什么活动、主要内容"}),
            "outcome": forms.Textarea(attrs={"rows": 2, "placeholder": "取得的成效、群众反映（可不填）"}),
            "plan": forms.Select(attrs={"data-activity-plan": ""}),
            "signup_deadline": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "signup_capacity": forms.NumberInput(attrs={"min": 1, "inputmode": "numeric"}),
        }
        labels = {"owner_unit": "组织单位", "start": "活动时间", "participants": "参加人员"}
        help_texts = {
            "participants": "输入姓名或拼音首字母查找台账人员，可选多人",
            "other_participants": "台账以外的参加人数",
            "plan": "本活动完成的计划；期次按活动日期自动确定",
            "end": "不填默认开始后 2 小时",
        }
        error_messages = {
            "activity_type": {"required": "请选择活动类型", "invalid_choice": "请选择活动类型"},
            "start": {"required": "请填写活动时间", "invalid": "请填写正确的日期和时间"},
            "end": {"invalid": "请填写正确的日期和时间"},
            "place": {"required": "请填写活动地点"},
            "content": {"required": "请填写活动内容"},
            "owner_unit": {"required": "请选择组织单位", "invalid_choice": "请选择您数据范围内的单位"},
            "participants": {"invalid_choice": "请选择您数据范围内的台账人员",
                             "invalid_pk_value": "请选择您数据范围内的台账人员"},
            "plan": {"invalid_choice": "请选择您数据范围内的计划"},
            "other_participants": {"invalid": "请填写人数", "min_value": "人数不能为负数"},
            "signup_deadline": {"invalid": "请填写正确的日期和时间"},
            "signup_capacity": {"invalid": "请填写名额", "min_value": "名额至少为 1"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        fields = self.fields
        fields["title"].required = False
        fields["end"].required = False
        fields["other_participants"].required = False
        fields["activity_type"].queryset = active_types() | ActivityType.objects.filter(
            pk=self.instance.activity_type_id or 0)
        fields["activity_type"].empty_label = None
        fields["co_organisers"].queryset = Unit.objects.filter(is_active=True).order_by("path")
        # Participants: anyone in the ledger the user may see; the picker renders only the chosen ones. People
        # already taking part whom the user may not see (people.visibility) are neither shown nor dropped.
        people = visible_people(user)
        self.kept_participants = list(self.instance.participants.exclude(pk__in=people.values("pk"))
                                      .values_list("pk", flat=True)) if self.instance.pk else []
        fields["participants"].queryset = people
        fields["participants"].widget.choices = self._chosen_people()
        fields["participants"].widget.attrs.update({
            "data-remote-picker": reverse("people:person_autocomplete"), "data-placeholder": "输入姓名或拼音首字母",
            "data-no-results": "没有找到（仅显示您数据范围内的台账人员）"})
        # Plans: those of the units the user may record in (the clean() checks type, year and unit).
        units = fields["owner_unit"].queryset
        plans = Plan.objects.visible_to(user).filter(owner_unit__in=units).select_related("activity_type", "owner_unit")
        if self.instance.plan_id:
            plans = plans | Plan.objects.filter(pk=self.instance.plan_id)
        fields["plan"].queryset = plans.order_by("-year", "owner_unit__path", "activity_type__sort_order")
        fields["plan"].label_from_instance = lambda p: f"{p}（{p.owner_unit.name}）"
        fields["plan"].widget = PlanSelect(attrs={"data-activity-plan": ""})
        fields["plan"].widget.choices = fields["plan"].choices
        if len(units) == 1 and not self.instance.pk:
            fields["owner_unit"].widget = forms.HiddenInput()
            self.single_unit = units[0]
        if not self.instance.pk:
            now = timezone.localtime().replace(second=0, microsecond=0)
            set_initial(self, "start", now)
            first = fields["activity_type"].queryset.order_by("sort_order", "id").first()
            if first is not None:
                set_initial(self, "activity_type", first.pk)
            set_initial(self, "other_participants", 0)
        style(self)

    single_unit = None

    def _chosen_people(self):
        if self.is_bound:
            # The widget's own reading of the data: a page's QueryDict, or the REST API's plain dict.
            chosen = self.fields["participants"].widget.value_from_datadict(self.data, self.files,
                                                                            self.add_prefix("participants"))
            ids = [v for v in chosen or [] if is_number(str(v))]
        elif self.instance.pk:
            ids = list(self.instance.participants.values_list("pk", flat=True))
        else:
            ids = [v for v in (self.initial.get("participants") or []) if is_number(str(v))]
        chosen = self.fields["participants"].queryset.filter(pk__in=ids).select_related("owner_unit")
        return [(p.pk, f"{p.name}（{p.owner_unit.name}）") for p in chosen]

    def clean_other_participants(self):
        value = self.cleaned_data.get("other_participants")
        if value is None:
            return 0
        if value < 0:
            raise ValidationError("人数不能为负数")
        return value

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and not end:
            data["end"] = start + DEFAULT_DURATION
        elif start and end and end < start:
            self.add_error("end", "结束时间不能早于开始时间")
        kind = data.get("activity_type")
        if kind and start and not data.get("title"):
            day = timezone.localtime(start)
            data["title"] = f"{day.month}月{day.day}日{kind.name}"
        plan, unit = data.get("plan"), data.get("owner_unit") or self.single_unit
        if plan is not None:
            if kind and plan.activity_type_id != kind.pk:
                self.add_error("plan", f"所选计划的活动类型是“{plan.activity_type}”，与本活动不符")
            elif start and plan.year != timezone.localtime(start).year:
                self.add_error("plan", f"所选计划是{plan.year}年的，活动时间不在该年度")
            elif unit and plan.owner_unit_id != unit.pk:
                self.add_error("plan", f"所选计划属于{plan.owner_unit.name}，与组织单位不符")
        deadline = data.get("signup_deadline")
        if deadline and start and deadline > start:
            self.add_error("signup_deadline", "报名截止时间不能晚于活动开始时间")
        if data.get("signup_capacity") == 0:
            self.add_error("signup_capacity", "名额至少为 1")
        return data

    def _post_clean(self):
        for name in ("title", "end"):
            if self.cleaned_data.get(name):
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()

    def _save_m2m(self):
        super()._save_m2m()
        if self.kept_participants:
            self.instance.participants.add(*self.kept_participants)


class PlanSelect(forms.Select):
    """Plan options carry their type, year and unit, so activities.js shows the ones that fit the activity."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        plan = getattr(value, "instance", None)
        if plan is not None:
            option["attrs"].update({"data-type": plan.activity_type_id, "data-year": plan.year,
                                    "data-unit": plan.owner_unit_id})
        return option
