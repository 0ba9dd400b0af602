"""Date windows on counted targets: only the entries whose counting date falls within the
window count, both ends included (docs/plan-file.md, `source.window`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from targets.models import Target
from targets.values import current_values, values_on
from tests.targets.factories import accept_projects, recognise

pytestmark = pytest.mark.django_db

START, END = dt.date(2023, 1, 1), dt.date(2027, 12, 31)
DAY = dt.timedelta(days=1)


def windowed(code: str) -> Target:
    Target.objects.filter(code=code).update(window_start=START, window_end=END)
    return Target.objects.get(code=code)


def value(target: Target, as_of: dt.date) -> Decimal | None:
    return current_values([target], as_of)[target.pk].value


def test_an_enterprise_counts_only_when_recognised_within_the_window(plan):
    target = windowed("ent-leading")
    recognise(1, "leading", START - DAY)  # the day before: not counted
    recognise(2, "leading", START)  # its first day
    recognise(4, "leading", END)  # its last day
    recognise(8, "leading", END + DAY)  # the day after: not counted
    assert value(target, START - DAY) == 0
    assert value(target, START) == 2
    assert value(target, END - DAY) == 2  # an entry counts from its date, not before
    assert value(target, END) == 6
    assert value(target, END + 10 * DAY) == 6
    # A cumulative target counts them all.
    cumulative = Target.objects.get(code="ent-leading")
    Target.objects.filter(pk=cumulative.pk).update(window_start=None, window_end=None)
    cumulative.refresh_from_db()
    assert value(cumulative, END + 10 * DAY) == 15


def test_a_windowed_series_is_counted_the_same_way_on_every_day(plan):
    target = windowed("ent-leading")
    recognise(1, "leading", START - DAY)
    recognise(2, "leading", START)
    recognise(8, "leading", END + DAY)
    days = [START - DAY, START, END, END + DAY]
    series = [v.value for v in values_on([target], days)[target.pk]]
    assert series == [0, 2, 2, 2]


def test_a_project_counts_when_accepted_within_the_window(plan):
    target = Target.objects.filter(
        source_register="projects", source_kind="count", source_filter__status="accepted"
    ).first()
    assert target is not None
    Target.objects.filter(pk=target.pk).update(window_start=START, window_end=END)
    target.refresh_from_db()
    kind = target.source_filter.get("kind", "major")
    kind = kind[0] if isinstance(kind, list) else kind
    extra = {k: v for k, v in target.source_filter.items() if k not in ("kind", "status")}
    extra = {k: (v[0] if isinstance(v, list) else v) for k, v in extra.items()}
    for n, day in ((1, START - DAY), (2, START), (4, END), (8, END + DAY)):
        accept_projects(n, kind, day, **extra)
    assert value(target, END + 10 * DAY) == 6
