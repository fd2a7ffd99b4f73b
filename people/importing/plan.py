"""What a checked ledger writes: for each row, a new person, an update of the person it matched (filling empty
fields, or overwriting them, as the user chose; categories and tags added) or nothing; and the tags the 标签
column names."""

from core.importing.framework import Plan

from ..models import Tag, acting_unit
from .rows import VALUE_FIELDS, month_precise

UPDATE_POLICIES = {
    "fill": "补充空白字段（已有内容不变，类别和标签只增不减）",
    "overwrite": "以文件为准覆盖（文件中的空白单元格不会清空已有内容）",
    "skip": "跳过已登记的人员",
}


class LedgerPlan(Plan):
    """create: [Row]; update: [(Row, Existing, {field: value}, categories or None, [new tag names])]."""

    def __init__(self):
        super().__init__()
        self.tag_ids = {}


class LedgerPlanner:
    """The planning half of the ledger importer (people.importers.LedgerImporter)."""

    def plan(self, rows):
        plan = LedgerPlan()
        names = {t for row in rows if row.number not in self.invalid for t in (row.tags or ())}
        tag_ids = self.visible_tags().lookup(names, unit=self.tag_unit())
        plan.tag_ids = tag_ids
        overwrite = self.update == "overwrite"
        for row in rows:
            if row.number in self.invalid:
                continue
            existing = self.existing.get(row.key)
            if existing is None:
                plan.create.append(row)
                continue
            if self.update == "skip":
                plan.unchanged += 1
                plan.skipped += 1
                continue
            changes = {}
            stored = existing.values
            for index, name in enumerate(VALUE_FIELDS):
                new = row.values[index]
                if new is None or name == "id_number":
                    continue
                if name == "phone":
                    if row.phone_hash != existing.phone_hash and (overwrite or not existing.phone_hash):
                        changes["phone"] = new
                    continue
                old = stored[name]
                if name == "birth_date" and month_precise(row) and old is not None:
                    continue  # matched by its month: the stored day is kept
                if new != old and (overwrite or old in ("", None, False)):
                    changes[name] = new
            if overwrite and row.unit_named and row.unit_id != existing.unit_id:
                changes["owner_unit_id"] = row.unit_id
            categories = None
            if row.categories is not None:
                wanted = set(row.categories) if overwrite else existing.categories | row.categories
                if wanted != existing.categories:
                    categories = wanted
            new_tags = [t for t in (row.tags or ()) if tag_ids.get(t) not in existing.tags]
            if changes or categories is not None or new_tags:
                plan.update.append((row, existing, changes, categories, new_tags))
            else:
                plan.unchanged += 1
        return plan

    def visible_tags(self):
        """The tags a name in the 标签 column may mean: those the user sees (the unit's subtree's without one)."""
        if self.user is None:
            return Tag.objects.filter(owner_unit__path__startswith=self.unit.path)
        return Tag.objects.visible_to(self.user)

    def tag_unit(self):
        """Where a new tag of the 标签 column belongs: the user's unit, else the unit imported into."""
        return acting_unit(self.user, fallback=self.unit)
