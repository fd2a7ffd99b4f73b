import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from core import audit
from core.forms import DateInput, ScopedModelForm, UnitChoiceField, style
from core.models import AuditEvent
from core.text import is_number
from people.choices import Status
from people.models import Person
from people.services import mark_representative

from . import services
from .models import Assessment, Cultivation, Representative, Stage

FIRST_YEAR = 1990


class PersonPicker(forms.Select):
    """A Tom Select picker that loads people from an autocomplete URL as the user types.

    Only the chosen person is rendered as an option (the ledger may hold tens of thousands), and only when
    the field's queryset (the user's scope) contains them, so a forged id never shows a name.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = Person.objects.none()

    def optgroups(self, name, value, attrs=None):
        ids = [v for v in value if is_number(str(v))]
        people = self.queryset.filter(pk__in=ids).select_related("owner_unit") if ids else []
        self.choices = [("", "")] + [(p.pk, f"{p.name}（{p.owner_unit.name}）") for p in people]
        return super().optgroups(name, value, attrs)


def candidates(user):
    """People a representative may be made of: in the user's ledger scope, in the ledger (在册)."""
    return Person.objects.visible_to(user, "view").filter(status=Status.ACTIVE)


class DatedReasonMixin:
    def clean_date(self):
        value = self.cleaned_data["date"]
        if value > datetime.date.today():
            raise ValidationError("日期不能晚于今天")
        if value.year < FIRST_YEAR:
            raise ValidationError("日期不在合理范围内")
        return value


class RepresentativeCreateForm(DatedReasonMixin, ScopedModelForm):
    """A person of the ledger becomes a representative: the profile and the first step (发现)."""

    date = forms.DateField(label="发现日期", widget=DateInput(), error_messages={"required": "请填写发现日期"})
    reason = forms.CharField(
        label="发现依据", max_length=200, error_messages={"required": "请填写发现依据或推荐来源"},
        widget=forms.TextInput(attrs={"placeholder": "例如：镇党委推荐、工作中发现"}),
    )

    class Meta:
        model = Representative
        fields = ["person", "level", "field", "kind", "owner_unit", "notes"]
        field_classes = {"owner_unit": UnitChoiceField}
        widgets = {
            "person": PersonPicker(),
            "owner_unit": forms.Select(attrs={"data-tom-select": ""}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner_unit": "所属单位"}
        help_texts = {
            "person": "输入姓名、拼音或首字母查找台账中的人员（限您的数据范围内在册人员）",
            "owner_unit": "管理该代表人士档案的单位，决定哪些人员可以查看和办理",
        }
        error_messages = {
            "person": {"required": "请选择人员", "invalid_choice": "请从台账中选择您数据范围内的在册人员"},
            "level": {"required": "请选择层级"},
            "field": {"required": "请选择领域"},
            "owner_unit": {"required": "请选择所属单位", "invalid_choice": "请选择您数据范围内的单位"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        people = candidates(user)
        self.fields["person"].queryset = people
        picker = self.fields["person"].widget
        picker.queryset = people
        picker.attrs.update({
            "data-remote-picker": reverse("representatives:candidate_autocomplete"),
            "data-placeholder": "输入姓名、拼音或首字母", "class": "form-select",
            "data-no-results": "没有找到（已是代表人士或不在您的数据范围内的人员不显示）",
        })
        self.fields["date"].initial = datetime.date.today
        style(self)

    def clean_person(self):
        person = self.cleaned_data["person"]
        if Representative.objects.filter(person=person).exists():
            raise ValidationError(f"“{person.name}”已是代表人士，请勿重复登记")
        return person

    def save(self, commit=True):
        rep = self.instance
        rep.stage, rep.stage_date = Stage.DISCOVERED, self.cleaned_data["date"]
        rep = super().save(commit=commit)
        if commit:
            services.record_step(rep, Stage.DISCOVERED, self.cleaned_data["date"], self.cleaned_data["reason"],
                                 self.user)
            mark_representative(rep.person, self.user, True, f"列为代表人士：{self.cleaned_data['reason']}")
        return rep


class RepresentativeEditForm(ScopedModelForm):
    """Level, field, type, unit and notes. The stage is never edited here (see StageForm)."""

    class Meta:
        model = Representative
        fields = ["level", "field", "kind", "owner_unit", "notes"]
        field_classes = {"owner_unit": UnitChoiceField}
        widgets = {
            "owner_unit": forms.Select(attrs={"data-tom-select": ""}), "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"owner_unit": "所属单位"}
        error_messages = {"owner_unit": {"invalid_choice": "请选择您数据范围内的单位"}}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.old_level = self.instance.level
        if self.instance.stage == Stage.CERTIFIED:
            self.fields["level"].help_text = "已认定：调整层级即按新层级认定，须同时具有原层级和新层级的认定权限"
        style(self)

    def clean_level(self):
        level = self.cleaned_data["level"]
        rep = self.instance
        if rep.stage == Stage.CERTIFIED and level != self.old_level:
            for needed in (self.old_level, level):
                if not services.may_certify(self.user, rep, needed):
                    raise ValidationError(services.no_certify_message(needed) + "，不能调整已认定代表人士的层级")
        return level

    def save(self, commit=True):
        rep = super().save(commit=commit)
        if commit and rep.stage == Stage.CERTIFIED and rep.level != self.old_level:
            old, new = services.LEVEL_LABELS[self.old_level], services.LEVEL_LABELS[rep.level]
            services.record_step(rep, Stage.CERTIFIED, datetime.date.today(), f"层级由{old}调整为{new}", self.user)
        return rep


class StageForm(forms.Form):
    """The next step of the pipeline. Only the allowed steps are offered; any other is refused with a reason."""

    stage = forms.ChoiceField(label="变更为", choices=Stage.choices,
                              error_messages={"required": "请选择阶段", "invalid_choice": "请选择有效的阶段"})
    date = forms.DateField(label="日期", widget=DateInput(), error_messages={"required": "请填写日期"})
    reason = forms.CharField(
        label="依据或原因", max_length=200, error_messages={"required": "请填写依据或原因"},
        widget=forms.TextInput(attrs={"placeholder": "例如：经县委统战部部务会研究认定"}),
    )

    def __init__(self, *args, representative, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.representative, self.user = representative, user
        self.allowed = services.allowed_stages(user, representative)
        style(self)
        # Validation knows every stage (so a forged step gets a reason); the menu offers only allowed ones.
        self.fields["stage"].widget.choices = [("", "请选择")] + [(s.value, s.label) for s in self.allowed]
        self.fields["date"].initial = datetime.date.today

    def clean(self):
        cleaned = super().clean()
        stage, date = cleaned.get("stage"), cleaned.get("date")
        if stage and date:
            problem = services.stage_problem(self.representative, stage, date, self.user)
            if problem:
                self.add_error(*problem)
        return cleaned

    def change_stage(self):
        """Take the step (services.change_stage, checked again on the locked row): the StageChange, or None with
        the reason on the form. Asking to certify without the power to is audited as refused, whatever else was
        wrong. The stage page and the REST API both go through here."""
        step = None
        if self.is_valid():
            data = self.cleaned_data
            try:
                step = services.change_stage(self.representative, data["stage"], data["date"], data["reason"],
                                             self.user)
            except ValidationError as error:
                self.add_error(None, error)
        rep = self.representative
        if step is None and self.data.get("stage") == Stage.CERTIFIED and not services.may_certify(self.user, rep):
            audit.record(AuditEvent.Action.DENIED, success=False, obj=rep,
                         label=f"{rep}：认定{rep.get_level_display()}代表人士（无权限）")
        return step


class CultivationForm(forms.ModelForm):
    class Meta:
        model = Cultivation
        fields = ["kind", "status", "title", "organiser", "start_date", "end_date", "notes"]
        widgets = {"start_date": DateInput(), "end_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "kind": {"required": "请选择培养方式"},
            "title": {"required": "请填写培养内容"},
        }
        help_texts = {"status": "计划中的培养完成后，可在详情页标记为“已完成”"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期")
        if cleaned.get("status") == Cultivation.Status.DONE and start and start > datetime.date.today():
            self.add_error("status", "开始日期在今天之后，不能标记为已完成")
        return cleaned


class AssessmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["year", "grade", "notes"]
        error_messages = {"year": {"required": "请填写年度"}, "grade": {"required": "请选择考核等次"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = datetime.date.today().year
        self.fields["year"].widget.attrs.update({"min": FIRST_YEAR, "max": this_year, "placeholder": str(this_year)})
        if not self.instance.pk:
            self.fields["year"].initial = this_year - 1 if datetime.date.today().month < 7 else this_year
        style(self)

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not FIRST_YEAR <= year <= datetime.date.today().year:
            raise ValidationError(f"年度应在{FIRST_YEAR}年至今年之间")
        others = Assessment.objects.filter(representative=self.instance.representative, year=year)
        if others.exclude(pk=self.instance.pk).exists():
            raise ValidationError(f"{year}年度的考核已登记，每年只能登记一次，请修改该年度的记录")
        return year

