"""Writing a planned ledger import in bulk: people inserted in chunks through a staging table (SQLite; Django's
`bulk_create` there sends 999 parameters per statement, i.e. 30 people) or COPY (PostgreSQL), with ids reserved
up front so that categories and history can refer to them; each ID number and phone encrypted once; updates
grouped by the fields they change; history rows (django-simple-history, change reason "Excel导入：<file name>")
copied inside the database from the rows just written (INSERT … SELECT), with their categories."""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from itertools import islice

from django.db import connection
from django.utils import timezone

from core import crypto

from ..models import Person
from .match import BATCH
from .rows import INDEX, VALUE_FIELDS

WRITE_CHUNK = 5000


class LedgerWriter:
    """The writing half of the ledger importer (people.importers.LedgerImporter)."""

    def write(self, plan):
        """Insert the new people and update the matched ones, with their categories, tags and history, in bulk
        (inside the framework's transaction, which also holds the audit event)."""
        reason = f"Excel导入：{self.file_name}"[:100]
        user_id = self.user.pk if self.user is not None else None
        with sqlite_cache():
            tag_ids = self.ensure_tags(plan)
            writer = SqlWriter(timezone.now(), user_id, self.pinyin)
            history_from = writer.history_watermark()
            created = writer.insert_people(plan.create)
            writer.insert_links(
                Person.categories.through, "category_id",
                ((pk, c) for pk, row in zip(created, plan.create, strict=True) for c in (row.categories or ())),
            )
            writer.insert_links(
                Person.tags.through, "tag_id",
                ((pk, tag_ids[t]) for pk, row in zip(created, plan.create, strict=True) for t in (row.tags or ())),
            )
            self.report_progress(len(plan.create), len(plan.create) + len(plan.update), "write")
            changed = writer.update_people(plan.update, tag_ids)
            writer.copy_history(created, "+", reason, history_from)
            writer.copy_history(changed, "~", reason, history_from)

    def ensure_tags(self, plan):
        names = {t for row in plan.create for t in (row.tags or ())}
        names.update(t for update in plan.update for t in update[4])
        missing = sorted(names - set(plan.tag_ids))
        if missing:
            plan.tag_ids.update(self.visible_tags().ensure(missing, unit=self.tag_unit(), user=self.user))
        return plan.tag_ids


@contextmanager
def sqlite_cache(kib=64 * 1024):
    """A bigger SQLite page cache while writing: the person table's nine indexes then stay in memory (the
    default 2 MB cache makes a 100,000-row insert about 40 % slower). Restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class SqlWriter:
    """Bulk SQL for one import, inside the caller's transaction."""

    def __init__(self, now, user_id, pinyin):
        self.ops = connection.ops
        self.quote = connection.ops.quote_name
        self.vendor = connection.vendor
        self.now = now
        self.now_db = self.ops.adapt_datetimefield_value(now)
        self.user_id = user_id
        self.pinyin = pinyin
        self.encrypt = crypto.encrypter()
        self.dates = {}

    def date(self, value):
        if value is None:
            return None
        adapted = self.dates.get(value)
        if adapted is None:
            adapted = self.dates[value] = self.ops.adapt_datefield_value(value)
        return adapted

    # people

    def insert_people(self, rows):
        """Insert new people; returns their ids in the order of `rows`."""
        if not rows:
            return []
        fields = Person._meta.concrete_fields
        columns = [f.column for f in fields]
        slot = {f.attname: index for index, f in enumerate(fields)}
        defaults = {f.attname: f.get_default() for f in fields}
        defaults.update(created_at=self.now_db, updated_at=self.now_db, created_by_id=self.user_id,
                        updated_by_id=self.user_id, photo="")
        template = [defaults[f.attname] for f in fields]
        plain = [(index, slot[name]) for index, name in enumerate(VALUE_FIELDS)
                 if name not in ("birth_date", "affiliation_date", "id_number", "phone", "tier")]
        dates = [(INDEX[name], slot[name]) for name in ("birth_date", "affiliation_date")]
        tier, tier_default = INDEX["tier"], defaults["tier"]
        id_slot, unit_slot, tier_slot = slot["id"], slot["owner_unit_id"], slot["tier"]
        pinyin_slot, initials_slot = slot["name_pinyin"], slot["name_initials"]
        id_slots = (slot["id_number"], slot["id_number_hash"], INDEX["id_number"])
        phone_slots = (slot["phone"], slot["phone_hash"], INDEX["phone"])
        name_index = INDEX["name"]
        encrypt = self.encrypt
        ids = self.reserve_ids(len(rows))

        def values(pk, row):
            record = template[:]
            given = row.values
            for index, position in plain:
                value = given[index]
                if value is not None:
                    record[position] = value
            for index, position in dates:
                if given[index] is not None:
                    record[position] = self.date(given[index])
            record[id_slot] = pk
            record[unit_slot] = row.unit_id
            record[tier_slot] = given[tier] or tier_default
            record[pinyin_slot], record[initials_slot] = self.pinyin(given[name_index])
            if row.id_hash:
                record[id_slots[0]] = encrypt(given[id_slots[2]])
                record[id_slots[1]] = row.id_hash
            if row.phone_hash:
                record[phone_slots[0]] = encrypt(given[phone_slots[2]])
                record[phone_slots[1]] = row.phone_hash
            return record

        self.insert(Person._meta.db_table, columns,
                    (values(pk, row) for pk, row in zip(ids, rows, strict=True)))
        return ids

    def reserve_ids(self, count):
        table = Person._meta.db_table
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                               [table, count])
                return [pk for (pk,) in cursor.fetchall()]
            if self.vendor != "sqlite":
                raise NotImplementedError("the ledger import supports SQLite and PostgreSQL")
            # The transaction holds SQLite's write lock (IMMEDIATE), so nobody else takes these ids.
            cursor.execute(f"SELECT MAX(id) FROM {self.quote(table)}")  # noqa: S608 (a model's table)
            top = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            found = cursor.fetchone()
            top = max(top, found[0] if found else 0)
        return list(range(top + 1, top + 1 + count))

    def insert(self, table, columns, rows):
        """INSERT many rows: COPY on PostgreSQL, chunks moved in from a staging table on SQLite, each by a thread
        of its own while this one makes the next rows."""
        names = ", ".join(self.quote(c) for c in columns)
        # The DB-API cursor's errors as Django's (IntegrityError …), as a query through Django would raise them.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            if self.vendor == "postgresql":
                from psycopg.copy import QueuedLibpqWriter

                # The queued writer sends from a thread: the server indexes rows while Python makes the next.
                raw = cursor.cursor
                with raw.copy(f"COPY {self.quote(table)} ({names}) FROM STDIN",
                              writer=QueuedLibpqWriter(raw)) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            insert_beside(cursor.cursor, self.quote(table), names, len(columns), rows)

    def insert_links(self, through, target, pairs):
        self.insert(through._meta.db_table, ["person_id", target], pairs)

    def update_people(self, updates, tag_ids):
        """Apply the planned changes; returns the ids of people whose history gets a row."""
        groups = {}
        history = []
        category_rows, dropped, tag_rows = [], [], []
        for row, existing, changes, categories, new_tags in updates:
            values = dict(changes)
            if "name" in values:
                values["name_pinyin"], values["name_initials"] = self.pinyin(values["name"])
            if "phone" in values:
                values["phone"] = self.encrypt(values["phone"])
                values["phone_hash"] = row.phone_hash
            for name in ("birth_date", "affiliation_date"):
                if name in values:
                    values[name] = self.date(values[name])
            if categories is not None:
                if existing.categories - categories:  # a category goes: rewrite the links
                    dropped.append(existing.pk)
                    category_rows.extend((existing.pk, c) for c in categories)
                else:
                    category_rows.extend((existing.pk, c) for c in categories - existing.categories)
            tag_rows.extend((existing.pk, tag_ids[t]) for t in new_tags)
            if changes or categories is not None:
                history.append(existing.pk)
            if values:
                values["updated_at"] = self.now_db
                values["updated_by_id"] = self.user_id
                names = tuple(sorted(values))
                groups.setdefault(names, []).append([values[n] for n in names] + [existing.pk])
        table = self.quote(Person._meta.db_table)
        with connection.cursor() as cursor:
            for names, params in groups.items():
                assignments = ", ".join(f"{self.quote(n)} = %s" for n in names)
                sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608 (model columns)
                for start in range(0, len(params), WRITE_CHUNK):
                    cursor.executemany(sql, params[start:start + WRITE_CHUNK])
            through = Person.categories.through
            for start in range(0, len(dropped), BATCH):
                through.objects.filter(person_id__in=dropped[start:start + BATCH]).delete()
        self.insert_links(Person.categories.through, "category_id", category_rows)
        self.insert_links(Person.tags.through, "tag_id", tag_rows)
        return history

    # history

    def history_watermark(self):
        history = Person.history.model
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(history_id) FROM {self.quote(history._meta.db_table)}")  # noqa: S608
            return cursor.fetchone()[0] or 0

    def copy_history(self, pks, kind, reason, watermark):
        """One history row per person (and its categories), copied from the rows just written."""
        if not pks:
            return
        history = Person.history.model
        links = history.categories.model
        through = Person.categories.through
        quote = self.quote
        tracked = [(quote(history._meta.get_field(f.name).column), quote(f.column)) for f in history.tracked_fields]
        columns = ", ".join(target for target, _ in tracked)
        sources = ", ".join(f"p.{source}" for _, source in tracked)
        # PostgreSQL takes the ids as one array per statement (its planner then joins in bulk); SQLite as
        # lists of at most BATCH parameters.
        postgres = self.vendor == "postgresql"
        where = "= ANY(%s)" if postgres else "IN ({})"
        copy_people = (
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}, history_date, history_change_reason, "  # noqa: S608
            f"history_type, history_user_id) SELECT {sources}, %s, %s, %s, %s "
            f"FROM {quote(Person._meta.db_table)} p WHERE p.id {where}"
        )
        copy_links = (
            f"INSERT INTO {quote(links._meta.db_table)} (id, person_id, category_id, history_id) "  # noqa: S608
            f"SELECT t.id, t.person_id, t.category_id, h.history_id FROM {quote(through._meta.db_table)} t "
            f"JOIN {quote(history._meta.db_table)} h ON h.id = t.person_id "
            f"WHERE h.history_id > %s AND t.person_id {where}"
        )
        chunk = 50_000 if postgres else BATCH
        with connection.cursor() as cursor:
            for start in range(0, len(pks), chunk):
                ids = pks[start:start + chunk]
                if postgres:
                    people_sql, links_sql, id_params = copy_people, copy_links, [ids]
                else:
                    marks = ", ".join(["%s"] * len(ids))
                    people_sql, links_sql, id_params = copy_people.format(marks), copy_links.format(marks), ids
                cursor.execute(people_sql, [self.now_db, reason, kind, self.user_id, *id_params])
                cursor.execute(links_sql, [watermark, *id_params])


def insert_beside(cursor, table, names, width, rows):
    """INSERT `rows` into `table` (its columns `names`, `width` of them) in chunks of WRITE_CHUNK, the expensive
    part on a thread of its own while this thread builds the next chunk (encryption, pinyin), as the COPY writer
    does on PostgreSQL.

    Each chunk goes by `executemany` into a staging table of the connection (TEMP: no indexes, no types, so the
    values reach `table` as bound), then a thread moves it with one INSERT … SELECT, which updates the table's
    indexes without the GIL from start to end. (`executemany` on the thread straight into `table` gave the GIL
    back and took it again for every row, and each time waited for this thread to let go of it, up to the
    interpreter's switch interval: the writer hardly moved while rows were built.) The connection runs one
    statement at a time, so this thread fills the staging table only once the previous move is done.

    `cursor` is the DB-API cursor of the connection (Django's wrapper refuses other threads). A failure on either
    side ends both, and is raised here (database errors as Django's exceptions)."""
    stage = "temp.ledger_import_stage"
    cursor.execute(f"DROP TABLE IF EXISTS {stage}")
    cursor.execute(f"CREATE TABLE {stage} ({', '.join(f'c{index}' for index in range(width))})")
    fill = f"INSERT INTO {stage} VALUES ({', '.join(['%s'] * width)})"  # noqa: S608 (no outside text)
    move = f"INSERT INTO {table} ({names}) SELECT * FROM {stage}"  # noqa: S608 (model columns)
    database_errors = connection.wrap_database_errors

    def move_in():
        cursor.execute(move)
        cursor.execute(f"DELETE FROM {stage}")  # noqa: S608

    try:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="ledger-writer") as writer:
            moving = None
            for chunk in batched(rows, WRITE_CHUNK):
                with database_errors:
                    if moving is not None:
                        moving.result()
                    cursor.executemany(fill, chunk)
                moving = writer.submit(move_in)
            if moving is not None:
                with database_errors:
                    moving.result()
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")


def batched(items, size):
    """Lists of `size` consecutive items (the last one shorter)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
