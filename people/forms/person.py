"""The person's form (create and edit), its social positions and its attachments."""

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import inlineformset_factory
from django.utils.html import format_html

from core import crypto
from core.forms import DateInput, ScopedModelForm, UnitChoiceField, style
from core.images import ACCEPT as IMAGE_ACCEPT
from core.images import MAX_BYTES as PHOTO_MAX_BYTES
from core.images import PhotoField
from core.uploads import ATTACHMENT_ACCEPT, clean_attachment

from .. import lookups
from ..identity import (
    birth_date_from_id,
    gender_from_id,
    id_number_problem,
    normalize_id_number,
    normalize_phone,
    phone_problem,
)
from ..models import Attachment, Category, Person, SocialPosition, Tag, acting_unit
from ..privacy import birth_date_text, may_see_sensitive

PHOTO_MAX_SIDE = 1200  # a portrait for the archive: longer side in pixels once re-encoded
BIRTH_FROM_ID = "出生日期以已登记的身份证号为准，不能单独修改；如需更正，请同时重新填写身份证号"
TAG_SEPARATORS = r"[、,，;；\s]+"


def split_tags(text):
    return [t for t in (part.strip() for part in re.split(TAG_SEPARATORS, text or "")) if t]


class PersonPhotoField(PhotoField):
    def __init__(self, **kwargs):
        super().__init__(max_side=PHOTO_MAX_SIDE, **kwargs)


class PersonForm(ScopedModelForm):
    """Create and edit a person. ID number and phone are never sent back to the browser: the inputs start
    empty (the masked value shows as a hint) and an empty input keeps what is stored. So is the birth date
    for a user who may not see the person's sensitive fields (its month shows as the hint): nor can they
    type one to compare with a stored ID number (people.privacy).

    The ID number typed is looked up (people.lookups): audited, refused once the user has guessed too often;
    a number registered outside the user's scope is answered with the registering unit only."""

    tag_names = forms.CharField(label="标签", required=False, max_length=300,
                                help_text="多个标签用“、”或逗号分隔，没有的标签会自动新建")
    clear_id_number = forms.BooleanField(label="删除已登记的身份证号", required=False)
    clear_phone = forms.BooleanField(label="删除已登记的联系电话", required=False)

    sections = [
        ("基本信息", ["name", "id_number", "clear_id_number", "gender", "birth_date", "ethnicity", "phone",
                      "clear_phone", "native_place", "address", "photo"]),
        ("工作与学历", ["workplace", "position", "field", "education", "degree"]),
        ("政治面貌", ["affiliation", "affiliation_date"]),
        ("统战信息", ["categories", "owner_unit", "tier", "is_representative", "tag_names", "notes"]),
    ]

    class Meta:
        model = Person
        fields = [
            "name", "id_number", "gender", "birth_date", "ethnicity", "phone", "native_place", "address", "photo",
            "workplace", "position", "field", "education", "degree", "affiliation", "affiliation_date",
            "categories", "owner_unit", "tier", "is_representative", "notes",
        ]
        widgets = {
            "id_number": forms.TextInput(attrs={"autocomplete": "off", "maxlength": 24, "spellcheck": "false"}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "maxlength": 20}),
            "birth_date": DateInput(),
            "affiliation_date": DateInput(),
            "categories": forms.SelectMultiple(attrs={"data-tom-select": "", "class": "form-select"}),
            "owner_unit": forms.Select(attrs={"data-tom-select": ""}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "photo": forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        }
        field_classes = {"owner_unit": UnitChoiceField, "photo": PersonPhotoField}
        help_texts = {
            "photo": f"JPG、PNG 或 WebP，不超过 {PHOTO_MAX_BYTES // 2**20} MB；保存时去除拍摄位置等附带信息",
            "id_number": "填写后自动核对性别和出生日期；性别、出生日期留空时由身份证号自动填写",
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        person = self.instance
        active = Category.objects.filter(is_active=True)
        if person.pk:
            active = Category.objects.filter(pk__in=active) | Category.objects.filter(people=person)
        self.fields["categories"].queryset = active.distinct().order_by("sort_order", "code")
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        for name in ("id_number", "phone"):
            stored = getattr(person, name) if person.pk else ""
            self.initial[name] = ""
            if stored:
                masked = Person._meta.get_field(name).masked(stored)
                self.fields[name].widget.attrs["placeholder"] = f"已登记 {masked}，留空则不修改"
            else:
                del self.fields[f"clear_{name}"]
        self.visible_tags = Tag.objects.visible_to(user)
        if person.pk:
            self.initial["tag_names"] = "、".join(t.name for t in person.tags.filter(pk__in=self.visible_tags))
        self.birth_guarded = bool(person.pk) and not may_see_sensitive(user, person)
        if self.birth_guarded:
            self.initial["birth_date"] = None
            field = self.fields["birth_date"]
            field.widget = forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "maxlength": 10})
            if person.birth_date:
                month = birth_date_text(person.birth_date, day=False)
                field.widget.attrs["placeholder"] = f"已登记 {month}，留空则不修改"
            field.help_text = "以身份证号为准" if person.id_number else "如需修改，请填写完整日期，如 1975-03-15"
        self.id_number_typed = self.birth_date_typed = False
        style(self)

    def section_fields(self):
        """[(title, [bound fields])] in display order, for the sectioned form template."""
        return [(title, [self[name] for name in names if name in self.fields]) for title, names in self.sections]

    def clean_name(self):
        parts = self.cleaned_data["name"].split()
        # "张 三" (a space typed for alignment) is 张三; Latin names keep single spaces.
        name = "".join(parts) if re.search(r"[\u4e00-\u9fff]", "".join(parts)) else " ".join(parts)
        if not name:
            raise ValidationError("请填写姓名")
        return name

    def clean_id_number(self):
        value = normalize_id_number(self.cleaned_data.get("id_number"))
        if not value:
            return self.instance.id_number if self.instance.pk else ""
        problem = id_number_problem(value)
        if problem:
            raise ValidationError(problem)
        self.id_number_typed = True
        number_hash = crypto.keyed_hash(value)
        existing = (
            Person.objects.filter(id_number_hash=number_hash).select_related("owner_unit")
            .only("pk", "name", "owner_unit__name").first()
        )
        duplicate = existing is not None and existing.pk != self.instance.pk
        visible = duplicate and self.user is not None and self.user.can("view", existing)
        try:
            if existing is None:
                lookups.settle(self.user, lookups.FORM, misses=[(value, number_hash)])
            elif duplicate and not visible:
                lookups.settle(self.user, lookups.FORM, hits=[number_hash],
                               outside={number_hash: existing.owner_unit.name})
            else:
                lookups.settle(self.user, lookups.FORM, hits=[number_hash])
        except lookups.LookupRefused as refused:
            raise ValidationError(str(refused)) from refused
        if visible:
            raise ValidationError(format_html(
                '该身份证号已登记为 <a href="{}">{}</a>（{}），请勿重复登记', existing.get_absolute_url(),
                existing.name, existing.owner_unit,
            ))
        if duplicate:
            raise ValidationError(lookups.registered_elsewhere(existing.owner_unit.name))
        return value

    def clean_phone(self):
        value = normalize_phone(self.cleaned_data.get("phone"))
        if not value:
            return self.instance.phone if self.instance.pk else ""
        problem = phone_problem(value)
        if problem:
            raise ValidationError(problem)
        return value

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and (value > datetime.date.today() or value.year < 1900):
            raise ValidationError("出生日期不在合理范围内")
        if value is None and self.birth_guarded:
            return self.instance.birth_date  # left blank: the stored date (the user sees its month only) stays
        self.birth_date_typed = value is not None
        return value

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("clear_id_number"):
            cleaned["id_number"] = ""
        if cleaned.get("clear_phone"):
            cleaned["phone"] = ""
        id_number = cleaned.get("id_number")
        # The stored number of a person whose birth day the user may not see: a date typed and compared with it
        # would tell them the day, so one is refused whatever it is, and the stored date is left alone.
        hidden_birth = self.birth_guarded and not self.id_number_typed
        if hidden_birth and id_number and self.birth_date_typed and "birth_date" not in self.errors:
            self.add_error("birth_date", BIRTH_FROM_ID)
        if id_number and "id_number" not in self.errors and not id_number_problem(id_number):
            gender, birth = gender_from_id(id_number), birth_date_from_id(id_number)
            if "gender" not in self.errors:
                if not cleaned.get("gender"):
                    cleaned["gender"] = gender
                elif cleaned["gender"] != gender:
                    self.add_error("gender", "性别与身份证号不符")
            if "birth_date" not in self.errors and not hidden_birth:
                if not cleaned.get("birth_date") or (self.birth_guarded and not self.birth_date_typed):
                    cleaned["birth_date"] = birth
                elif cleaned["birth_date"] != birth:
                    self.add_error("birth_date", "出生日期与身份证号不符")
        return cleaned

    def save(self, commit=True):
        replaced = self.initial.get("photo") if "photo" in self.changed_data else None
        person = super().save(commit)
        if commit and replaced and replaced.name != person.photo.name:
            # The replaced (or cleared) photo's file goes once the change commits: nothing of it stays behind.
            storage, name = replaced.storage, replaced.name
            transaction.on_commit(lambda: storage.delete(name))
        return person

    def _save_m2m(self):
        super()._save_m2m()
        names = dict.fromkeys(name[:30] for name in split_tags(self.cleaned_data.get("tag_names")))
        unit = acting_unit(self.user, fallback=self.instance.owner_unit)
        wanted = set(self.visible_tags.ensure(names, unit=unit, user=self.user).values())
        current = set(self.instance.tags.values_list("pk", flat=True))
        # Tags of units outside the user's scope are not shown in the form, so they are kept as they are.
        wanted |= set(self.instance.tags.exclude(pk__in=self.visible_tags).values_list("pk", flat=True))
        if current != wanted:
            self.instance.tags.set(wanted)


class SocialPositionForm(forms.ModelForm):
    class Meta:
        model = SocialPosition
        fields = ["kind", "level", "title", "term_start", "term_end"]
        widgets = {"term_start": DateInput(), "term_end": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", "任期结束不能早于任期开始")
        return cleaned


SocialPositionFormSet = inlineformset_factory(
    Person, SocialPosition, form=SocialPositionForm, extra=1, can_delete=True, max_num=30, validate_max=True,
)


class AttachmentForm(forms.ModelForm):
    class Meta:
        model = Attachment
        fields = ["file"]
        error_messages = {"file": {"required": "请选择要上传的文件"}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs.update({
            "class": "form-control", "accept": ATTACHMENT_ACCEPT,
        })

    def clean_file(self):
        return clean_attachment(self.cleaned_data["file"])
