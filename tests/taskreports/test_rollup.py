"""The roll-up rule (taskreports.rollup, docs/supervision.md): an item's status for a period
from its units' approved statuses, unless the lead unit's consolidated report states it."""

import pytest

from taskreports.choices import TaskStatus as S
from taskreports.rollup import item_status


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ([], None),
        ([S.BEHIND, S.COMPLETED, S.IN_PROGRESS], S.BEHIND),
        ([S.BEHIND, S.SUSPENDED], S.BEHIND),
        ([S.COMPLETED, S.COMPLETED], S.COMPLETED),
        ([S.SUSPENDED, S.SUSPENDED], S.SUSPENDED),
        ([S.COMPLETED, S.NOT_STARTED], S.IN_PROGRESS),
        ([S.IN_PROGRESS, S.SUSPENDED], S.IN_PROGRESS),
        ([S.COMPLETED, S.SUSPENDED], S.IN_PROGRESS),
        ([S.NOT_STARTED, S.SUSPENDED], S.NOT_STARTED),
        ([S.NOT_STARTED], S.NOT_STARTED),
    ],
)
def test_the_units_statuses_roll_up_in_order_of_precedence(statuses, expected):
    assert item_status(statuses) == expected


def test_the_consolidated_report_states_the_status_whatever_the_units_say():
    assert item_status([S.BEHIND], consolidated=S.IN_PROGRESS) == S.IN_PROGRESS
    assert item_status([], consolidated=S.COMPLETED) == S.COMPLETED
