"""A list endpoint takes the query parameters of its list page and applies them with the page's FilterSet."""

from datetime import date
from typing import Literal

import django_filters
from django.http import QueryDict
from ninja import Schema
from pydantic import Field, create_model

from .errors import FormInvalid


def _annotation(filter_):
    """The type the OpenAPI schema gives one filter's parameter (the FilterSet still decides what it means)."""
    if isinstance(filter_, django_filters.ModelMultipleChoiceFilter):
        return list[int]
    if isinstance(filter_, django_filters.MultipleChoiceFilter):
        return list[str]
    if isinstance(filter_, django_filters.ModelChoiceFilter):
        return int
    if isinstance(filter_, django_filters.ChoiceFilter):
        choices = filter_.extra.get("choices")
        if isinstance(choices, list | tuple):
            values = tuple(str(value) for value, _ in choices if str(value) != "")
            if values:
                return Literal[values]
        return str
    if isinstance(filter_, django_filters.BooleanFilter):
        return bool
    if isinstance(filter_, django_filters.NumberFilter):
        return float
    if isinstance(filter_, django_filters.DateFilter):
        return date
    return str


def filter_schema(filterset_class, name):
    """A ninja Schema of the FilterSet's parameters (every one optional), for `filters: Query[...]`."""
    fields = {
        field_name: (_annotation(filter_) | None, Field(None, description=str(filter_.label or field_name)))
        for field_name, filter_ in filterset_class.base_filters.items()
    }
    return create_model(name, __base__=Schema, **fields)


def apply_filters(request, filterset_class, queryset, filters):
    """`queryset` (already scoped) narrowed by `filters` exactly as the list page narrows it; 422 naming the
    parameter for a value the page's filter form refuses."""
    data = QueryDict(mutable=True)
    for key, value in filters.dict(exclude_none=True).items():
        values = value if isinstance(value, list) else [value]
        data.setlist(key, [_as_query_value(v) for v in values])
    filterset = filterset_class(data, queryset=queryset, request=request)
    if not filterset.is_valid():
        raise FormInvalid(filterset.form, "筛选条件有误。")
    return filterset.qs


def _as_query_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
