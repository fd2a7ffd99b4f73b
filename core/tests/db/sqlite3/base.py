"""SQLite for the tests: `flush` may DELETE from the append-only audit table (see core/tests/db/__init__.py)."""

from django.db.backends.sqlite3 import base
from django.db.backends.sqlite3.operations import DatabaseOperations as BaseOperations

from .. import AUDIT_TABLE, flushes_audit_table


class DatabaseOperations(BaseOperations):
    def execute_sql_flush(self, sql_list):
        if flushes_audit_table(sql_list):
            # SQLite cannot disable a trigger: drop the table's triggers and re-create them from their
            # stored definitions, all inside the flush's transaction (SQLite rolls back DDL too).
            with self.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [AUDIT_TABLE]
                )
                triggers = cursor.fetchall()
            sql_list = [
                *(f"DROP TRIGGER {self.quote_name(name)}" for name, _ in triggers),
                *sql_list,
                *(definition for _, definition in triggers),
            ]
        super().execute_sql_flush(sql_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
