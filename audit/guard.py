"""Append-only audit rows on PostgreSQL: a trigger refuses every UPDATE and DELETE.

The hash chain (audit.chain) makes tampering *visible*; this makes it *hard*: the application
cannot change or remove an event, whatever its code does, because the database refuses. Only a
table owner who first runs `ALTER TABLE audit_auditevent DISABLE TRIGGER …` can — which is why
production runs the application as a role that owns nothing and is granted only SELECT and
INSERT (docs/audit.md), and why the chain's head is anchored outside the database.

TRUNCATE is not refused (a row trigger does not fire for it): test runners empty the database
with it between tests, and the application role is never granted it.
"""

from __future__ import annotations

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditevent"
TRIGGER = "audit_event_append_only"
FUNCTION = "audit_event_refuse_change"

INSTALL_SQL = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % of event #% refused', TG_OP, OLD.seq
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'The audit trail can only grow; see docs/audit.md.';
END;
$$;
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
CREATE TRIGGER {TRIGGER} BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {FUNCTION}();
"""

REMOVE_SQL = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {FUNCTION}();
"""


def install(connection: BaseDatabaseWrapper) -> bool:
    """Create (or replace) the trigger. PostgreSQL only; returns whether it did anything."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(INSTALL_SQL)
    return True


def remove(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(REMOVE_SQL)


def is_installed(connection: BaseDatabaseWrapper) -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [TRIGGER, TABLE],
        )
        row = cursor.fetchone()
    return row is not None and row[0] != "D"


def ensure_installed(sender=None, using: str = "default", **kwargs) -> None:
    """post_migrate hook: install the trigger where the migration did not run.

    A database built without migrations (the test suite runs `--no-migrations`) gets its tables
    from the models alone; this puts the trigger there too, so every database the application
    uses refuses edits of the trail the same way. Idempotent.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    if TABLE not in connection.introspection.table_names():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = %s::regclass",
            [TRIGGER, TABLE],
        )
        if cursor.fetchone() is None:
            install(connection)
