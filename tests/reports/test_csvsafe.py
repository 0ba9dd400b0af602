"""One rule for text that a spreadsheet would run as a formula, in every export: the Python
writers and the database's COPY agree on it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from zjai.csvsafe import defuse, defuse_sql, runs_as_formula
from zjai.lists import _cell

RUNS = ["=1+2", "+1", "-2+3", "@SUM(A1:A2)", "\t=1", "\r=1", '=HYPERLINK("x","y")']
SAFE = ["", "plain", "中文说明", "1-2", " =1", "'=1"]


@pytest.mark.parametrize("text", RUNS)
def test_text_that_would_run_is_quoted(text):
    assert runs_as_formula(text)
    assert defuse(text) == "'" + text
    assert _cell(text) == "'" + text


@pytest.mark.parametrize("text", SAFE)
def test_other_text_is_left_alone(text):
    assert not runs_as_formula(text)
    assert defuse(text) == text
    assert _cell(text) == text


@pytest.mark.parametrize("value", [-5, -5.5, Decimal("-5.0000"), True, None, dt.date(2021, 1, 1)])
def test_numbers_and_other_values_are_data(value):
    assert not runs_as_formula(value)
    assert defuse(value) is value
    assert _cell(-5) == "-5" and _cell(Decimal("-5")) == "-5" and _cell(None) == ""


@pytest.mark.django_db
def test_the_database_applies_the_same_rule():
    if connection.vendor != "postgresql":
        pytest.skip("COPY, the one user of the SQL form, is PostgreSQL's")
    texts = [*RUNS, *SAFE]
    with connection.cursor() as cursor:
        for text in texts:
            cursor.execute(f"SELECT {defuse_sql('%(text)s')}", {"text": text})
            expected = defuse(text) or None  # empty text is written as nothing
            assert cursor.fetchone()[0] == expected, text
