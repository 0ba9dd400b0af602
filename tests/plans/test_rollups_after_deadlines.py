"""The dashboard and the plan page after the deadlines (docs/progress.md, "Roll-ups after the
deadlines"): an item whose targets are all final shows achieved/missed counts and a final score,
never a pace status; a mixed item shows the pace of its running targets beside its final counts;
the overall band never names a status no target has."""

from __future__ import annotations

import datetime as dt
import re

from targets.models import Progress
from targets.services import recompute_progress
from tests.targets.finished import AFTER, ALL_ACHIEVED, ALL_MISSED, MIXED, RUNNING, finish_plan
from tests.web import client_for

PACE = ["on_track", "needs_acceleration", "off_track", "deteriorating"]
PACE_WORDS = ["进度正常", "需加快", "进度滞后", "倒退"]


def pace_statuses_in(html: str) -> set[str]:
    return set(re.findall(r'class="status status-(\w+)"', html)) & set(PACE)


def dashboard_row(html: str, key: str) -> str:
    """The row of an objective or key task group in the dashboard's table."""
    return next(row for row in html.split("<tr>") if f'/items/{key}/"' in row)


def tree_head(html: str, key: str) -> str:
    """An item's heading on the plan page, with its rolled-up progress."""
    start = html.index(f'id="item-{key}"')
    return html[start : html.index("\n  </div>", start)]


def finished_world(people, day: dt.date = AFTER) -> None:
    finish_plan(people["reviewer"])
    recompute_progress(day)


def test_dashboard_rows_of_final_items_show_counts_never_a_pace(people):
    finished_world(people)
    html = client_for(people["auditor"]).get(f"/?as_of={AFTER}").content.decode()

    achieved = dashboard_row(html, "II.2")  # the task group of the achieved item only
    assert "1 项已实现" in achieved and "0 项未实现" in achieved and "5.00" in achieved
    missed = dashboard_row(html, ALL_MISSED)
    assert "0 项已实现" in missed and "1 项未实现" in missed and "-5.00" in missed
    for row in (achieved, missed):
        assert not pace_statuses_in(row)
        assert not any(word in row for word in PACE_WORDS)

    mixed = dashboard_row(html, MIXED)
    running = Progress.objects.get(target__code=RUNNING, as_of=AFTER).status
    assert pace_statuses_in(mixed) == {running}
    assert "1 项已实现" in mixed and "1 项未实现" in mixed


def test_the_overall_band_names_only_a_status_some_target_has(people):
    finished_world(people)
    html = client_for(people["auditor"]).get(f"/?as_of={AFTER}").content.decode()
    overall = html[html.index("overall-heading") : html.index('<ul class="counts"')]
    held = set(Progress.objects.filter(as_of=AFTER).values_list("status", flat=True))
    assert pace_statuses_in(overall) <= held
    assert pace_statuses_in(overall)  # one target still runs: its pace is shown


def test_a_finished_plan_shows_no_pace_status_anywhere_in_its_roll_ups(people):
    day = dt.date(2026, 6, 30)  # past every deadline, the moved one too
    finished_world(people, day)
    client = client_for(people["auditor"])
    html = client.get(f"/?as_of={day}").content.decode()
    overall = html[html.index("overall-heading") : html.index('<ul class="counts"')]
    assert "所有指标均已到期" in overall
    assert not pace_statuses_in(overall)
    table = html[html.index("<tbody>", html.index("overall-heading")) :]
    assert not pace_statuses_in(table[: table.index("</tbody>")])

    tree = client.get(f"/plan/?as_of={day}").content.decode()
    for key in (ALL_ACHIEVED, ALL_MISSED, MIXED):
        assert not pace_statuses_in(tree_head(tree, key))


def test_the_plan_page_shows_final_counts_and_the_running_pace(people):
    finished_world(people)
    html = client_for(people["staff"]).get(f"/plan/?as_of={AFTER}").content.decode()

    achieved = tree_head(html, ALL_ACHIEVED)
    assert "1 项已实现" in achieved and "5.00" in achieved
    assert not pace_statuses_in(achieved)
    missed = tree_head(html, ALL_MISSED)
    assert "1 项未实现" in missed and "-5.00" in missed
    assert not pace_statuses_in(missed)
    mixed = tree_head(html, MIXED)
    running = Progress.objects.get(target__code=RUNNING, as_of=AFTER).status
    assert pace_statuses_in(mixed) == {running}
