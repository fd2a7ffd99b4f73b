from django import forms
from django.apps import apps
from django.db.models import Q

from .scope import scope_for


class ScopedModelForm(forms.ModelForm):
    """A ModelForm whose unit choices are limited to the units the user may put records in."""

    unit_fields = ("owner_unit",)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        action = "change" if self.instance.pk else "add"
        scope = scope_for(user, self._meta.model, action)
        Unit = apps.get_model("org", "Unit")
        units = Unit.objects.filter(scope.units_q(), is_active=True)
        if scope.user_ids and user.unit_id:
            units = Unit.objects.filter(scope.units_q() | Q(pk=user.unit_id), is_active=True)
        for name in self.unit_fields:
            if name in self.fields:
                self.fields[name].queryset = units.order_by("path")
                # self.initial (built from the unsaved instance) wins over field.initial, so set it there.
                if not self.instance.pk and not self.initial.get(name) and units.filter(pk=user.unit_id).exists():
                    self.initial[name] = user.unit_id


def style(form):
    """Tabler classes on every widget (includes/form_fields.html renders fields as they come), and
    "请选择" instead of Django's dashes for an empty choice."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(field, forms.ModelChoiceField) and not isinstance(field, forms.ModelMultipleChoiceField):
            if field.empty_label is not None:
                field.empty_label = "请选择"
        elif isinstance(field, forms.ChoiceField) and not isinstance(
                field, forms.MultipleChoiceField | forms.ModelChoiceField):
            field.choices = [(v, "请选择" if v == "" else label) for v, label in field.choices]
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class DateInput(forms.DateInput):
    """An HTML date input (the browser's own picker), its value in ISO form."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def unit_label_map(units):
    """Each unit's name with its ancestors below the county, e.g. "东溪镇 / 东溪村", from one query.

    `units`: a QuerySet of the org tree's units (its model gives the tree: path, depth, steplen)."""
    Unit = units.model
    by_path = {u.path: u for u in Unit.objects.only("path", "name", "short_name", "depth")}
    labels = {}
    for unit in units:
        parts = []
        for depth in range(2, unit.depth + 1):
            ancestor = by_path.get(unit.path[: depth * Unit.steplen])
            if ancestor is not None:
                parts.append(ancestor.name)
        labels[unit.pk] = " / ".join(parts) or unit.name
    return labels


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker whose options name each unit with its ancestors (unit_label_map)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._labels = None

    def label_from_instance(self, obj):
        if self._labels is None:
            self._labels = unit_label_map(self.queryset)
        return self._labels.get(obj.pk, obj.name)
