"""A plan loaded once and committed, shared by the read-only tests of a module or a class.

Loading the whole plan takes seconds (every row is audited), so tests that only read it share
one load. Each test still runs in its own transaction, rolled back afterwards, so a test that
writes on top of the shared plan leaves it as it was. The rows are removed when the module or
class is done, so the rest of the suite starts from an empty database.
"""

from __future__ import annotations

import pytest

from plans.planfile import parse_plan_file
from portfolio.services import load_plan
from tests.plans.dbstate import PLAN_FILE, wipe_loaded_rows


def _committed_plan(django_db_blocker):
    with django_db_blocker.unblock():
        wipe_loaded_rows()
        plan = load_plan(parse_plan_file(PLAN_FILE)).plan
    try:
        yield plan
    finally:
        with django_db_blocker.unblock():
            wipe_loaded_rows()


@pytest.fixture(scope="module")
def committed_plan(django_db_setup, django_db_blocker):
    yield from _committed_plan(django_db_blocker)


@pytest.fixture(scope="class")
def class_committed_plan(django_db_setup, django_db_blocker):
    yield from _committed_plan(django_db_blocker)
