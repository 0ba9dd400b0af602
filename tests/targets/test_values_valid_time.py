"""Counting as of a date, as known at an instant, over the registers' valid-time history (issue 13,
part 1): the values that held on the date count, in the account that was current then; set-wise,
in a fixed number of queries whatever the size of the history."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseHistory
from enterprises.services import confirm_enterprise_change, update_enterprise
from projects.models import Project
from projects.services import confirm_project_change, update_project
from reports.builders import AsOfReport
from targets.models import Target
from targets.values import current_values, values_on
from tests.targets.factories import accept_projects, recognise

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2021, 6, 30)
PROMOTED = dt.date(2022, 3, 1)


def value(code: str, as_of: dt.date, known_at: dt.datetime | None = None) -> Decimal | None:
    target = Target.objects.get(code=code)
    return current_values([target], as_of, known_at=known_at)[target.pk].value


def confirmed_edit(entry, people, **changes):
    """An edit by the managing unit's staff, confirmed by its reviewer (four eyes)."""
    if isinstance(entry, Enterprise):
        update_enterprise(entry, acting_user=people["staff"], **changes)
        confirm_enterprise_change(entry, acting_user=people["reviewer"])
    else:
        update_project(entry, acting_user=people["staff"], **changes)
        confirm_project_change(entry, acting_user=people["reviewer"])
    entry.refresh_from_db()
    return entry


def owned(model, people):
    model.objects.update(owner_unit=people["staff"].unit)


def test_a_promotion_dated_after_a_report_leaves_that_report_as_it_was(people):
    """The finding: a tier promotion made in 2022 changed the report as of 2021-06-30."""
    recognise(3, "benchmark", dt.date(2020, 5, 1))
    owned(Enterprise, people)
    benchmark_then, leading_then = value("ent-benchmark", BEFORE), value("ent-leading", BEFORE)
    promoted = Enterprise.objects.filter(plan_key__isnull=True).first()
    confirmed_edit(
        promoted,
        people,
        tier="leading",
        recognised_on=PROMOTED,
        effective_from=PROMOTED,
        reason="认定为领军企业",
    )

    assert value("ent-benchmark", BEFORE) == benchmark_then
    assert value("ent-leading", BEFORE) == leading_then
    after = dt.date(2022, 6, 30)
    assert value("ent-leading", after) == leading_then + 1
    # The entry's current values hold from the promotion; the earlier period is history.
    assert promoted.valid_from == PROMOTED
    period = EnterpriseHistory.objects.get(entry=promoted, replaced_at__isnull=True)
    assert (period.valid_from, period.valid_to, period.tier) == (None, PROMOTED, "benchmark")


def test_a_correction_changes_the_past_as_known_now_and_not_as_known_before(people):
    """A budget revision: the amount was always wrong. Reports as of a past date change as known
    after the correction, and not as known before it."""
    accept_projects(
        2, "major", dt.date(2020, 9, 1), planned_investment=Decimal("1000000.00")
    )  # 100 亿元 each, summed by proj-major-investment
    owned(Project, people)
    target = Target.objects.filter(source_kind="sum").first()
    assert target is not None
    code = target.code
    before_correction = timezone.now()
    summed_then = value(code, BEFORE)
    corrected = Project.objects.first()
    confirmed_edit(
        corrected,
        people,
        planned_investment=Decimal("3000000.00"),
        edit_kind="correction",
        reason="预算口径更正",
    )

    assert value(code, BEFORE) != summed_then
    assert value(code, BEFORE, known_at=before_correction) == summed_then
    # Known from the confirmation on: an instant after it reads the corrected amount.
    assert value(code, BEFORE, known_at=timezone.now()) == value(code, BEFORE)


def test_a_change_dated_after_a_date_leaves_every_chart_point_before_it(people):
    recognise(4, "specialised", dt.date(2019, 12, 1), city="ningbo")
    owned(Enterprise, people)
    target = Target.objects.get(code="ent-specialised")
    days = [dt.date(2020, 6, 30), dt.date(2021, 6, 30), dt.date(2022, 6, 30)]
    before = [v.value for v in values_on([target], days)[target.pk]]
    revoked = Enterprise.objects.filter(plan_key__isnull=True).first()
    confirmed_edit(
        revoked,
        people,
        status="revoked",
        revoked_on=dt.date(2022, 1, 10),
        effective_from=dt.date(2022, 1, 10),
        reason="不再符合条件",
    )
    after = [v.value for v in values_on([target], days)[target.pk]]
    assert after[:2] == before[:2]
    assert after[2] == before[2] - 1


def test_the_report_lists_an_entry_with_the_values_it_held_on_the_date(people, plan):
    recognise(1, "benchmark", dt.date(2020, 5, 1), city="wenzhou")
    owned(Enterprise, people)
    moved = Enterprise.objects.get(plan_key__isnull=True)
    confirmed_edit(
        moved,
        people,
        city="ningbo",
        effective_from=dt.date(2022, 1, 1),
        reason="迁址",
    )

    def city_in_report(as_of: dt.date) -> str:
        table = AsOfReport(plan, as_of).enterprises_table()
        rows = [row for row in table.rows() if row[0] == moved.pk]
        assert len(rows) == 1
        return rows[0][4]

    assert city_in_report(BEFORE) == "温州"
    assert city_in_report(dt.date(2022, 6, 30)) == "宁波"


def test_counting_issues_the_same_queries_whatever_the_history(people):
    recognise(2, "leading", dt.date(2020, 1, 10))
    owned(Enterprise, people)
    targets = list(Target.objects.all())

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            current_values(targets, BEFORE)
        return len(ctx.captured_queries)

    few = queries()
    for i, entry in enumerate(Enterprise.objects.filter(plan_key__isnull=True)):
        for year in (2020, 2021):
            confirmed_edit(
                entry,
                people,
                sector=["robots", "chips"][(year + i) % 2],
                effective_from=dt.date(year, 7, 1),
                reason="领域调整",
            )
    assert EnterpriseHistory.objects.count() >= 4
    assert queries() == few


def test_the_history_is_read_alike_on_the_embedded_default(tmp_path):
    """SQLite (the README's first command) reads the same history: the union of an entry's own
    row and its history rows, as of a date before and after a dated change."""
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.targets.valid_time_sqlite"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    answer = json.loads(line.removeprefix("RESULT "))
    assert answer["vendor"] == "sqlite"
    assert answer["before"] == {
        "leading": "0.0000",
        "city": "温州",
        "tier": "标杆企业",
        "listed": 2,
    }
    assert answer["after"] == {"leading": "1.0000", "city": "宁波", "tier": "领军企业", "listed": 2}
