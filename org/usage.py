"""What still refers to a unit: the checks behind deactivating and deleting units.

Only the kinds of things in use leave this module, never how many: the system administrator reads no
business data (三员分立), so the messages say "仍有业务数据（统战成员）", not how many people a village
holds. The checks bypass `visible_to` on purpose — they must see every row, whoever asks — and each
asks the database only whether a row exists.
"""

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from core.models import AuditEvent, BusinessModel

from .models import Unit


@dataclass(frozen=True)
class Usage:
    label: str  # "账号", "样例记录", "授权（自定义单位）"
    business: bool = False  # a kind of business record: named only inside "业务数据（…）"


def business_models():
    """Every concrete model holding business records (they all subclass `core.models.BusinessModel`)."""
    return [m for m in apps.get_models() if issubclass(m, BusinessModel)]


def describe(usages):
    """"账号、业务数据（统战成员、活动）、授权（自定义单位）": accounts first, then business records, then the rest."""
    usages = list(dict.fromkeys(usages))
    business = [u.label for u in usages if u.business]
    parts = [u.label for u in usages if not u.business and u.label == "账号"]
    if business:
        parts.append(f"业务数据（{'、'.join(business)}）")
    parts += [u.label for u in usages if not u.business and u.label != "账号"]
    return "、".join(parts)


def records_in_subtree(unit):
    """What blocks deactivating `unit`: accounts in use and business records anywhere in its subtree.

    Disabled accounts do not count: they can no longer sign in, and a county winding up a unit must be
    able to deactivate it although its old accounts stay (accounts are never deleted, for the audit log).
    """
    usages = []
    if get_user_model().objects.filter(unit__path__startswith=unit.path, is_active=True).exists():
        usages.append(Usage("账号"))
    for model in business_models():
        if model._base_manager.filter(owner_unit__path__startswith=unit.path).exists():
            usages.append(Usage(str(model._meta.verbose_name), business=True))
    return usages


def references_to(unit):
    """What blocks deleting `unit`: any row of any model that points at this very unit.

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
        if related._base_manager.filter(**{relation.field.name: unit}).exists():
            usages.append(_usage_for(related))
    return usages


def _usage_for(model):
    if model is get_user_model():
        return Usage("账号")
    if model._meta.auto_created:  # the table behind a many-to-many field, e.g. Grant.units
        owner = model._meta.auto_created
        m2m = next(f for f in owner._meta.many_to_many if f.remote_field.through is model)
        return Usage(f"{owner._meta.verbose_name}（{m2m.verbose_name}）")
    return Usage(str(model._meta.verbose_name), business=issubclass(model, BusinessModel))


def active_descendants(unit):
    return Unit.objects.filter(path__startswith=unit.path, depth__gt=unit.depth, is_active=True)
