"""Recomputing the loaded plan: statuses, roll-ups, as-of reproducibility, query counts."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans.models import PlanItem, ResponsibleUnit
from targets.models import Progress, RollupProgress, Target
from targets.services import close_due_targets, recompute_progress
from tests.targets.factories import accept_projects, approved_figure, recognise

AS_OF = dt.date(2021, 1, 1)


def status(code: str, as_of: dt.date = AS_OF) -> Progress:
    return Progress.objects.get(target__code=code, as_of=as_of)


def test_register_counts_classify_against_the_required_pace(plan):
    recognise(5, "leading", dt.date(2020, 6, 1))  # 5 of 10 at half time: on track
    recognise(20, "benchmark", dt.date(2020, 6, 1))  # 20 of 100: off track
    recognise(500, "specialised", dt.date(2020, 6, 1))  # 500 of "500 以上": achieved
    recognise(3, "leading", dt.date(2021, 6, 1))  # recognised after AS_OF: not counted

    recompute_progress(AS_OF)

    assert status("ent-leading").current_value == 5
    assert status("ent-leading").status == "on_track"
    assert status("ent-benchmark").status == "off_track"
    assert status("ent-specialised").status == "achieved"
    assert status("ent-specialised").percent == pytest.approx(100.0)
    assert status("smart-factories").status == "off_track"  # zero projects: no pace at all
    assert status("robots-in-service").status == "no_data"


def test_revoked_enterprises_stop_counting_from_their_revocation(plan):
    from enterprises.models import Enterprise

    recognise(6, "leading", dt.date(2019, 6, 1))
    Enterprise.objects.filter(
        pk__in=Enterprise.objects.filter(tier="leading").values("pk")[:2]
    ).update(status="revoked", revoked_on=dt.date(2020, 6, 1))
    recompute_progress(dt.date(2020, 1, 1))
    recompute_progress(dt.date(2020, 12, 31))
    assert status("ent-leading", dt.date(2020, 1, 1)).current_value == 6
    assert status("ent-leading", dt.date(2020, 12, 31)).current_value == 4


def test_investment_sums_in_100_million_yuan(plan):
    accept_projects(3, "major", dt.date(2020, 3, 1), planned_investment=2_000_000)  # 200 亿元 each
    recompute_progress(AS_OF)
    assert status("major-project-investment").current_value == 600


def test_shaoxing_targets_count_only_shaoxing(plan):
    accept_projects(4, "first_set", dt.date(2020, 3, 1), city="shaoxing")
    accept_projects(7, "first_set", dt.date(2020, 3, 1), city="ningbo")
    recompute_progress(AS_OF)
    assert status("sx-first-sets").current_value == 4
    assert status("first-sets").current_value == 11


def test_after_the_deadline_only_values_by_the_deadline_decide(plan, make_user):
    reviewer = make_user("rev", "reviewer")
    approved_figure("robots-in-service", 140000, dt.date(2022, 12, 31), reviewer)
    approved_figure("robots-in-service", 151000, dt.date(2023, 3, 31), reviewer)
    recognise(10, "leading", dt.date(2023, 2, 1))  # too late

    recompute_progress(dt.date(2023, 6, 30))

    robots = status("robots-in-service", dt.date(2023, 6, 30))
    assert robots.status == "missed"
    assert robots.reached_late_on == dt.date(2023, 3, 31)
    leading = status("ent-leading", dt.date(2023, 6, 30))
    assert leading.status == "missed"


def test_roll_ups_to_items_units_and_the_plan(plan):
    recognise(10, "leading", dt.date(2020, 6, 1))  # achieved
    recognise(50, "benchmark", dt.date(2020, 6, 1))  # 50 %
    recompute_progress(AS_OF)

    objective = PlanItem.objects.get(key="I.3")
    rollup = RollupProgress.objects.get(item=objective, as_of=AS_OF)
    assert rollup.targets == 3
    assert rollup.counts["achieved"] == 1
    # ent-leading 100 %, ent-benchmark 50 %, ent-specialised 0 %, equal weights
    assert rollup.percent == pytest.approx(50.0)
    part = RollupProgress.objects.get(item__key="I", as_of=AS_OF)
    assert part.targets == 4  # the three enterprise targets and the platforms
    whole = RollupProgress.objects.get(scope="plan", as_of=AS_OF)
    assert whole.targets == Target.objects.count()
    assert sum(whole.counts.values()) == whole.targets
    econ_it = ResponsibleUnit.objects.get(code="econ-it")
    unit_rollup = RollupProgress.objects.get(unit=econ_it, as_of=AS_OF)
    assert unit_rollup.targets == Target.objects.filter(unit_links__unit=econ_it).count()


def test_recomputing_the_same_date_replaces_and_never_duplicates(plan):
    recognise(5, "leading", dt.date(2020, 6, 1))
    recompute_progress(AS_OF)
    first = list(Progress.objects.values_list("target_id", "status", "current_value"))
    rollups = RollupProgress.objects.count()
    recompute_progress(AS_OF)
    assert list(Progress.objects.values_list("target_id", "status", "current_value")) == first
    assert RollupProgress.objects.count() == rollups
    assert Progress.objects.count() == Target.objects.count()


def test_as_of_a_past_date_ignores_figures_approved_later(plan, make_user):
    reviewer = make_user("rev", "reviewer")
    approved_figure("robots-in-service", 90000, dt.date(2020, 9, 30), reviewer)
    # describes a date before AS_OF but was approved after it
    approved_figure(
        "robots-in-service",
        99000,
        dt.date(2020, 12, 31),
        reviewer,
        approved_on=dt.date(2021, 1, 20),
    )
    recompute_progress(AS_OF)
    assert status("robots-in-service").current_value == 90000
    recompute_progress(dt.date(2021, 2, 1))
    assert status("robots-in-service", dt.date(2021, 2, 1)).current_value == 99000


def test_the_command_prints_a_summary_by_status(plan):
    from io import StringIO

    recognise(10, "leading", dt.date(2020, 6, 1))
    out = StringIO()
    call_command("recompute_progress", "--as-of", "2021-01-01", "--sync", stdout=out)
    assert "Recomputed 15 targets as of 2021-01-01" in out.getvalue()
    assert "achieved 1" in out.getvalue()


def _count_queries(as_of):
    with CaptureQueriesContext(connection) as ctx:
        recompute_progress(as_of)
    return len(ctx.captured_queries)


def test_a_full_recompute_issues_the_same_queries_at_two_data_sizes(plan, make_user):
    reviewer = make_user("rev", "reviewer")
    recognise(3, "leading", dt.date(2020, 6, 1))
    accept_projects(2, "smart_factory", dt.date(2020, 6, 1))
    approved_figure("robots-in-service", 90000, dt.date(2020, 9, 30), reviewer)
    # Closed first (the plan ended in 2022): closing writes a verdict and an event per target,
    # once; what is measured is the computing, closed targets and their revisions included.
    close_due_targets()
    small = _count_queries(dt.date(2023, 2, 1))  # after the deadline: the most queries

    recognise(400, "specialised", dt.date(2020, 6, 1))
    accept_projects(300, "demonstration", dt.date(2020, 6, 1))
    for month in range(1, 12):
        approved_figure("robots-in-service", 90000 + month, dt.date(2021, month, 1), reviewer)
        approved_figure("robot-density", 100 + month, dt.date(2021, month, 1), reviewer)
    large = _count_queries(dt.date(2023, 2, 1))

    assert small == large, f"{small} queries with little data, {large} with more"


def test_history_computes_every_quarter_end_since_the_start(plan):
    from io import StringIO

    out = StringIO()
    call_command("recompute_progress", "--as-of", "2020-02-15", "--history", "--sync", stdout=out)
    assert sorted(set(Progress.objects.values_list("as_of", flat=True))) == [
        dt.date(2019, 3, 31),
        dt.date(2019, 6, 30),
        dt.date(2019, 9, 30),
        dt.date(2019, 12, 31),
        dt.date(2020, 2, 15),
    ]
    assert out.getvalue().count("Recomputed 15 targets") == 5


def test_a_bad_as_of_date_is_one_clear_line(plan):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="--as-of must be a date YYYY-MM-DD, not '2021-02-30'"):
        call_command("recompute_progress", "--as-of", "2021-02-30", "--sync")
