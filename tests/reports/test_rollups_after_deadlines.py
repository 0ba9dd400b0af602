"""The report's roll-ups after the deadlines (docs/progress.md, "Roll-ups after the
deadlines"): the same rule as the dashboard's, in the tables (CSV, XLSX) and the PDF's summary."""

from __future__ import annotations

import datetime as dt

import pytest

from plans.models import Plan
from reports.builders import FINAL_BAND, AsOfReport
from reports.editions import edition_of
from reports.pdf import render_html
from targets.models import Progress
from targets.services import recompute_progress
from tests.reports.test_builders import table_rows
from tests.targets.finished import AFTER, ALL_ACHIEVED, ALL_MISSED, MIXED, RUNNING, finish_plan

pytestmark = pytest.mark.django_db

PACE = {"on_track", "needs_acceleration", "off_track", "deteriorating"}


def item_rows(report: AsOfReport) -> dict[str, dict]:
    return {row["key"]: row for row in table_rows(report, "rollup_items")}


def test_report_roll_ups_of_final_items_show_counts_and_no_pace(people):
    finish_plan(people["reviewer"])
    rows = item_rows(AsOfReport(Plan.objects.get(), AFTER))

    done = rows[ALL_ACHIEVED]
    assert done["band"] == FINAL_BAND
    assert (done["final_achieved"], done["final_missed"], done["final_score"]) == (1, 0, 5)
    assert done["score"] is None  # no pace score: nothing runs
    failed = rows[ALL_MISSED]
    assert failed["band"] == FINAL_BAND
    assert (failed["final_achieved"], failed["final_missed"], failed["final_score"]) == (0, 1, -5)

    mixed = rows[MIXED]
    recompute_progress(AFTER)
    running = Progress.objects.get(target__code=RUNNING, as_of=AFTER).status
    assert mixed["band"] == running
    assert (mixed["final_achieved"], mixed["final_missed"]) == (1, 1)


def test_the_report_agrees_with_the_stored_roll_ups(people):
    from targets.models import RollupProgress

    finish_plan(people["reviewer"])
    recompute_progress(AFTER)
    rows = item_rows(AsOfReport(Plan.objects.get(), AFTER))
    for stored in RollupProgress.objects.filter(scope="item", as_of=AFTER).select_related("item"):
        row = rows[stored.item.key]
        assert row["band"] == (stored.band or FINAL_BAND)
        assert (row["final_achieved"], row["final_missed"]) == (stored.achieved, stored.missed)


def test_a_finished_plans_report_names_no_pace_status(people):
    finish_plan(people["reviewer"])
    day = dt.date(2026, 6, 30)  # past every deadline, the moved one too
    report = AsOfReport(Plan.objects.get(), day)
    for name in ("rollup_items", "rollup_units"):
        assert {row["band"] for row in table_rows(report, name)} == {FINAL_BAND}
    summary = {row[0]: row[3] for row in report.summary_rows()}
    assert summary["band"] == FINAL_BAND
    assert summary["final_achieved"] + summary["final_missed"] == len(report.targets)

    html = render_html(report, edition_of(report))
    band_cell = html[html.index("总体评价 Band") :]
    band_cell = band_cell[: band_cell.index("</td>")]
    pace_words = [word for s in PACE for word in report.status_labels[s]]
    assert "期满" in band_cell and not any(word in band_cell for word in pace_words)
    assert "期满得分 Final score" in html
