"""Database backends for the test settings only.

The audit table is append-only: triggers (core/migrations/0002_audit_append_only.py) refuse UPDATE,
DELETE and TRUNCATE on it. After each transactional test (pytest-django's `transactional_db`, and so
every `live_server` browser test) Django empties all tables with `flush`: one TRUNCATE on PostgreSQL,
one DELETE per table on SQLite, both run through `DatabaseOperations.execute_sql_flush()` inside one
transaction. These backends lift the audit triggers for exactly that transaction and restore them before
it commits, so no other session ever sees the table unprotected and the triggers need no bypass that
production could use. Nothing else differs from Django's backends.

Chosen over a session setting that the TRUNCATE trigger would honour (any client can SET it) and over
`session_replication_role = replica` (it would also switch off foreign-key enforcement in the tests).
"""

AUDIT_TABLE = "core_auditevent"


def flushes_audit_table(sql_list):
    return any(AUDIT_TABLE in sql for sql in sql_list)
