"""The category form (统战成员类别) of the system administrator, and the spelling rules it enforces.

The importer recognises a category by its name or any of its synonyms (people.importing.cells.CategoryMatcher),
compared case-, width- and space-insensitively. So every name and synonym must be unique across all
categories, disabled ones included: a clash would make an imported ledger ambiguous. Spellings are compared
here with the importer's own key, so the page and the importer can never disagree.
"""

from django import forms
from django.core.exceptions import ValidationError

from ..importing.cells import SEPARATORS, spelling_key
from ..models import Category

SYNONYM_SEPARATOR = "、"
NO_SEPARATORS = "子类名称中不能有“、”“，”“/”“；”、空格等符号：导入时它们用来分隔多个类别。"
STATUTORY_NAME_FIXED = "法定类别的名称不能修改（可以修改别名，或停用该类别）。"
CODE_FIXED = "类别代码由系统生成，不能修改。"


def split_synonyms(text):
    """The synonyms typed into the field, split on any separator the importer splits on, without repeats."""
    seen, result = set(), []
    for spelling in SEPARATORS.split(text or ""):
        key = spelling_key(spelling)
        if key and key not in seen:
            seen.add(key)
            result.append(spelling.strip())
    return result


def spellings_of(category):
    """[(kind, spelling)] of a category: its name, then each synonym."""
    return [("名称", category.name), *(("别名", s) for s in split_synonyms(category.synonyms))]


def spelling_owners(exclude_pk=None):
    """{key: (category, kind, spelling)} of the name and synonyms of every category but `exclude_pk`."""
    owners = {}
    for category in Category.objects.exclude(pk=exclude_pk).order_by("sort_order", "code"):
        for kind, spelling in spellings_of(category):
            owners.setdefault(spelling_key(spelling), (category, kind, spelling))
    return owners


def spelling_clashes(name, synonyms, exclude_pk=None, owners=None):
    """[(form field, Chinese message)] for each of `name` and `synonyms` another category already uses."""
    owners = spelling_owners(exclude_pk) if owners is None else owners
    problems = []
    for field, label, value in [("name", "名称", name), *(("synonyms", "别名", s) for s in synonyms)]:
        clash = owners.get(spelling_key(value)) if value else None
        if clash is None:
            continue
        other, kind, spelling = clash
        status = "（已停用）" if not other.is_active else ""
        alike = "" if spelling == value else f"“{spelling}”，视为相同写法"
        problems.append((field, (
            f"{label}“{value}”与类别“{other.name}”{status}的{kind}{f'（{alike}）' if alike else ''}重复："
            "名称和别名在所有类别中不能重复，否则导入台账时无法确定人员属于哪个类别。"
        )))
    return problems


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}" + ("（已停用）" if not obj.is_active else "")


class CategoryForm(forms.ModelForm):
    """Add a sub-type (with its statutory parent), edit a sub-type, or edit a statutory category.

    A statutory category keeps its name, code and place: only its synonyms and whether it is in use change.
    A sub-type's code is generated when it is saved (parent code + 2 digits, see people.views.categories).
    """

    parent = ParentChoiceField(
        label="所属法定类别", queryset=Category.objects.all(), required=True,
        error_messages={"required": "请选择子类所属的法定类别。",
                        "invalid_choice": "所选的上级类别不存在，请重新选择。"},
    )

    class Meta:
        model = Category
        fields = ["parent", "name", "synonyms", "sort_order", "is_active"]
        labels = {"name": "名称", "synonyms": "别名", "sort_order": "排序", "is_active": "启用"}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "off"}),
            "synonyms": forms.TextInput(attrs={"autocomplete": "off", "placeholder": "例如：个体户、个体经营者"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.instance
        self.statutory = category.is_statutory
        self.fields["synonyms"].help_text = (
            "导入台账时也能识别的其他写法，多个用“、”分隔。名称和别名在所有类别中不能重复。"
        )
        if category.pk:
            del self.fields["parent"]
        else:
            # Only statutory (top-level) categories are offered; any other choice is refused with a reason.
            top = Category.objects.filter(parent=None).order_by("sort_order", "code")
            self.fields["parent"].widget.choices = [("", "请选择"), *((c.pk, self.fields["parent"]
                                                                      .label_from_instance(c)) for c in top)]
        if self.statutory:
            del self.fields["sort_order"]
            self.fields["name"].widget.attrs["readonly"] = True
            self.fields["name"].help_text = "法定类别的名称和代码不能修改，也不能删除；本县不使用时可以停用。"
            self.fields["is_active"].help_text = (
                "停用后，录入、筛选和导入台账时不再提供该类别（其子类一并停用）；已登记人员的类别保持不变。"
            )
        else:
            self.fields["sort_order"].required = False
            self.fields["sort_order"].help_text = (
                "同一法定类别下的子类按此数字从小到大排列，相同时按代码先后。留空取默认值。"
            )
            self.fields["name"].help_text = "例如“个体工商户”。不能含“、”“，”、空格等分隔符。"
            self.fields["is_active"].help_text = (
                "停用后，录入、筛选和导入台账时不再提供该子类；已登记人员的类别保持不变。"
            )
        for field in self.fields.values():
            widget = field.widget
            css = ("form-check-input" if isinstance(widget, forms.CheckboxInput)
                   else "form-select" if isinstance(widget, forms.Select) else "form-control")
            widget.attrs["class"] = css
        if self.statutory:
            self.fields["name"].widget.attrs["class"] = "form-control-plaintext fw-bold"

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["class"] += " is-invalid"

    def parent_category(self):
        if self.instance.pk:
            return self.instance.parent
        return self.cleaned_data.get("parent")

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        if parent.parent_id is not None:
            raise ValidationError(f"“{parent.name}”本身是子类，不能在子类下再建子类，请选择一个法定类别。")
        return parent

    def clean_name(self):
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if self.statutory:
            if spelling_key(name) != spelling_key(self.instance.name):
                raise ValidationError(STATUTORY_NAME_FIXED)
            return self.instance.name
        if not name:
            raise ValidationError("请填写名称。")
        if SEPARATORS.search(name):
            raise ValidationError(NO_SEPARATORS)
        return name

    def clean_sort_order(self):
        value = self.cleaned_data.get("sort_order")
        if value is None:
            # The parent's own number: the sub-type then comes right after its parent wherever categories are
            # listed by (sort_order, code), since its code starts with the parent's.
            parent = self.parent_category()
            value = parent.sort_order if parent is not None else 0
        return value

    def clean_synonyms(self):
        return SYNONYM_SEPARATOR.join(split_synonyms(self.cleaned_data.get("synonyms")))

    def clean(self):
        cleaned = super().clean()
        if "code" in self.data and (self.data.get("code") or "").strip() != (self.instance.code or ""):
            self.add_error(None, CODE_FIXED)
        name = cleaned.get("name")
        synonyms = split_synonyms(cleaned.get("synonyms"))
        if name:
            # A synonym that only repeats the category's own name is dropped, not refused.
            synonyms = [s for s in synonyms if spelling_key(s) != spelling_key(name)]
            cleaned["synonyms"] = SYNONYM_SEPARATOR.join(synonyms)
        for field, message in spelling_clashes(name, synonyms, exclude_pk=self.instance.pk):
            if field in self.fields:
                self.add_error(field, message)
            else:
                self.add_error(None, message)
        parent = self.parent_category() if not self.statutory else None
        if parent is not None and cleaned.get("is_active") and not parent.is_active:
            self.add_error("is_active",
                           f"所属法定类别“{parent.name}”已停用，其下的子类不能启用；请先启用“{parent.name}”。")
        return cleaned
