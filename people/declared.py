"""Changes a person declares about themselves (本人申报, the selfservice app asks for them), checked and applied
through the person edit form (PersonForm): the same rules as an edit on the person's page, nothing of the record
but the declared fields touched, and the history entry carrying the declaration's reason.

A social position (社会职务) declared is added through the positions' own form (SocialPositionForm).
"""

from django import forms
from django.db import transaction

from core import audit, editing
from core.models import AuditEvent

from .forms import PersonForm, SocialPositionForm
from .models import Person, SocialPosition

# The fields of a person their holder may declare a change of: contact details, workplace and post, education.
DECLARABLE_FIELDS = ("phone", "address", "workplace", "position", "education", "degree")


def _edit_form(person, user, values):
    """PersonForm bound to `person`'s current values with `values` ({field name: text}) in place."""
    current = PersonForm(instance=person, user=user)
    data = {}
    for name, field in current.fields.items():
        if isinstance(field, forms.FileField):
            continue  # not sent: the stored photo stays
        value = current[name].value()
        if value is None or value is False:
            continue
        data[name] = value
    data.update(values)
    return PersonForm(data, {}, instance=person, user=user)


def declared_change_problems(person, user, values):
    """[message] the person edit form finds in the declared `values` (an empty list: they are acceptable),
    judged on a copy of the record: nothing is saved."""
    unknown = set(values) - set(DECLARABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not declarable: {sorted(unknown)}")
    form = _edit_form(Person.objects.get(pk=person.pk), user, values)
    form.is_valid()
    return [message for name in values for message in form.errors.get(name, [])]


def declared_position_problems(values):
    """[message] the social position form finds in `values` (kind, level, title, term_start, term_end)."""
    form = SocialPositionForm(values)
    return [] if form.is_valid() else [m for messages in form.errors.values() for m in messages]


@transaction.atomic
def apply_declared_change(person, user, values, reason):
    """Apply the declared `values` to `person` as `user` (who may change the person), the history entry
    reading `reason`. Returns [problem messages]; nothing is saved when there are any."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(person, [f.name for f in Person._meta.concrete_fields])
    form = _edit_form(person, user, values)
    if not form.is_valid():
        errors = form.errors
        return [m for name in errors for m in errors[name]]
    form.instance._change_reason = reason
    if not editing.save_in_scope(form, user, values_before=before, extra_changes={"原因": reason}):
        return list(form.non_field_errors())
    return []


@transaction.atomic
def add_declared_position(person, user, values, reason):
    """Add the declared social position to `person`; the person's history gets an entry reading `reason`.
    Returns [problem messages]; nothing is saved when there are any."""
    form = SocialPositionForm(values, instance=SocialPosition(person=person))
    if not form.is_valid():
        return [m for messages in form.errors.values() for m in messages]
    position = form.save()
    person = Person.objects.select_for_update().get(pk=person.pk)
    person.updated_by = user
    person._change_reason = reason
    person.save()
    audit.record(AuditEvent.Action.UPDATE, obj=person, changes={"社会职务": ["", str(position)], "原因": reason})
    return []
