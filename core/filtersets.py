import django_filters
from django import forms
from django.apps import apps
from django.db.models import Q

from .scope import scope_for


def _scoped_units(request):
    Unit = apps.get_model("org", "Unit")
    if request is None or not request.user.is_authenticated:
        return Unit.objects.none()
    filterset_model = getattr(request, "_filterset_model", None)
    if filterset_model is None:
        return Unit.objects.none()
    return Unit.objects.filter(scope_for(request.user, filterset_model, "view").units_q()).order_by("path")


class ScopedFilterSet(django_filters.FilterSet):
    """Search box (`q` over `search_fields`) and a unit filter that takes the unit's whole subtree.

    The unit choices are the units inside the user's scope, so the filter names no unit the user
    may not see; the list it filters is already scoped by the view.
    """

    search_fields = ()
    unit_field = "owner_unit"

    q = django_filters.CharFilter(
        label="搜索", method="filter_search",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control", "placeholder": "输入关键字"}),
    )
    unit = django_filters.ModelChoiceFilter(
        label="所属单位（含下级）", method="filter_unit", queryset=_scoped_units,
        widget=forms.Select(attrs={"class": "form-select"}), empty_label="全部",
    )

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if request is not None:
            request._filterset_model = self._meta.model
        super().__init__(data, queryset, request=request, prefix=prefix)
        for name, field in self.form.fields.items():
            if name not in ("q", "unit") and isinstance(field.widget, forms.Select):
                field.widget.attrs.setdefault("class", "form-select")
            elif name not in ("q", "unit"):
                field.widget.attrs.setdefault("class", "form-control")

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return queryset.filter(query)

    def filter_unit(self, queryset, name, unit):
        return queryset.filter(**{f"{self.unit_field}__path__startswith": unit.path})
