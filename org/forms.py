
from django import forms

from core.importing import normalise_text

from .models import Unit
from .services import (
    activation_problems,
    deactivation_problems,
    deletion_problems,
    division_code_problem,
    move_problems,
    parent_of,
    sibling_name_problem,
)

DIVISION_CODE_HELP = "6位（县区）、9位（镇街）或12位（村社）数字；没有可留空。"


class UnitForm(forms.ModelForm):
    """Create (pass `parent`, None for a root) or edit a unit. Position in the tree is changed by moving."""

    division_code = forms.CharField(label="区划代码", required=False, help_text=DIVISION_CODE_HELP)

    class Meta:
        model = Unit
        fields = ["name", "short_name", "type", "division_code", "sort_order", "is_active"]
        help_texts = {
            "short_name": "在列表、报表等位置代替全称显示，可留空。",
            "sort_order": "同一上级下按排序号从小到大、再按名称排列。",
            "is_active": "停用的单位不能再被选作业务记录的所属单位。",
        }

    def __init__(self, *args, parent=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = self.instance.pk is None
        self.parent = parent if self.creating else parent_of(self.instance)
        self.fields["name"].widget.attrs.update(autocomplete="off")
        self.fields["division_code"].widget.attrs.update(inputmode="numeric", autocomplete="off", maxlength=12)
        self.fields["division_code"].initial = self.instance.division_code or ""
        self.fields["type"].choices = Unit.Type.choices
        for name, field in self.fields.items():
            css = "form-check-input" if name == "is_active" else (
                "form-select" if name == "type" else "form-control")
            field.widget.attrs.setdefault("class", css)

    def clean_name(self):
        name = normalise_text(self.cleaned_data["name"])
        problem = sibling_name_problem(name, self.parent, exclude_pk=self.instance.pk)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean_short_name(self):
        return normalise_text(self.cleaned_data.get("short_name") or "")

    def clean_division_code(self):
        code = normalise_text(self.cleaned_data.get("division_code") or "")
        if not code:
            return None
        problem = division_code_problem(code, exclude_pk=self.instance.pk)
        if problem:
            raise forms.ValidationError(problem)
        return code

    def clean(self):
        cleaned = super().clean()
        active = cleaned.get("is_active")
        if self.creating:
            if active and self.parent is not None and not self.parent.is_active:
                self.add_error("is_active", f"上级单位“{self.parent.name}”已停用，不能在其下新增启用的单位。")
        elif active is not None and active != self.initial.get("is_active"):
            unit = Unit.objects.get(pk=self.instance.pk)
            problems = deactivation_problems(unit, False, from_edit=True) if not active else activation_problems(unit)
            for problem in problems:
                self.add_error("is_active", problem)
        return cleaned


def unit_choice_label(unit):
    code = f" [{unit.division_code}]" if unit.division_code else ""
    inactive = "（已停用）" if not unit.is_active else ""
    return f"{'　' * (unit.depth - 1)}{unit.name}{code}{inactive}"


class MoveForm(forms.Form):
    parent = forms.TypedChoiceField(label="新的上级单位", coerce=int, required=False, empty_value=None,
                                    help_text="该单位连同全部下级单位一起移动，排在新上级单位的最后。")

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        units = list(Unit.objects.order_by("path"))
        self.units = {u.pk: u for u in units}
        top = ("", "（无上级，作为顶级单位）")
        # Every unit is a valid value, so that choosing the unit itself or one of its descendants is refused
        # with a message saying why; the list offered only holds the allowed ones.
        self.fields["parent"].choices = [top] + [(u.pk, unit_choice_label(u)) for u in units]
        self.fields["parent"].widget.choices = [top] + [
            (u.pk, unit_choice_label(u)) for u in units if not u.path.startswith(unit.path)
        ]
        current = parent_of(unit)
        self.fields["parent"].initial = current.pk if current else ""
        self.fields["parent"].widget.attrs.update({"class": "form-select", "data-tom-select": ""})

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        parent = self.units.get(pk) if pk is not None else None
        for problem in move_problems(self.unit, parent):
            raise forms.ValidationError(problem)
        return parent


class DeactivateForm(forms.Form):
    include_descendants = forms.BooleanField(label="同时停用全部下级单位", required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["include_descendants"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        for problem in deactivation_problems(self.unit, cleaned.get("include_descendants", False)):
            self.add_error(None, problem)
        return cleaned


class ActivateForm(forms.Form):
    include_descendants = forms.BooleanField(label="同时启用全部已停用的下级单位", required=False)

    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.fields["include_descendants"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        cleaned = super().clean()
        for problem in activation_problems(self.unit):
            self.add_error(None, problem)
        return cleaned


class DeleteForm(forms.Form):
    def __init__(self, *args, unit, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit = unit
        self.problems = deletion_problems(unit)

    def clean(self):
        for problem in self.problems:
            self.add_error(None, problem)
        return super().clean()

