"""A person's history (django-simple-history) as the history tab shows it: who, when, what changed, why.

Sensitive values appear masked; the history of categories (an m2m) is compared from prefetched rows, so
the tab costs a fixed number of queries however long the history is.
"""

import datetime
from dataclasses import dataclass, field

from core.fields import EncryptedCharField
from org.models import Unit

from .models import Category, Person
from .privacy import birth_date_text

NOT_SHOWN = {"created_by", "updated_by", "created_at", "updated_at", "id"}
# Records of one save and its m2m updates (categories.set() writes several) are shown as one entry.
MERGE_WINDOW = datetime.timedelta(seconds=5)
KIND_LABELS = {"+": "新建", "~": "修改", "-": "删除"}


@dataclass
class Entry:
    when: datetime.datetime
    user: object
    kind: str
    reason: str
    changes: dict = field(default_factory=dict)  # label -> [old, new]

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, "修改")

    @property
    def rows(self):
        return [(label, old, new) for label, (old, new) in self.changes.items()]


def history_entries(person, limit=200, birth_day=True):
    """Newest first. Without `birth_day`, birth dates show their month only (people.privacy)."""
    records = list(
        person.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit]
    )
    records.reverse()
    category_rows = _category_rows(records)
    units, categories = _names(records, category_rows)
    entries = []
    previous = None
    for record in records:
        if previous is None:
            changes = {}
        else:
            delta = record.diff_against(previous, excluded_fields=NOT_SHOWN | {"categories"})
            changes = {}
            for change in delta.changes:
                model_field = Person._meta.get_field(change.field)
                changes[str(model_field.verbose_name)] = [
                    _display(model_field, change.old, units, birth_day),
                    _display(model_field, change.new, units, birth_day),
                ]
            old_cats, new_cats = category_rows.get(previous.pk, []), category_rows.get(record.pk, [])
            if old_cats != new_cats:
                changes["类别"] = [_join(old_cats, categories), _join(new_cats, categories)]
        reason = record.history_change_reason or ""
        last = entries[-1] if entries else None
        if (last is not None and last.user == record.history_user and last.reason == reason
                and record.history_date - last.when <= MERGE_WINDOW and record.history_type != "-"):
            for label, (old, new) in changes.items():
                if label in last.changes:
                    last.changes[label][1] = new
                else:
                    last.changes[label] = [old, new]
            last.changes = {k: v for k, v in last.changes.items() if v[0] != v[1]}
            last.when = record.history_date
            previous = record
            continue
        if previous is not None and not changes and record.history_type == "~" and not reason:
            previous = record
            continue
        entries.append(Entry(record.history_date, record.history_user, record.history_type, reason, changes))
        previous = record
    entries.reverse()
    return entries


def _category_rows(records):
    """{historical record id: sorted category ids} for every record, from one query."""
    through = _m2m_history_model()
    rows = {}
    for history_id, category_id in through.objects.filter(history__in=[r.pk for r in records]).values_list(
        "history_id", "category_id"
    ):
        rows.setdefault(history_id, []).append(category_id)
    return {k: sorted(v) for k, v in rows.items()}


def _m2m_history_model():
    """The table simple-history keeps each historical record's categories in (HistoricalPerson_categories)."""
    historical = Person.history.model
    return next(
        rel.related_model for rel in historical._meta.related_objects
        if rel.related_model._meta.object_name == f"{historical._meta.object_name}_categories"
    )


def _names(records, category_rows):
    unit_ids = {r.owner_unit_id for r in records}
    category_ids = {pk for ids in category_rows.values() for pk in ids}
    units = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "name"))
    categories = dict(Category.objects.filter(pk__in=category_ids).values_list("pk", "name"))
    return units, categories


def _join(ids, names):
    return "、".join(names.get(pk, str(pk)) for pk in ids)


def _display(model_field, value, units, birth_day=True):
    if value in (None, ""):
        return ""
    if model_field.name == "birth_date":
        return birth_date_text(value, day=birth_day)
    if isinstance(model_field, EncryptedCharField):
        return model_field.masked(value)
    if model_field.name == "owner_unit":
        return units.get(value, f"（已删除的单位 {value}）")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if model_field.name == "photo":
        return "已上传"
    return str(value)
