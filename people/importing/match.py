"""Matching a ledger file against the county: which rows name a person already registered (by the ID number's
keyed hash, or without one by unit, name and birth date), who of them the user may change, and the ID lookup
that this is (core.lookups, through people.lookups: audited, and refused as a whole past the guessing limit,
before anything of the check is shown)."""

from django.db import connection

from core.importing import Problem
from org.models import Unit

from .. import lookups
from ..lookups import registered_elsewhere
from ..models import Person
from .rows import INDEX, STORED_FIELDS, Existing, month_key

OUT_OF_SCOPE_NAMELESS = "该人员已在台账中登记，您无权修改，请联系县委统战部"
BATCH = 900  # ids per IN (...) list: SQLite's historical limit of 999 parameters per statement


class LedgerMatcher:
    """The matcher half of the ledger importer (people.importers.LedgerImporter)."""

    def match_existing(self, rows):
        """Attach the stored person to each row that names one; rows naming a person outside the user's
        jurisdiction become invalid, learning only which unit registered the ID number."""
        self.existing = {}
        self.outside = {}  # row key -> the unit (its name once matched) of a person outside the user's jurisdiction
        hashes = [row.id_hash for row in rows if row.id_hash]
        fields = ("pk", "id_number_hash", "owner_unit_id", "phone_hash", *STORED_FIELDS)
        for batch in among(Person.objects.all(), "id_number_hash", hashes):
            found = list(batch.values_list(*fields))
            if found:
                self._adopt(found, key=lambda values: values[1])
        nameless = [row for row in rows if not row.id_hash]
        if nameless:
            names = {row.values[INDEX["name"]] for row in nameless}
            candidates = Person.objects.filter(id_number_hash="", owner_unit__path__startswith=self.unit.path)
            if len(names) <= BATCH:
                candidates = candidates.filter(name__in=names)
            found = [values for values in candidates.values_list(*fields) if values[4] in names]
            birth = field_position("birth_date")
            # A row matches by the stored date, or by its month when the file gives the month only (as a masked
            # export writes it for a user who may not see the day).
            keyed = (lambda values: (values[2], values[4], values[birth]),
                     lambda values: (values[2], values[4], month_key(values[birth])) if values[birth] else None)
            wanted = {row.key for row in nameless}
            by_key = {}
            for values in found:
                for key_of in keyed:
                    key = key_of(values)
                    if key in wanted:
                        by_key.setdefault(key, []).append(values)
            ambiguous = {key for key, people in by_key.items() if len(people) > 1}
            for row in nameless:
                if row.key in ambiguous:
                    self.reject(row.number, [Problem(row.number, "姓名", (
                        "台账中已有多名同名、同出生年月且没有身份证号的人员，无法确定对应哪一位，请填写身份证号"))])
            for key_of in keyed:
                self._adopt([people[0] for key, people in by_key.items()
                             if key not in ambiguous and key == key_of(people[0])], key=key_of)
        if self.outside:
            units = dict(Unit.objects.filter(pk__in=set(self.outside.values())).values_list("pk", "name"))
            self.outside = {key: units.get(unit_id, "") for key, unit_id in self.outside.items()}
        for row in rows:
            if row.key in self.existing and self.existing[row.key] is None:
                if row.id_hash:
                    message = registered_elsewhere(self.outside[row.key])
                    self.reject(row.number, [Problem(row.number, "身份证号", message)])
                else:
                    self.reject(row.number, [Problem(row.number, "姓名", OUT_OF_SCOPE_NAMELESS)])
        self._load_links()

    def _adopt(self, found, key):
        pks = [values[0] for values in found]
        allowed = set()
        for batch in among(self.changeable(), "id", pks):
            allowed.update(batch.values_list("pk", flat=True))
        for values in found:
            if values[0] in allowed:
                stored = dict(zip(STORED_FIELDS, values[4:], strict=True))
                self.existing[key(values)] = Existing(values[0], stored, values[2], values[3])
            else:
                self.existing[key(values)] = None
                self.outside[key(values)] = values[2]

    def settle_lookups(self, rows):
        """The file's ID numbers are one ID lookup (people.lookups): audited, and refused as a whole — before
        anything of the check is shown — when they would take the user past the guessing limit. A number is
        a hit when the file's row matched someone (to update, or registered outside the user's scope)."""
        number = INDEX["id_number"]
        misses, hits, outside = [], [], {}
        for row in rows:
            if not row.id_hash:
                continue
            if row.key not in self.existing:
                misses.append((row.values[number], row.id_hash))
                continue
            hits.append(row.id_hash)
            if self.existing[row.key] is None:
                outside[row.id_hash] = self.outside[row.key]
        if not (misses or hits):
            return  # no ID number in the file: nothing was looked up
        source = lookups.IMPORT_CHECK if self.dry_run else lookups.IMPORT
        lookups.settle(self.user, source, misses=misses, hits=hits, outside=outside, label=self.file_name,
                       details={"文件": self.file_name, "导入单位": self.unit.name})

    def changeable(self):
        if self.user is None:
            return Person.objects.filter(owner_unit__path__startswith=self.unit.path)
        return Person.objects.visible_to(self.user, "change")

    def _load_links(self):
        by_pk = {e.pk: e for e in self.existing.values() if e is not None}
        pks = list(by_pk)
        categories, tags = Person.categories.through, Person.tags.through
        for batch in among(categories.objects.all(), "person_id", pks):
            for person_id, category_id in batch.values_list("person_id", "category_id"):
                by_pk[person_id].categories.add(category_id)
        for batch in among(tags.objects.all(), "person_id", pks):
            for person_id, tag_id in batch.values_list("person_id", "tag_id"):
                by_pk[person_id].tags.add(tag_id)


def field_position(name):
    """Position of a stored field in the values_list of match_existing."""
    return 4 + STORED_FIELDS.index(name)


def among(queryset, field, values):
    """`queryset` narrowed to `field` IN `values`, batch by batch: on PostgreSQL one array parameter per
    10,000 values (several times faster there than long IN lists), on SQLite IN lists of 900. The values
    (hashes, ids) go to the database as they are: Django's lookup would prepare each of them again."""
    values = list(values)
    model = queryset.model._meta
    column = f"{connection.ops.quote_name(model.db_table)}.{connection.ops.quote_name(model.get_field(field).column)}"
    # The column comes from the model's metadata; the values are parameters.
    if connection.vendor != "postgresql":
        for start in range(0, len(values), BATCH):
            batch = values[start:start + BATCH]
            yield queryset.extra(where=[f"{column} IN ({', '.join(['%s'] * len(batch))})"], params=batch)  # noqa: S610
        return
    for start in range(0, len(values), 10_000):
        yield queryset.extra(where=[f"{column} = ANY(%s)"], params=[values[start:start + 10_000]])  # noqa: S610
