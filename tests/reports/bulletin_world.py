"""A small world of task reports for the bulletin's tests: two tasks of the 2019–2022 plan in
2021Q2 (due 2021-07-15), reports approved on time, late, after the instant K1, waiting for
review and still in draft; milestones overdue and done; one consolidated report."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from plans.models import PlanItem, ResponsibleUnit
from taskreports.models import ConsolidatedReport, Milestone, ReviewRound, TaskReport
from zjai.dates import end_of_day

TZ = ZoneInfo("Asia/Shanghai")
PERIOD_START, PERIOD_END = dt.date(2021, 4, 1), dt.date(2021, 6, 30)
K1 = end_of_day(dt.date(2021, 8, 1))  # before II.1.2's econ-it report was approved
K2 = end_of_day(dt.date(2021, 9, 30))


def at(month: int, day: int) -> dt.datetime:
    return dt.datetime(2021, month, day, 10, 0, tzinfo=TZ)


def make_report(plan, key, unit, status, percent, rounds, author, reviewer, **texts):
    """A report with its review rounds: (submitted, reviewed or None, decision)."""
    item = PlanItem.objects.get(plan=plan, key=key)
    last = rounds[-1] if rounds else None
    state = "draft"
    if last:
        state = {"approved": "approved", "returned": "returned", "": "submitted"}[last[2]]
    report = TaskReport.objects.create(
        item=item,
        unit=ResponsibleUnit.objects.get(code=unit),
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        status=status,
        percent_complete=percent,
        state=state,
        created_by=author,
        created_at=at(6, 25),
        submitted_by=author if rounds else None,
        submitted_at=last[0] if last else None,
        first_submitted_at=rounds[0][0] if rounds else None,
        reviewed_by=reviewer if last and last[1] else None,
        reviewed_at=last[1] if last else None,
        **texts,
    )
    for number, (submitted, reviewed, decision) in enumerate(rounds, start=1):
        ReviewRound.objects.create(
            report=report,
            number=number,
            submitted_by=author,
            submitted_at=submitted,
            reviewed_by=reviewer if reviewed else None,
            reviewed_at=reviewed,
            decision=decision,
        )
    return report


@pytest.fixture
def bulletin_world(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    author = make_user("writer", "staff", sci)
    author_econ = make_user("writer2", "staff", econ)
    reviewer = make_user("lead-reviewer", "reviewer", sci)
    people = {
        "auditor": make_user("eye", "auditor", econ),
        "admin": make_user("boss", "admin", econ),
        "staff": author,
        "reviewer": reviewer,
    }
    make_report(
        plan, "II.1.1", "sci-tech", "in_progress", 60,
        [(at(7, 10), at(7, 12), "returned"), (at(7, 13), at(7, 14), "approved")],
        author, reviewer,
        work_done="【测试】完成基础理论研究甲", next_steps="【测试】下一步推进乙",
        problems="【测试】经费不足丙",
    )  # fmt: skip
    make_report(
        plan, "II.1.1", "econ-it", "behind", 30,
        [(at(7, 20), at(7, 22), "approved")], author_econ, reviewer,
        work_done="【测试】逾期报送的进展",
    )  # fmt: skip
    make_report(
        plan, "II.1.2", "sci-tech", "in_progress", 40,
        [(at(7, 14), None, "")], author, reviewer, work_done="【测试】等待审核的内容",
    )  # fmt: skip
    make_report(
        plan, "II.1.2", "econ-it", "completed", 100,
        [(at(7, 14), at(9, 1), "approved")], author_econ, reviewer,
        work_done="【测试】九月才审核通过",
    )  # fmt: skip
    make_report(
        plan, "II.1.3", "sci-tech", "in_progress", 10, [], author, reviewer,
        work_done="【测试】草稿不可见",
    )  # fmt: skip
    for key, unit, due, done, text in [
        ("II.1.1", sci, dt.date(2021, 5, 31), None, "【测试】逾期节点"),
        ("II.1.1", sci, dt.date(2021, 6, 15), dt.date(2021, 6, 10), "【测试】按时节点"),
        ("II.1.2", econ, dt.date(2021, 6, 20), dt.date(2021, 7, 30), "【测试】迟完成节点"),
        ("II.1.2", econ, dt.date(2021, 9, 30), None, "【测试】尚未到期节点"),
    ]:
        Milestone.objects.create(
            item=PlanItem.objects.get(plan=plan, key=key),
            unit=unit,
            due_on=due,
            done_on=done,
            description=text,
            created_at=at(1, 5),
        )
    ConsolidatedReport.objects.create(
        item=PlanItem.objects.get(plan=plan, key="II.1.1"),
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        status="in_progress",
        summary="【测试】牵头单位汇总",
        written_by=reviewer,
        written_at=at(7, 25),
    )
    return people
