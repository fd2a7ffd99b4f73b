"""Saving a validated model form as a user, inside the user's data scope: the one write path of the pages
(core.views.ObjectEditView) and of the REST API (core.api.forms), so both validate, record history and audit
the same way."""

import inspect

from django.db import transaction

from . import audit
from .models import AuditEvent

OUTSIDE_SCOPE = "保存后该记录将不在您的数据范围内，修改已撤销。请检查“所属单位”等字段。"


def save_in_scope(form, user, *, values_before=None, after_save=None, extra_changes=None):
    """Save `form` (valid) as `user`; True when saved. `after_save(obj)` runs in the same transaction (related
    rows such as formsets). The save and the scope check share that transaction: a save that would put the
    record outside what the user may add or change is rolled back, audited as refused, and explained on the
    form (False). `values_before` (core.audit.snapshot of the instance before the form touched it) gives the
    audit diff of an update; `extra_changes` ({label: text}) is recorded with it (say, why the change was
    made)."""
    obj = form.instance
    model = type(obj)
    creating = obj.pk is None
    action = "add" if creating else "change"
    event = AuditEvent.Action.CREATE if creating else AuditEvent.Action.UPDATE
    concrete = {f.name for f in model._meta.concrete_fields}
    tracked = [name for name in form.changed_data if name in concrete]
    with transaction.atomic():
        if creating:
            obj.created_by = user
        obj.updated_by = user
        saved = form.save()
        inside = user.can(action, saved)
        if inside:
            if after_save is not None:
                after_save(saved)
            changes = audit.field_changes(saved, values_before or {}, tracked) if not creating else {}
            audit.record(event, obj=saved, changes={**changes, **(extra_changes or {})})
        else:
            transaction.set_rollback(True)
    if inside:
        return True
    if creating:
        form.instance.pk = None
    audit.record(event, success=False, object_type=model._meta.label, label="超出数据范围，已撤销")
    form.add_error(None, OUTSIDE_SCOPE)
    return False


def accepts_user(form_class):
    """Whether the form takes the acting user (`user=`): scoped choices and checks need it."""
    return "user" in inspect.signature(form_class.__init__).parameters
