"""What the view tests are about: the route kinds, the actions they need, and the role cases."""

import logging
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, models
from django.utils import timezone

from core.fields import EncryptedCharField

# The order kinds are tested and reported in, and the business action each needs by default.
KIND_ACTIONS = {"list": "view", "detail": "view", "add": "add", "edit": "change", "delete": "delete",
                "export": "export", "autocomplete": "view"}
OBJECT_KINDS = ("detail", "edit", "delete")  # routes of one object (its pk in the URL)
WRITE_KINDS = ("add", "edit", "delete")  # routes whose POST changes something


@dataclass(frozen=True)
class RoleCase:
    """A user the views are checked against. `sees` and `hidden` name fixture objects ("inside", "outside",
    "own"): the first seen one is the object its pages are opened on."""

    name: str
    user: object
    actions: frozenset
    unit: object  # where it creates records
    sees: tuple = ()
    hidden: tuple = ()


@contextmanager
def quiet_request_log():
    """Refusals (403/404) are expected here by the dozen: their warnings would bury real problems."""
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def role_test(role, kind):
    def test(self):
        self.check_role(role, kind)

    test.__name__ = f"test_{role}_{kind}"
    test.__doc__ = f"{role} on the {kind} route: what the role grants, inside and outside its scope."
    return test


def compare_values(instance, model_field, value):
    """(saved, posted) in comparable form."""
    if model_field.many_to_many:
        posted = value if isinstance(value, list | tuple) else [value]
        return (sorted(getattr(instance, model_field.name).values_list("pk", flat=True)),
                sorted(int(v) for v in posted if v not in ("", None)))
    actual = getattr(instance, model_field.attname)
    if model_field.is_relation:
        return actual, None if value in ("", None) else int(value)
    if isinstance(value, list | tuple):
        return sorted(map(str, actual or [])), sorted(map(str, value))
    if value in ("", None):
        return actual, None if model_field.null else ("" if isinstance(model_field, models.CharField | models.TextField)
                                                      else model_field.get_default())
    if isinstance(model_field, models.BooleanField):
        return actual, value in (True, "on", "true", "True", "1", 1)
    if isinstance(model_field, EncryptedCharField):
        return actual, model_field.normalize(value) if model_field.normalize else value
    posted = model_field.to_python(value)
    if isinstance(model_field, models.DateTimeField) and timezone.is_naive(posted):
        posted = timezone.make_aware(posted)
    return actual, posted


def stored_value(instance, model_field):
    """The column as the database holds it (the ciphertext of an encrypted field)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(model_field.column)} FROM {quote(instance._meta.db_table)} "  # noqa: S608
                       f"WHERE {quote(instance._meta.pk.column)} = %s", [instance.pk])
        return cursor.fetchone()[0] or ""
