"""A write of the REST API is the page's form bound to the JSON body, saved like the page saves it."""

from datetime import date, datetime, time

from django.db.models import Model

from .. import audit, editing
from .errors import FormInvalid


def form_data(form, payload):
    """The form's data for `payload` (a request body Schema, or a dict of what the body set). An update sends only
    the fields it changes: every field the body leaves out keeps what the record holds (the unbound form `form`'s
    values, as if the page had been submitted unchanged; None for a new record), and a field sent as null is
    cleared, like an input emptied on the page."""
    if hasattr(payload, "model_dump"):
        payload = payload.model_dump(exclude_unset=True)
    data = {}
    if form is not None and form.instance.pk is not None:
        for name, field in form.fields.items():
            if not field.disabled:
                data[name] = _as_data(form[name].value())
    data.update({name: "" if value is None else _as_data(value) for name, value in payload.items()})
    return data


def _as_data(value):
    if isinstance(value, list | tuple):
        return [_as_data(v) for v in value]
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def save_form(request, form_class, payload, *, instance=None, change_reason="", **form_kwargs):
    """Validate `payload` (the request body Schema, or a dict of form field → value) with `form_class` and save it
    as the request's user,
    inside their scope (core.editing). Returns the saved object; 422 with the form's messages otherwise.
    `change_reason` goes into the record's history like the page's ("新增", "编辑")."""
    if editing.accepts_user(form_class):
        form_kwargs["user"] = request.user
    # Taken before the form writes the submitted values onto the instance, for the audit diff.
    values_before = audit.snapshot(instance, [f.name for f in instance._meta.concrete_fields]) if instance else None
    unbound = form_class(instance=instance, **form_kwargs) if instance is not None else None
    form = form_class(data=form_data(unbound, payload), instance=instance, **form_kwargs)
    if not form.is_valid():
        raise FormInvalid(form)
    if change_reason:
        form.instance._change_reason = change_reason
    if not editing.save_in_scope(form, request.user, values_before=values_before):
        raise FormInvalid(form, editing.OUTSIDE_SCOPE)
    return form.instance
