"""Task report rows written directly for the read side's tests (fixtures, not the workflow:
taskreports.services writes them in the application)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from plans.models import PlanItem, ResponsibleUnit
from taskreports.models import ConsolidatedReport, Milestone, SupervisionNotice, TaskReport
from taskreports.periods import period_starting
from tests.web import aware

# The 2019–2022 plan's second quarter: due 2019-07-15 (15 days after it ends).
Q1 = dt.date(2019, 1, 1)
Q2 = dt.date(2019, 4, 1)
Q3 = dt.date(2019, 7, 1)
AFTER_Q2 = dt.date(2019, 7, 20)  # Q1 and Q2 closed, Q3 under way


def item(key: str) -> PlanItem:
    return PlanItem.objects.get(plan__code="zj-ai-2019-2022", key=key)


def unit(code: str) -> ResponsibleUnit:
    return ResponsibleUnit.objects.get(code=code)


def report(
    key: str,
    unit_code: str,
    start: dt.date,
    *,
    state: str = "approved",
    status: str = "in_progress",
    user=None,
    submitted_on: dt.date | None = None,
    percent: int | None = None,
    work_done: str = "",
) -> TaskReport:
    """A report of a unit on an item for the period starting `start`; submitted on its due
    day unless `submitted_on` says otherwise (drafts are never submitted)."""
    the_item = item(key)
    period = period_starting(the_item.plan, start)
    assert period is not None
    sent = None if state == "draft" else aware(submitted_on or period.due)
    return TaskReport.objects.create(
        item=the_item,
        unit=unit(unit_code),
        period_start=period.start,
        period_end=period.end,
        status=status,
        percent_complete=percent,
        work_done=work_done,
        state=state,
        created_by=user,
        created_at=timezone.now(),
        submitted_by=user if sent else None,
        submitted_at=sent,
        first_submitted_at=sent,
    )


def consolidated(
    key: str, start: dt.date, status: str, user, summary: str = ""
) -> ConsolidatedReport:
    the_item = item(key)
    period = period_starting(the_item.plan, start)
    assert period is not None
    return ConsolidatedReport.objects.create(
        item=the_item,
        period_start=period.start,
        period_end=period.end,
        status=status,
        summary=summary,
        written_by=user,
        written_at=timezone.now(),
    )


def milestone(
    key: str, unit_code: str, due_on: dt.date, description: str, done_on=None
) -> Milestone:
    return Milestone.objects.create(
        item=item(key),
        unit=unit(unit_code),
        due_on=due_on,
        description=description,
        done_on=done_on,
        created_at=timezone.now(),
    )


def notice(
    unit_code: str,
    user,
    *,
    subject: str,
    reply_by: dt.date,
    key: str | None = None,
    issuing: str | None = None,
    state: str = "open",
) -> SupervisionNotice:
    the_item = item(key) if key else None
    return SupervisionNotice.objects.create(
        plan=item("II.1.1").plan,
        unit=unit(unit_code),
        item=the_item,
        subject=subject,
        text=subject,
        reply_by=reply_by,
        state=state,
        issued_by=user,
        issuing_unit=unit(issuing) if issuing else None,
        issued_at=timezone.now(),
    )
