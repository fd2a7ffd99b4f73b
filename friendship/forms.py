import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.forms import DateInput, ScopedModelForm, UnitChoiceField, style
from org.models import Unit
from representatives.models import Representative, Stage

from .models import Contact, FollowUp, Pairing

FOLLOW_UP_DAYS = 30  # default time to resolve an issue raised in a contact


def users_in_scope(user, model, action):
    """Active business accounts of the units where `user` may `action` records of `model` (and the user):
    the people a record may be given to. A "仅本人" scope yields the user alone."""
    if not user.has_action(model, action):
        return get_user_model().objects.none()
    query = Q(pk=user.pk)
    if model.objects.scope_has_units(user, action):
        query |= Q(unit__in=model.objects.units_in_scope(user, action))
    admins = get_user_model().objects.filter(grants__role__admin_kind__gt="").values("pk")
    return (
        get_user_model().objects.filter(query, is_active=True).exclude(pk__in=admins)
        .select_related("unit").order_by("unit__path", "full_name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        name = obj.full_name or obj.username
        return f"{name}（{obj.unit.name}）" if obj.unit_id else name


class RepresentativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.person.name}（{obj.owner_unit.name}，{obj.get_level_display()}）"


def set_initial(form, name, value):
    """An initial value for a new record (the unsaved instance has put None in form.initial)."""
    if form.initial.get(name) in (None, ""):
        form.initial[name] = value


def not_in_future(value, label="日期"):
    if value and value > timezone.localdate():
        raise ValidationError(f"{label}不能晚于今天")
    return value


class PairingForm(ScopedModelForm):
    """Pair an official (an account in the creator's scope, or a cadre by name and post) with a representative."""

    class Meta:
        model = Pairing
        fields = ["representative", "official", "official_name", "official_post", "contacts_per_year",
                  "start_date", "end_date", "owner_unit"]
        field_classes = {"owner_unit": UnitChoiceField, "official": UserChoiceField,
                         "representative": RepresentativeChoiceField}
        widgets = {
            "representative": forms.Select(attrs={"data-tom-select": ""}),
            "official": forms.Select(attrs={"data-tom-select": ""}),
            "owner_unit": forms.Select(attrs={"data-tom-select": ""}),
            "start_date": DateInput(),
            "end_date": DateInput(),
            "contacts_per_year": forms.NumberInput(attrs={"min": 1, "max": 52}),
        }
        labels = {"owner_unit": "所属单位"}
        help_texts = {
            "official": "联系干部有平台账号时选择（限您数据范围内的用户），没有账号的填写下面的姓名和职务",
            "representative": "输入姓名查找您数据范围内的党外代表人士",
            "owner_unit": "管理该结对的单位，决定哪些人员可以查看",
            "end_date": "结对长期有效的可不填",
        }
        error_messages = {
            "representative": {"required": "请选择联系对象", "invalid_choice": "请选择您数据范围内的党外代表人士"},
            "official": {"invalid_choice": "请选择您数据范围内的用户"},
            "owner_unit": {"required": "请选择所属单位", "invalid_choice": "请选择您数据范围内的单位"},
            "start_date": {"required": "请填写开始日期", "invalid": "请填写正确的日期"},
            "end_date": {"invalid": "请填写正确的日期"},
            "contacts_per_year": {"required": "请填写每年联系次数"},
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        action = "change" if self.instance.pk else "add"
        # Representatives in the user's scope who have not left; on edit, the pairing's own one in any case
        # (an official sees it through the pairing, not through their scope on representatives).
        visible = Representative.objects.visible_to(user, "view").exclude(stage=Stage.EXITED).values("pk")
        self.fields["representative"].queryset = Representative.objects.filter(
            Q(pk__in=visible) | Q(pk=self.instance.representative_id or 0)
        ).select_related("person", "owner_unit").order_by("person__name_pinyin", "pk")
        if self.instance.pk:  # keeping the unit it has is always allowed (an official's own pairing kept by a town)
            units = self.fields["owner_unit"].queryset
            self.fields["owner_unit"].queryset = (units | Unit.objects.filter(pk=self.instance.owner_unit_id)).order_by(
                "path")
        officials = users_in_scope(user, Pairing, action)
        if self.instance.official_id:
            officials = officials | get_user_model().objects.filter(pk=self.instance.official_id)
        self.fields["official"].queryset = officials.distinct()
        if not self.instance.pk:
            set_initial(self, "start_date", timezone.localdate())
            if not Pairing.objects.scope_has_units(user, action):
                set_initial(self, "official", user.pk)  # an official ("仅本人") pairs themselves
        style(self)

    def clean_contacts_per_year(self):
        value = self.cleaned_data["contacts_per_year"]
        if not 1 <= value <= 52:
            raise ValidationError("每年联系次数须在1至52之间")
        return value

    def clean(self):
        data = super().clean()
        # Without an account, a name is required; the end after the start (both checked by Pairing.clean).
        if data.get("official"):
            data["official_name"] = ""  # the account's name is shown; a typed name would contradict it
        representative, official = data.get("representative"), data.get("official")
        if representative and official:
            duplicate = Pairing.objects.filter(representative=representative, official=official).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=timezone.localdate())
            ).exclude(pk=self.instance.pk or 0)
            if duplicate.exists():
                self.add_error("representative", f"{official}与{representative.person.name}已有有效的结对")
        return data


class FormChoiceWidget(forms.RadioSelect):
    """The contact's form as large toggle buttons (the template lays them out)."""

    def __init__(self, attrs=None, choices=()):
        super().__init__({"class": "btn-check", **(attrs or {})}, choices)


def pairing_label(pairing):
    return f"{pairing.representative.person.name}（联系干部：{pairing.official_display}）"


class ContactForm(ScopedModelForm):
    """Record a contact. From a pairing's page the pairing is fixed (`pairing=`); the unit follows the pairing."""

    class Meta:
        model = Contact
        fields = ["pairing", "date", "form", "place", "summary", "issues"]
        widgets = {
            "pairing": forms.Select(attrs={"data-tom-select": ""}),
            "date": DateInput(),
            "form": FormChoiceWidget(),
            "place": forms.TextInput(attrs={"placeholder": "例如：企业办公室、村委会"}),
            "summary": forms.Textarea(attrs={"rows": 4, "placeholder": "谈了什么、了解到什么情况"}),
            "issues": forms.Textarea(attrs={"rows": 3, "placeholder": "对方反映的困难、问题或意见建议（没有可不填）"}),
        }
        help_texts = {"issues": "保存后可在联系记录页面一键转为跟进事项"}
        error_messages = {
            "pairing": {"required": "请选择结对", "invalid_choice": "请选择您数据范围内的结对"},
            "date": {"required": "请填写联系日期", "invalid": "请填写正确的日期"},
            "form": {"required": "请选择联系形式", "invalid_choice": "请选择联系形式"},
            "summary": {"required": "请填写主要内容"},
        }

    def __init__(self, *args, user=None, pairing=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Not `self.pairing`: a template looks up `form.pairing` for the field.
        self.fixed_pairing = pairing or (self.instance.pairing if self.instance.pairing_id else None)
        if self.fixed_pairing is not None:
            del self.fields["pairing"]
            self.instance.pairing = self.fixed_pairing
        else:
            self.fields["pairing"].queryset = Pairing.objects.visible_to(user, "view").select_related(
                "official", "representative__person")
            self.fields["pairing"].label_from_instance = pairing_label
        self.fields["form"].choices = Contact.Form.choices
        if not self.instance.pk:
            set_initial(self, "date", timezone.localdate())
        style(self)

    def clean_date(self):
        return not_in_future(self.cleaned_data["date"], "联系日期")

    def clean(self):
        data = super().clean()
        pairing = self.fixed_pairing or data.get("pairing")
        day = data.get("date")
        if pairing is not None and day and day < pairing.start_date:
            self.add_error("date", f"联系日期早于结对开始日期（{pairing.start_date:%Y-%m-%d}）")
        return data

    def save(self, commit=True):
        pairing = self.fixed_pairing or self.cleaned_data["pairing"]
        self.instance.pairing = pairing
        self.instance.owner_unit = pairing.owner_unit
        return super().save(commit)


class FollowUpForm(ScopedModelForm):
    """Turn an issue raised in a contact into a follow-up item (create), or edit one."""

    class Meta:
        model = FollowUp
        fields = ["description", "assignee", "due_date"]
        field_classes = {"assignee": UserChoiceField}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "assignee": forms.Select(attrs={"data-tom-select": ""}),
            "due_date": DateInput(),
        }
        labels = {"description": "问题或事项"}
        error_messages = {
            "description": {"required": "请填写需跟进的问题"},
            "assignee": {"required": "请选择责任人", "invalid_choice": "请选择您数据范围内的用户"},
            "due_date": {"required": "请填写办理期限", "invalid": "请填写正确的日期"},
        }

    def __init__(self, *args, user=None, contact=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.contact = contact or (self.instance.contact if self.instance.contact_id else None)
        action = "change" if self.instance.pk else "add"
        assignees = users_in_scope(user, FollowUp, action)
        if self.instance.assignee_id:
            assignees = assignees | get_user_model().objects.filter(pk=self.instance.assignee_id)
        self.fields["assignee"].queryset = assignees.distinct()
        self.fields["assignee"].required = True
        if not self.instance.pk:
            set_initial(self, "assignee", user.pk)
            set_initial(self, "due_date", timezone.localdate() + datetime.timedelta(days=FOLLOW_UP_DAYS))
            if self.contact is not None:
                set_initial(self, "description", self.contact.issues.strip())
        style(self)

    def clean_due_date(self):
        value = self.cleaned_data["due_date"]
        if not self.instance.pk and value < timezone.localdate():
            raise ValidationError("办理期限不能早于今天")
        return value

    def save(self, commit=True):
        if self.contact is not None and not self.instance.pk:
            self.instance.contact = self.contact
            self.instance.owner_unit = self.contact.owner_unit
        return super().save(commit)


class FollowUpCloseForm(forms.Form):
    result = forms.CharField(
        label="办理结果", widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"required": "请填写办理结果"},
    )
    closed_at = forms.DateField(
        label="办结日期", widget=DateInput(attrs={"class": "form-control"}),
        error_messages={"required": "请填写办结日期", "invalid": "请填写正确的日期"},
    )

    def __init__(self, *args, follow_up=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.follow_up = follow_up
        set_initial(self, "closed_at", timezone.localdate())

    def clean_closed_at(self):
        value = not_in_future(self.cleaned_data["closed_at"], "办结日期")
        if self.follow_up is not None and value < self.follow_up.contact.date:
            raise ValidationError("办结日期不能早于问题提出的日期")
        return value
