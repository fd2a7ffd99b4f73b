"""The self-service forms: the managing unit opening a member's account, the member's change request (one item
at a time, phone first), and the unit's decision on it."""

from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models

from core.forms import DateInput, style
from core.uploads import clean_attachment
from people import services as ledger
from people.models import Person, SocialPosition

from .models import ChangeRequest

# A change request's proof: a photo of a certificate or a PDF, no other document.
PROOF_SUFFIXES = (".pdf", ".jpg", ".jpeg", ".png")
PROOF_MAX_BYTES = 5 * 1024 * 1024
POSITION_FIELDS = ("kind", "level", "title", "term_start", "term_end")


class InviteForm(forms.Form):
    class Method(models.TextChoices):
        LINK = "link", "生成一次性邀请链接（本人设置密码，7天内有效）"
        PASSWORD = "password", "生成初始密码（首次登录须修改）"

    username = forms.CharField(label="登录用户名", max_length=150, help_text="字母、数字组合，例如姓名拼音")
    method = forms.ChoiceField(label="开通方式", choices=Method.choices, widget=forms.RadioSelect,
                               initial=Method.LINK)

    def __init__(self, *args, has_account=False, **kwargs):
        super().__init__(*args, **kwargs)
        if has_account:
            del self.fields["username"]
        style(self)

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        field = get_user_model()._meta.get_field("username")
        try:
            field.run_validators(username)
        except ValidationError as exc:
            raise ValidationError("用户名只能包含字母、数字和 @ . + - _ 字符") from exc
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已被使用，请换一个")
        return username


def _person_field(name):
    if name == "phone":
        return forms.CharField(label="新的联系电话", max_length=20,
                               widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}))
    field = Person._meta.get_field(name).formfield()
    field.label = f"新的{Person._meta.get_field(name).verbose_name}"
    field.required = True
    return field


class ChangeRequestForm(forms.Form):
    """One item of the member's record and its new value, checked by the rules of the person edit form (the
    same that apply when the managing unit approves it), with an optional proof."""

    note = forms.CharField(label="说明（可不填）", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "例如：已调到新单位工作"}))
    proof = forms.FileField(label="证明材料（可不填）", required=False,
                            help_text=f"照片（JPG、PNG）或 PDF，不超过 {PROOF_MAX_BYTES // 2**20} MB",
                            widget=forms.ClearableFileInput(attrs={"accept": ",".join(PROOF_SUFFIXES)}))

    def __init__(self, *args, item, person, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.item, self.person, self.user = item, person, user
        if item == ChangeRequest.Item.SOCIAL_POSITION:
            value_fields = {name: SocialPosition._meta.get_field(name).formfield() for name in POSITION_FIELDS}
            value_fields["term_start"].widget = DateInput()
            value_fields["term_end"].widget = DateInput()
        else:
            value_fields = {item: _person_field(item)}
        self.value_names = list(value_fields)
        self.fields = {**value_fields, **self.fields}
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label.removeprefix('新的')}"
            if "invalid_choice" in field.error_messages:
                field.error_messages["invalid_choice"] = "请从列表中选择"
        style(self)

    def clean_proof(self):
        upload = self.cleaned_data.get("proof")
        if not upload:
            return None
        if Path(upload.name).suffix.lower() not in PROOF_SUFFIXES:
            raise ValidationError("证明材料只能是照片（JPG、PNG）或 PDF 文件")
        if upload.size > PROOF_MAX_BYTES:
            raise ValidationError(f"证明材料不能超过 {PROOF_MAX_BYTES // 2**20} MB")
        return clean_attachment(upload)

    def values(self):
        """The declared values as text, as the ledger's forms take them."""
        values = {}
        for name in self.value_names:
            value = self.cleaned_data.get(name)
            values[name] = value.isoformat() if hasattr(value, "isoformat") else str(value or "").strip()
        return values

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.value_names):
            return cleaned
        values = self.values()
        if self.item == ChangeRequest.Item.SOCIAL_POSITION:
            problems = ledger.declared_position_problems(values)
        else:
            if values[self.item] == str(getattr(self.person, self.item) or ""):
                raise ValidationError("新内容与登记的内容相同，无需申报")
            problems = ledger.declared_change_problems(self.person, self.user, values)
        for problem in problems:
            self.add_error(self.value_names[0] if len(self.value_names) == 1 else None, problem)
        return cleaned


class DecisionForm(forms.Form):
    class Decision(models.TextChoices):
        APPROVE = "approve", "通过（更新台账）"
        REJECT = "reject", "不通过"

    decision = forms.ChoiceField(label="审核结果", choices=Decision.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "请选择审核结果", "invalid_choice": "请选择审核结果"})
    reason = forms.CharField(label="审核意见", max_length=200, required=False,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text="不通过时必须填写原因，申报人会看到")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.Decision.REJECT and not cleaned.get("reason", "").strip():
            self.add_error("reason", "不通过时请填写原因")
        return cleaned
