"""The read side of task reports (taskreports.selectors): statuses, expected, missing and late
reports, completeness and timeliness, the supervision board by role, at a fixed cost."""

import datetime as dt

import pytest
from django.db.models import prefetch_related_objects

from plans.models import ItemUnit, PlanItem
from taskreports import selectors
from taskreports.choices import TaskStatus
from taskreports.periods import period_starting
from tests.taskreports.read_fixtures import (
    AFTER_Q2,
    Q1,
    Q2,
    Q3,
    consolidated,
    item,
    milestone,
    notice,
    report,
)

pytestmark = pytest.mark.django_db


def test_an_items_status_is_its_newest_periods_roll_up(plan, people):
    # II.2.1: econ-it leads, sci-tech takes part.
    report("II.2.1", "econ-it", Q1, status="completed")
    report("II.2.1", "sci-tech", Q1, status="completed")
    report("II.2.1", "econ-it", Q2, status="in_progress")
    report("II.2.1", "sci-tech", Q2, status="behind")
    # Not approved: never part of the status.
    report("II.2.2", "econ-it", Q2, state="submitted", status="behind")
    report("II.2.3", "econ-it", Q2, state="draft", status="behind")
    statuses = selectors.item_statuses(plan, AFTER_Q2)
    assert statuses[item("II.2.1").pk] == selectors.ItemStatus(TaskStatus.BEHIND, Q2)
    assert item("II.2.2").pk not in statuses
    assert item("II.2.3").pk not in statuses
    # A period not begun by the day does not count.
    assert selectors.item_statuses(plan, dt.date(2019, 3, 31))[
        item("II.2.1").pk
    ] == selectors.ItemStatus(TaskStatus.COMPLETED, Q1)


def test_a_report_by_a_unit_not_responsible_for_the_item_neither_shows_nor_counts(plan, people):
    # talent-office takes no part in II.2.2 (econ-it's): its report there is nobody's business.
    assert not ItemUnit.objects.filter(item=item("II.2.2"), unit__code="talent-office").exists()
    stray = report("II.2.2", "talent-office", Q2, status="behind")
    assert item("II.2.2").pk not in selectors.item_statuses(plan, AFTER_Q2)
    periods = [period_starting(plan, Q2)]
    assert stray not in selectors.reports_of(plan, people["admin"], periods)
    assert stray not in selectors.reports_of(plan, None, periods)
    page = selectors.task_page(item("II.2.2"), people["admin"], AFTER_Q2)
    assert page.status == selectors.UNREPORTED
    assert all(tp.status is None for tp in page.periods)


def test_the_consolidated_report_states_its_period_and_a_newer_period_wins(plan, people):
    report("II.2.1", "econ-it", Q1, status="behind")
    consolidated("II.2.1", Q1, "in_progress", people["reviewer"])
    assert selectors.item_statuses(plan, AFTER_Q2)[item("II.2.1").pk] == selectors.ItemStatus(
        TaskStatus.IN_PROGRESS, Q1, consolidated=True
    )
    # A newer approved period wins over an older consolidated report ...
    report("II.2.1", "econ-it", Q2, status="completed")
    assert selectors.item_statuses(plan, AFTER_Q2)[item("II.2.1").pk].status == "completed"
    # ... and a newer consolidated report over older approved reports.
    consolidated("II.2.2", Q2, "suspended", people["reviewer"])
    report("II.2.2", "econ-it", Q1, status="completed")
    assert selectors.item_statuses(plan, AFTER_Q2)[item("II.2.2").pk].status == "suspended"


def test_counts_by_status_for_the_plan_and_each_item_above_the_tasks(plan, people):
    report("II.2.1", "econ-it", Q2, status="behind")
    report("II.2.2", "econ-it", Q2, status="completed")
    report("II.1.1", "sci-tech", Q2, status="completed")
    milestone("II.2.1", "econ-it", dt.date(2019, 6, 30), "原型系统上线")
    milestone("II.2.1", "econ-it", dt.date(2019, 5, 30), "done", done_on=dt.date(2019, 5, 1))
    milestone("II.2.2", "econ-it", dt.date(2019, 9, 30), "not yet due")
    overview = selectors.task_overview(plan, AFTER_Q2)
    reported = PlanItem.objects.filter(plan=plan, kind__in=selectors.REPORTED_ITEM_KINDS).count()
    assert overview.tasks == reported == 69
    assert overview.plan_counts == {
        "behind": 1,
        "completed": 2,
        selectors.NOT_REPORTED: reported - 3,
    }
    group = item("II.2").pk  # II.2.1–II.2.4 and the column II.2.C2's six entries
    assert overview.counts[group] == {"behind": 1, "completed": 1, selectors.NOT_REPORTED: 8}
    part = item("II").pk
    assert overview.counts[part]["completed"] == 2
    assert [row[0] for row in overview.plan_count_list()] == [
        "not_started",
        "in_progress",
        "completed",
        "behind",
        "suspended",
        "not_reported",
    ]
    assert overview.overdue == {item("II.2.1").pk: 1}
    assert overview.overdue_total == 1


def test_missing_late_and_rates_for_the_coordinating_office(plan, people):
    # II.1.1: sci-tech leads, econ-it takes part. Q2 is due 2019-07-15.
    report("II.1.1", "sci-tech", Q2, submitted_on=dt.date(2019, 7, 10))
    report("II.1.1", "econ-it", Q2, state="returned", submitted_on=dt.date(2019, 7, 16))
    report("II.2.1", "econ-it", Q2, state="draft")  # a draft is not submitted: missing
    board = selectors.supervision(plan, people["admin"], day=AFTER_Q2)
    assert board.period == period_starting(plan, Q2)
    assert [p.start for p in board.periods] == [Q2, Q1]
    missing = {(row.item.key, row.unit.code) for row in board.missing}
    assert ("II.1.1", "sci-tech") not in missing
    assert ("II.1.1", "econ-it") not in missing  # returned counts as submitted
    assert ("II.2.1", "econ-it") in missing
    assert ("II.2.1", "sci-tech") in missing
    # Groups of units ("relevant provincial departments") are expected to report nothing.
    assert not any(row.unit.kind == "collective" for row in board.missing)
    expected_rows = (
        ItemUnit.objects.filter(item__plan=plan, item__kind__in=selectors.REPORTED_ITEM_KINDS)
        .exclude(unit__kind="collective")
        .count()
    )
    assert len(board.missing) == expected_rows - 2
    assert [(row.item.key, row.unit.code) for row in board.late] == [("II.1.1", "econ-it")]
    rates = {u.code: r for u, r in board.rates}
    assert [r.period.start for r in rates["sci-tech"]] == [Q1, Q2]
    econ_q2 = rates["econ-it"][1]
    assert econ_q2.submitted == 1 and econ_q2.on_time == 0
    assert (
        econ_q2.expected
        == ItemUnit.objects.filter(
            item__plan=plan, item__kind__in=selectors.REPORTED_ITEM_KINDS, unit__code="econ-it"
        ).count()
    )
    sci_q2 = rates["sci-tech"][1]
    assert sci_q2.on_time == sci_q2.submitted == 1
    assert sci_q2.completeness == pytest.approx(100 / sci_q2.expected)
    assert rates["sci-tech"][0].completeness == 0


def test_filters_pick_a_closed_period_and_a_unit(plan, people):
    report("II.1.1", "sci-tech", Q1)
    board = selectors.supervision(
        plan,
        people["auditor"],
        day=AFTER_Q2,
        period_start=Q1,
        unit_id=item("II.1.1").units.get(code="sci-tech").pk,
    )
    assert board.period.start == Q1
    assert {row.unit.code for row in board.missing} == {"sci-tech"}
    assert ("II.1.1", "sci-tech") not in {(r.item.key, r.unit.code) for r in board.missing}
    # A period not closed yet (Q3) is not offered: the newest closed one is shown.
    assert (
        selectors.supervision(plan, people["auditor"], day=AFTER_Q2, period_start=Q3).period.start
        == Q2
    )


def test_each_role_follows_its_own_rows_and_never_sees_another_units_draft(plan, people):
    report("II.1.1", "econ-it", Q2, state="draft", work_done="经信厅草稿")
    report("IV.6", "talent-office", Q2, state="submitted")
    # staff of sci-tech: sci-tech's rows only (it leads II.1.*, so all units of those too).
    sci = selectors.supervision(plan, people["staff_sci"], day=AFTER_Q2)
    assert {u.code for u in sci.units} >= {"sci-tech", "econ-it"}
    led = set(
        ItemUnit.objects.filter(unit__code="sci-tech", is_lead=True).values_list(
            "item_id", flat=True
        )
    )
    assert all(row.unit.code == "sci-tech" or row.item.pk in led for row in sci.missing)
    draft_row = next(r for r in sci.missing if (r.item.key, r.unit.code) == ("II.1.1", "econ-it"))
    assert draft_row.report is None  # the lead unit never sees another unit's draft
    # econ-it's own staff see their draft (still missing: not submitted).
    econ = selectors.supervision(plan, people["staff"], day=AFTER_Q2)
    own = next(r for r in econ.missing if (r.item.key, r.unit.code) == ("II.1.1", "econ-it"))
    assert own.report is not None and own.report.state == "draft"
    # talent-office staff: a unit that takes part only in IV.6, which it leads.
    talent = selectors.supervision(plan, people["staff_talent"], day=AFTER_Q2)
    assert {row.item.key for row in talent.missing} == {"IV.6"}
    assert "talent-office" not in {row.unit.code for row in talent.missing}


def test_tasks_behind_overdue_milestones_and_open_notices_on_the_board(plan, people):
    report("II.2.1", "econ-it", Q2, status="behind")
    milestone("II.2.1", "sci-tech", dt.date(2019, 6, 1), "数据集发布")
    milestone("II.1.1", "sci-tech", dt.date(2019, 6, 1), "done", done_on=dt.date(2019, 5, 1))
    notice(
        "econ-it", people["admin"], subject="请报送", reply_by=dt.date(2019, 7, 18), key="II.2.1"
    )
    notice(
        "econ-it", people["admin"], subject="已关闭", reply_by=dt.date(2019, 7, 18), state="closed"
    )
    notice("sci-tech", people["admin"], subject="科技厅", reply_by=dt.date(2019, 8, 1))
    board = selectors.supervision(plan, people["admin"], day=AFTER_Q2)
    assert [(i.key, s.status) for i, s in board.behind] == [("II.2.1", "behind")]
    assert board.behind[0][1].period_label == "2019Q2"
    assert [m.description for m in board.overdue_milestones] == ["数据集发布"]
    assert [n.subject for n in board.notices] == ["请报送", "科技厅"]
    assert board.notice_overdue(board.notices[0]) and not board.notice_overdue(board.notices[1])
    # econ-it's staff: their own unit's notice only.
    staff = selectors.supervision(plan, people["staff"], day=AFTER_Q2)
    assert [n.subject for n in staff.notices] == ["请报送"]
    # A unit filter narrows every section.
    only_sci = selectors.supervision(
        plan, people["admin"], day=AFTER_Q2, unit_id=item("II.1.1").units.get(code="sci-tech").pk
    )
    assert [n.subject for n in only_sci.notices] == ["科技厅"]
    assert [m.description for m in only_sci.overdue_milestones] == ["数据集发布"]


def _many_reports(n_periods: int) -> None:
    links = list(
        ItemUnit.objects.filter(item__kind__in=selectors.REPORTED_ITEM_KINDS).select_related(
            "item", "unit"
        )
    )
    for start in [Q1, Q2][:n_periods]:
        for link in links:
            report(link.item.key, link.unit.code, start, status="behind")


def test_the_board_costs_the_same_queries_whatever_the_number_of_reports(
    plan, people, django_assert_num_queries
):
    # As in a request (accounts.middleware), the user's groups are read once, beforehand.
    prefetch_related_objects([people[w] for w in ("admin", "reviewer", "staff_sci")], "groups")
    for who in ("admin", "reviewer", "staff_sci"):
        user = people[who]
        with django_assert_num_queries(6):
            board = selectors.supervision(plan, user, day=AFTER_Q2)
            len(board.missing)
    _many_reports(2)
    milestone("II.2.1", "econ-it", dt.date(2019, 6, 1), "m1")
    milestone("II.2.2", "sci-tech", dt.date(2019, 6, 1), "m2")
    notice("econ-it", people["admin"], subject="n1", reply_by=dt.date(2019, 7, 18))
    for who in ("admin", "reviewer", "staff_sci"):
        with django_assert_num_queries(6):
            board = selectors.supervision(plan, people[who], day=AFTER_Q2)
            assert board.behind and board.overdue_milestones
    assert not board.missing


def test_before_any_period_closes_nothing_is_missing(plan, people):
    board = selectors.supervision(plan, people["admin"], day=dt.date(2019, 2, 1))
    assert board.period is None and not board.periods
    assert not board.missing and not board.rates


def test_the_overview_costs_four_queries_whatever_the_number_of_reports(
    plan, people, django_assert_num_queries
):
    with django_assert_num_queries(4):
        selectors.task_overview(plan, AFTER_Q2)
    _many_reports(2)
    consolidated("II.2.1", Q2, "completed", people["reviewer"])
    with django_assert_num_queries(4):
        overview = selectors.task_overview(plan, AFTER_Q2)
    with_units = (
        ItemUnit.objects.filter(item__kind__in=selectors.REPORTED_ITEM_KINDS)
        .values("item_id")
        .distinct()
        .count()
    )
    # Every reported item with a unit reported behind; the consolidated report overrides one.
    assert overview.plan_counts["behind"] == with_units - 1
    assert overview.plan_counts["completed"] == 1
