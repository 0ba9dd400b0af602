"""Roll-ups after the deadlines (docs/progress.md): a group whose targets are all final shows
its achieved and missed counts and a final score, never a pace status; a mixed group shows the
pace of its running targets beside its final counts; no band names a status no target has."""

from __future__ import annotations

import datetime as dt

import pytest

from targets import progress as method
from targets.models import Progress, RollupProgress
from targets.recompute import summarise
from targets.services import recompute_progress
from tests.targets.finished import AFTER, ALL_ACHIEVED, ALL_MISSED, MIXED, RUNNING, finish_plan

PACE = {"on_track", "needs_acceleration", "off_track", "deteriorating"}


def result(status: str, score: float | None, percent: float | None = 50.0) -> method.Result:
    return method.Result(status=status, score=score, percent=percent, percent_capped=percent)


def test_a_group_of_achieved_targets_has_no_pace_band_and_a_final_score_of_5():
    summary = summarise([(result("achieved", 5.0, 100.0), 1.0, True)] * 2)
    assert summary.final
    assert summary.band == ""
    assert (summary.achieved, summary.missed) == (2, 0)
    assert summary.final_score == 5.0
    assert summary.score is None


def test_a_group_of_missed_targets_has_no_pace_band_and_a_final_score_of_minus_5():
    summary = summarise([(result("missed", -5.0), 1.0, True)] * 3)
    assert summary.final and summary.band == ""
    assert (summary.achieved, summary.missed, summary.final_score) == (0, 3, -5.0)


def test_a_mixed_group_shows_the_pace_of_its_running_targets_only():
    summary = summarise(
        [
            (result("achieved", 5.0, 100.0), 1.0, True),
            (result("missed", -5.0), 1.0, True),
            (result("off_track", -1.0), 1.0, False),
        ]
    )
    assert not summary.final
    assert summary.running == 1
    assert summary.band == "off_track"
    assert summary.score == -1.0
    assert (summary.achieved, summary.missed, summary.final_score) == (1, 1, 0.0)


@pytest.mark.parametrize(
    "statuses, band",
    [
        # mean score 0 is "needs acceleration", a status neither has: the worse of the nearest
        (("on_track", "deteriorating"), "deteriorating"),
        # mean 5 is the top band, held here by "achieved" (before its deadline) alone
        (("achieved", "achieved"), "achieved"),
        (("on_track", "needs_acceleration", "off_track"), "needs_acceleration"),
        (("no_data",), "no_data"),
    ],
)
def test_a_band_names_a_status_one_of_the_running_targets_has(statuses, band):
    scores = {"achieved": 5.0, "on_track": 5.0, "needs_acceleration": 1.0, "off_track": -1.0}
    scores |= {"deteriorating": -5.0, "no_data": None}
    summary = summarise([(result(s, scores[s]), 1.0, False) for s in statuses])
    assert summary.band == band
    assert summary.band in statuses


def item_rollup(key: str) -> RollupProgress:
    return RollupProgress.objects.get(scope="item", item__key=key, as_of=AFTER)


def test_the_recompute_stores_final_counts_after_the_deadlines(plan, make_user):
    finish_plan(make_user("rev", "reviewer"))
    recompute_progress(AFTER)

    done = item_rollup(ALL_ACHIEVED)
    assert done.final and done.band == ""
    assert (done.achieved, done.missed, done.final_score) == (1, 0, 5.0)

    failed = item_rollup(ALL_MISSED)
    assert failed.final and failed.band == ""
    assert (failed.achieved, failed.missed, failed.final_score) == (0, 1, -5.0)

    mixed = item_rollup(MIXED)
    running = Progress.objects.get(target__code=RUNNING, as_of=AFTER).status
    assert running in PACE
    assert not mixed.final
    assert (mixed.achieved, mixed.missed, mixed.running) == (1, 1, 1)
    assert mixed.band == running  # the one running target's own status, nothing else

    whole = RollupProgress.objects.get(scope="plan", as_of=AFTER)
    statuses = set(Progress.objects.filter(as_of=AFTER).values_list("status", flat=True))
    assert whole.band in statuses


def test_every_roll_up_of_a_finished_plan_is_final(plan, make_user):
    finish_plan(make_user("rev", "reviewer"))
    day = dt.date(2026, 6, 30)  # past every deadline, the moved one too
    recompute_progress(day)
    rollups = RollupProgress.objects.filter(as_of=day)
    assert rollups.exists()
    assert all(r.final and r.band == "" for r in rollups)


def test_the_api_gives_no_pace_band_to_a_final_roll_up(plan, make_user):
    from tests.api.client import ApiClient

    finish_plan(make_user("rev", "reviewer"))
    recompute_progress(AFTER)
    client = ApiClient()  # every answer is checked against the published schema
    client.force_login(make_user("eye", "auditor"))

    def one(key: str) -> dict:
        response = client.get(f"/api/v1/rollups/?scope=item&item={key}&as_of={AFTER}")
        assert response.status_code == 200
        (row,) = response.json()["results"]
        return row

    done, failed, mixed = one(ALL_ACHIEVED), one(ALL_MISSED), one(MIXED)
    assert done["band"] is None and done["final"] is True
    assert (done["achieved"], done["missed"], done["final_score"]) == (1, 0, 5.0)
    assert failed["band"] is None and failed["final"] is True
    assert (failed["achieved"], failed["missed"], failed["final_score"]) == (0, 1, -5.0)
    running = Progress.objects.get(target__code=RUNNING, as_of=AFTER).status
    assert mixed["band"] == running and mixed["final"] is False
    assert (mixed["achieved"], mixed["missed"], mixed["running"]) == (1, 1, 1)
