"""PostgreSQL for the tests: `flush` may TRUNCATE the append-only audit table (see core/tests/db/__init__.py)."""

from django.db.backends.postgresql import base
from django.db.backends.postgresql.operations import DatabaseOperations as BaseOperations

from .. import AUDIT_TABLE, flushes_audit_table


class DatabaseOperations(BaseOperations):
    def execute_sql_flush(self, sql_list):
        if flushes_audit_table(sql_list):
            # Runs in the flush's own transaction (PostgreSQL rolls back DDL): the triggers are back on
            # before it commits. Needs the table's owner, which the test database's creator is.
            table = self.quote_name(AUDIT_TABLE)
            sql_list = [
                f"ALTER TABLE {table} DISABLE TRIGGER USER",
                *sql_list,
                f"ALTER TABLE {table} ENABLE TRIGGER USER",
            ]
        super().execute_sql_flush(sql_list)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
