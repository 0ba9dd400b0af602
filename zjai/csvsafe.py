"""Text that a spreadsheet would run as a formula, and how every export defuses it.

A cell of text starting with = + - @ (or a tab or carriage return before one) runs as a formula
when a spreadsheet opens the file (OWASP "CSV injection"). Exports write such text behind a
leading ', which spreadsheets read as "this is text" and do not show. Numbers are data, never a
formula: -5 stays -5, not '-5. One definition for the browser's CSV exports, the report's CSV
(the Python writer and the database's COPY) and its XLSX.
"""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def runs_as_formula(value: Any) -> bool:
    """Whether a spreadsheet would run this value as a formula: text (never a number) that
    starts like one."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def defuse(value: Any) -> Any:
    """The value as an export writes it: text that would run as a formula behind a leading ';
    anything else (numbers, dates, other text, None) unchanged."""
    return "'" + value if runs_as_formula(value) else value


def defuse_sql(expression: str) -> str:
    """The same rule as SQL (PostgreSQL), for exports the database formats itself: a text
    expression, defused, with empty text as NULL (as the CSV writer writes nothing)."""
    prefixes = ", ".join(f"chr({ord(c)})" for c in FORMULA_PREFIXES)
    return (
        f"CASE WHEN left({expression}, 1) IN ({prefixes}) "
        f"THEN '''' || {expression} ELSE NULLIF({expression}, '') END"
    )
