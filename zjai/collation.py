"""Chinese names in pinyin order (北京 < 杭州 < 宁波 < 温州 < 浙江), not in code-point order.

A database whose collation is C or C.UTF-8 (ours) orders text by code point, which for Chinese
characters is the order of the Unicode tables (北 宁 杭 浙 温), meaningless to a reader.
PostgreSQL's ICU collation `zh-x-icu` orders by pinyin (ICU's default for Chinese). SQLite has
no ICU collation: there the names keep the database's order, so the embedded default still runs.

`Pinyin("name_zh")` is the one ordering expression for a Chinese name: every Meta.ordering,
`order_by()`, list column and API ordering term on a name uses it. The vendor is decided when
the query is compiled, so the same expression serves both databases (and a model's Meta).
A PostgreSQL index on a name sorted this way must carry the same collation to be used:
`add_pinyin_index` makes it (the migrations of enterprises and projects).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from django.db.models import OrderBy
from django.db.models.functions import Collate

# ICU's root collation for Chinese, whose default is pinyin; present in every PostgreSQL built
# with ICU (pg_collation). `zh-Hans-x-icu` orders the same.
PINYIN_COLLATION = "zh-x-icu"
# The fields of Chinese text that the lists and the API sort in pinyin order when a reader
# asks to sort by them (zjai/lists.py's Table, zjai/api/filters.py's ordering): every model
# names its Chinese name or title so.
PINYIN_FIELDS = ("name_zh", "title_zh")


def sorts_by_pinyin(vendor: str) -> bool:
    """Whether a database of this vendor orders names by pinyin (PostgreSQL with ICU)."""
    return vendor == "postgresql"


class Pinyin(Collate):
    """A text column in pinyin order: `COLLATE "zh-x-icu"` on PostgreSQL, the column as it is
    elsewhere (SQLite)."""

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, PINYIN_COLLATION)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, Any]:
        if not sorts_by_pinyin(connection.vendor):
            return compiler.compile(self.get_source_expressions()[0])
        return super().as_sql(compiler, connection, **extra_context)


def by_name(field: str, *, descending: bool = False) -> OrderBy:
    """An order_by() term for a Chinese name field: `by_name("name_zh")`."""
    expression = Pinyin(field)
    return expression.desc() if descending else expression.asc()


def ordering_terms(terms: Iterable[str], names: Collection[str]) -> list[str | OrderBy]:
    """`order_by()` terms ("field", "-field") with those on a name of `names` in pinyin order:
    what a list's sortable columns and the API's `?ordering=` are turned into."""
    out: list[str | OrderBy] = []
    for term in terms:
        field = term.removeprefix("-")
        out.append(by_name(field, descending=term.startswith("-")) if field in names else term)
    return out


def add_pinyin_index(schema_editor: Any, *, table: str, name: str, columns: Sequence[str]) -> None:
    """On PostgreSQL, an index of `columns` whose first (a name) is in pinyin order, so that a
    list ordered by_name() reads the index rather than sorting the table; nothing elsewhere
    (SQLite sorts by the plain index). For a migration's RunPython; not in the model's
    Meta.indexes, whose expressions would be the same on every database."""
    if not sorts_by_pinyin(schema_editor.connection.vendor):
        return
    quote = schema_editor.quote_name
    first, *rest = columns
    parts = [f"{quote(first)} COLLATE {quote(PINYIN_COLLATION)}", *map(quote, rest)]
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {quote(name)} ON {quote(table)} ({', '.join(parts)})"
    )


def remove_pinyin_index(schema_editor: Any, *, name: str) -> None:
    if sorts_by_pinyin(schema_editor.connection.vendor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")
