"""The plan's rows, written once per test session by the real loader and copied into each test
that asks for the plan.

Loading the plan through the loader takes about a second (every row is audited), and hundreds
of tests ask for it. So the session loads it once, at the start, in a transaction that is
rolled back: before the rollback it copies out (PostgreSQL COPY) every row the load wrote, in
every table. A test's `plan` fixture copies those rows back in (COPY FROM, a few milliseconds)
inside the test's own transaction, so the test sees exactly what a load would have written —
the same rows, the same audit trail — and its rollback removes them again. Tests that do not ask
for the plan still start from an empty database, and a test that flushes the database
(transactional_db, live_server, Celery workers) leaves nothing behind for the next one.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass(frozen=True)
class TableRows:
    table: str
    columns: tuple[str, ...]
    data: bytes  # COPY's text format


EMPTY = hashlib.md5(b"").hexdigest()  # the fingerprint of an empty table


def _tables() -> list[str]:
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _fingerprints(tables: list[str]) -> dict[str, str]:
    """A digest of each table's content: which tables a load wrote, and that it wrote nothing
    else."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT %s, md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) "
                f"FROM {quote(table)} t"
                for table in tables
            ),
            tables,
        )
        return dict(cursor.fetchall())


def _copy_out(table: str) -> TableRows:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(table)} LIMIT 0")
        columns = tuple(column.name for column in cursor.description)
        buffer = io.BytesIO()
        cursor.cursor.copy_expert(f"COPY {quote(table)} TO STDOUT", buffer)
    return TableRows(table, columns, buffer.getvalue())


class PlanCopy:
    """The rows one run of the loader writes into an empty database."""

    def __init__(self, rows: list[TableRows]):
        self.rows = rows
        tables = {r.table for r in rows}
        self.models = [
            model
            for model in apps.get_models(include_auto_created=True)
            if model._meta.db_table in tables
        ]

    @classmethod
    def capture(cls, load) -> PlanCopy:
        """Run `load()` in a transaction, copy out what it wrote, roll it back.

        Nothing is committed and no on-commit callback runs, as for a load inside a test. The
        load must find the plan's tables empty, and must only add rows to them.
        """
        tables = _tables()
        with transaction.atomic():
            before = _fingerprints(tables)
            load()
            after = _fingerprints(tables)
            written = [t for t in tables if after[t] != before[t]]
            changed = [t for t in written if before[t] != EMPTY]
            if changed:
                raise RuntimeError(f"the plan load changed rows it had not written: {changed}")
            rows = [_copy_out(t) for t in written]
            transaction.set_rollback(True)
        return cls(rows)

    def is_restorable(self) -> bool:
        """Whether every table the plan fills is empty (else its rows would collide)."""
        if not self.rows:
            return False
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT "
                + " OR ".join(f"EXISTS (SELECT 1 FROM {quote(r.table)})" for r in self.rows)
            )
            return not cursor.fetchone()[0]

    def restore(self) -> None:
        """Copy the rows back in; the tables' id sequences continue after them."""
        quote = connection.ops.quote_name
        # Foreign keys are checked when the transaction ends (Django makes them deferrable),
        # so the tables may be filled in any order.
        with transaction.atomic(), connection.cursor() as cursor:
            for r in self.rows:
                columns = ", ".join(quote(c) for c in r.columns)
                cursor.cursor.copy_expert(
                    f"COPY {quote(r.table)} ({columns}) FROM STDIN", io.BytesIO(r.data)
                )
            for statement in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(statement)
