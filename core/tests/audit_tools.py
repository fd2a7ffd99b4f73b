"""Test-only helpers for the append-only audit table."""

from contextlib import contextmanager

from django.db import connection

from core.audit import TABLE


@contextmanager
def audit_table_unprotected():
    """Lift the audit table's append-only triggers inside the current test transaction, so a test can play
    the attacker and alter or delete rows; they are back on afterwards (and the transaction is rolled back
    at the end of the test anyway). PostgreSQL needs the table's owner, which the test database's creator is;
    SQLite cannot disable a trigger, so it is dropped and re-created from its stored definition."""
    assert connection.in_atomic_block, "only inside a test transaction"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER")
            triggers = []
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER USER")
            for _, definition in triggers:
                cursor.execute(definition)
