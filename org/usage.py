"""What still refers to a unit: the checks behind deactivating and deleting units.

Only numbers leave this module. The system administrator reads no business data (三员分立): the
messages say "12 条样例记录", never which records. The counts bypass `visible_to` on purpose — they
must see every row, whoever asks — and nothing but the count is returned.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from core.models import AuditEvent, BusinessModel

from .models import Unit


@dataclass(frozen=True)
class Usage:
    label: str  # "账号", "样例记录"
    count: int
    measure: str = "条"

    def __str__(self):
        return f"{self.count} {self.measure}{self.label}"


def business_models():
    """Every concrete model holding business records (they all subclass `core.models.BusinessModel`)."""
    return [m for m in apps.get_models() if issubclass(m, BusinessModel)]


def describe(usages):
    """"3 个账号、12 条样例记录"."""
    return "、".join(str(u) for u in usages)


def records_in_subtree(unit):
    """What blocks deactivating `unit`: accounts in use and business records anywhere in its subtree.

    Disabled accounts do not count: they can no longer sign in, and a county winding up a unit must be
    able to deactivate it although its old accounts stay (accounts are never deleted, for the audit log).
    """
    usages = []
    users = get_user_model().objects.filter(unit__path__startswith=unit.path, is_active=True).count()
    if users:
        usages.append(Usage("账号", users, "个"))
    for model in business_models():
        count = model._base_manager.filter(owner_unit__path__startswith=unit.path).count()
        if count:
            usages.append(Usage(str(model._meta.verbose_name), count, _measure(model)))
    return usages


def references_to(unit):
    """What blocks deleting `unit`: every row of any model that points at this very unit.

    Found generically from the reverse relations, so a model added later is covered without a change
    here. The audit log and history tables are left out: they keep the old unit id as history.
    """
    usages = []
    for relation in Unit._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete) or relation.many_to_many:
            continue
        related = relation.related_model
        # DO_NOTHING marks a reference kept only as history (the audit log, simple_history's tables): it
        # outlives the unit by design and never blocks deleting it.
        if related is AuditEvent or relation.on_delete is models.DO_NOTHING:
            continue
        count = related._base_manager.filter(**{relation.field.name: unit}).count()
        if not count:
            continue
        usages.append((_rank(related), _usage_for(related, relation.field, count)))
    # Accounts first, then business records, then the rest (grants, ...), as the deactivation message does.
    return _merged([usage for _, usage in sorted(usages, key=lambda pair: pair[0])])


def _rank(model):
    if model is get_user_model():
        return 0
    return 1 if issubclass(model, BusinessModel) else 2


def _usage_for(model, field, count):
    if model is get_user_model():
        return Usage("账号", count, "个")
    if model._meta.auto_created:  # the table behind a many-to-many field, e.g. Grant.units
        owner = model._meta.auto_created
        m2m = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return Usage(f"{owner._meta.verbose_name}（{m2m.verbose_name}）", count)
    return Usage(str(model._meta.verbose_name), count, _measure(model))


def _measure(model):
    """The counting word for a model's rows: "条" unless the model says otherwise (`count_measure = "名"`)."""
    return getattr(model, "count_measure", "条")


def _merged(usages):
    totals = {}
    for usage in usages:
        key = (usage.label, usage.measure)
        totals[key] = totals.get(key, 0) + usage.count
    return [Usage(label, count, measure) for (label, measure), count in totals.items()]


def active_descendants(unit):
    return Unit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth, is_active=True)
