"""Changing the database past the application, as an attacker with the tables' owner's rights
would: the audit trail's append-only trigger switched off for the statement."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from audit import guard


@contextmanager
def trigger_disabled() -> Iterator[None]:
    """What an attacker with the table owner's rights would do first (PostgreSQL); inside the
    test's transaction, so the rollback re-enables it."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Django's foreign keys are checked at commit; ALTER TABLE wants none pending.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {guard.TABLE} DISABLE TRIGGER {guard.TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {guard.TABLE} ENABLE TRIGGER {guard.TRIGGER}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def raw(sql: str, params=()) -> None:
    with trigger_disabled(), connection.cursor() as cursor:
        cursor.execute(sql, params)
