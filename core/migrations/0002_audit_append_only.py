"""Make the audit log append-only in the database itself; no forks in the chain; index the request id.

PostgreSQL: a row-level BEFORE UPDATE OR DELETE trigger and a statement-level BEFORE TRUNCATE trigger
raise an exception, so neither the app nor a stray `manage.py flush` or SQL console can change or
remove events. Only the table's owner can switch them off (ALTER TABLE ... DISABLE TRIGGER), which is
what the tamper-detection tests do inside their own rolled-back transaction; production should run the
app as a role that does not own the table.

SQLite: BEFORE UPDATE and BEFORE DELETE triggers do the same (SQLite has no TRUNCATE). Beware that
Django alters a SQLite table by rebuilding it, which drops its triggers: a later migration that alters
AuditEvent must re-create them (the tests in core/tests/test_audit.py fail if they are missing, and
`verify_audit` warns).

The test runner empties the database after transactional tests with TRUNCATE (PostgreSQL) or DELETE
(SQLite); the test settings use the thin backends in core/tests/db/ that lift the triggers for exactly
that statement, inside its transaction. The triggers themselves have no bypass.

The SQL is written out here rather than imported, so that this migration keeps doing what it did
when later code changes.
"""

from django.db import migrations, models

PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION core_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '审计事件只能追加，不允许%（core_auditevent）', TG_OP
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'The audit log is append-only; see core/migrations/0002_audit_append_only.py.';
    END;
    $$
    """,
    """
    CREATE TRIGGER core_auditevent_no_update_delete BEFORE UPDATE OR DELETE ON core_auditevent
        FOR EACH ROW EXECUTE FUNCTION core_auditevent_append_only()
    """,
    """
    CREATE TRIGGER core_auditevent_no_truncate BEFORE TRUNCATE ON core_auditevent
        FOR EACH STATEMENT EXECUTE FUNCTION core_auditevent_append_only()
    """,
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_truncate ON core_auditevent",
    "DROP TRIGGER IF EXISTS core_auditevent_no_update_delete ON core_auditevent",
    "DROP FUNCTION IF EXISTS core_auditevent_append_only()",
]

SQLITE_INSTALL = [
    """
    CREATE TRIGGER core_auditevent_no_update BEFORE UPDATE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, '审计事件只能追加，不允许修改（core_auditevent）'); END
    """,
    """
    CREATE TRIGGER core_auditevent_no_delete BEFORE DELETE ON core_auditevent
    BEGIN SELECT RAISE(ABORT, '审计事件只能追加，不允许删除（core_auditevent）'); END
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS core_auditevent_no_update",
    "DROP TRIGGER IF EXISTS core_auditevent_no_delete",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, ()):
            # params=None: no client-side interpolation, so the "%" in RAISE's format string stays as it is.
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="request_id",
            field=models.CharField(blank=True, db_index=True, max_length=32, verbose_name="请求编号"),
        ),
        # Each event has at most one successor: a writer that read a stale chain head fails loudly
        # instead of forking the chain.
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(max_length=64, unique=True, verbose_name="前一哈希"),
        ),
        migrations.RunPython(
            _run({"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL}),
            _run({"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE}),
        ),
    ]
