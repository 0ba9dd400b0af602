"""seed_demo's task reports (demo/task_reports.py): every closed period of the plan, each
responsible unit's report on each task or a few missing; marked, plausible, deterministic;
review rounds, late reports, milestones, supervision notices; filler at --scale."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter

from django.core.management import call_command
from django.db.models import Count, F

from accounts.models import User
from demo.task_reports import MARK, TASK_REPORTS_PER_SCALE
from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit, Plan
from taskreports.models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskReport,
)
from taskreports.periods import closed_periods
from zjai.dates import end_of_day, today

PLAN = "zj-ai-2019-2022"


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def content() -> list[tuple]:
    """Every demo task report and round, without ids."""
    return [
        *TaskReport.objects.order_by("item__key", "unit__code", "period_start").values_list(
            "item__key", "unit__code", "period_start", "status", "percent_complete", "state",
            "work_done", "next_steps", "problems", "first_submitted_at", "reviewed_at",
            "created_by__username", "reviewed_by__username",
        ),
        *ReviewRound.objects.order_by(
            "report__item__key", "report__unit__code", "report__period_start", "number"
        ).values_list("number", "submitted_at", "reviewed_at", "decision", "comment"),
        *Milestone.objects.order_by("item__key", "due_on").values_list(
            "item__key", "unit__code", "due_on", "done_on", "description"
        ),
        *SupervisionNotice.objects.order_by("issued_at").values_list(
            "unit__code", "subject", "state", "reply", "issued_by__username"
        ),
    ]  # fmt: skip


def test_every_closed_period_has_its_reports_or_a_few_missing(plan):
    output = seed()
    assert "task reports" in output
    periods = closed_periods(plan, today())
    assert len(periods) == 16  # 2019Q1 … 2022Q4
    links = set(
        ItemUnit.objects.filter(item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS).values_list(
            "item_id", "unit_id"
        )
    )
    reports = TaskReport.objects.filter(item__plan=plan)
    assert set(reports.values_list("period_start", flat=True)) == {p.start for p in periods}
    # Only responsible units report at scale 1, once per period; about 5 % are missing.
    assert set(reports.values_list("item_id", "unit_id")) == links
    expected = len(links) * len(periods)
    assert 0.9 * expected < reports.count() < 0.98 * expected
    newest = periods[-1]
    missing_newest = len(links) - reports.filter(period_start=newest.start).count()
    assert missing_newest > 0
    assert not TaskReport.objects.filter(is_demo=False).exists()
    assert all(text.startswith(MARK) for text in reports.values_list("work_done", flat=True))


def test_statuses_states_rounds_and_lateness_are_plausible(plan):
    seed()
    reports = TaskReport.objects.filter(item__plan=plan)
    statuses = Counter(reports.values_list("status", flat=True))
    assert set(statuses) == {"not_started", "in_progress", "completed", "behind", "suspended"}
    assert statuses["in_progress"] > reports.count() / 2
    # Completed late in the plan: none in the first year.
    assert not reports.filter(status="completed", period_end__lt=dt.date(2020, 1, 1)).exists()
    states = Counter(reports.values_list("state", flat=True))
    assert states["approved"] > 0.9 * reports.count()
    newest = closed_periods(plan, today())[-1].start
    # Still waiting for review, or for the unit, only in the newest closed period.
    assert set(reports.exclude(state="approved").values_list("period_start", flat=True)) == {newest}
    assert states["submitted"] > 0 and states["returned"] > 0
    twice = reports.annotate(n=Count("rounds")).filter(n=2, state="approved")
    assert twice.exists()
    for report in twice[:5]:
        first, second = report.rounds.order_by("number")
        assert (first.decision, second.decision) == ("returned", "approved")
        assert first.comment.startswith(MARK) and first.reviewed_at < second.submitted_at
    # Four eyes: nobody reviews a report they wrote.
    assert not ReviewRound.objects.filter(reviewed_by=F("submitted_by")).exists()
    due = dt.timedelta(days=plan.report_due_days)
    late = [r for r in reports if r.first_submitted_at > end_of_day(r.period_end + due)]
    assert 0.05 * reports.count() < len(late) < 0.2 * reports.count()
    assert all(r.first_submitted_at.date() > r.period_end for r in reports)
    latest = end_of_day(today())
    assert not reports.filter(reviewed_at__gt=latest).exists()
    assert ConsolidatedReport.objects.filter(is_demo=True).exists()


def test_milestones_and_supervision_notices(plan):
    seed()
    milestones = Milestone.objects.filter(item__plan=plan)
    items = ItemUnit.objects.filter(item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS)
    assert milestones.count() == 2 * items.values("item_id").distinct().count()
    overdue = milestones.filter(done_on__isnull=True, due_on__lt=today())
    assert 0 < overdue.count() < milestones.count() / 2
    notices = SupervisionNotice.objects.all()
    assert sorted(notices.values_list("state", flat=True)) == ["answered", "closed", "open"]
    assert all(n.is_demo and n.subject.startswith(MARK) for n in notices)
    assert set(notices.values_list("issued_by__username", flat=True)) == {"coordinator"}
    closed = notices.get(state="closed")
    assert closed.reply and closed.replied_at < closed.closed_at


def test_the_same_seed_gives_the_same_rows_and_a_rerun_replaces_them(plan):
    seed()
    first, count = content(), TaskReport.objects.count()
    seed()
    assert TaskReport.objects.count() == count
    assert content() == first
    seed("--seed", "7")
    assert content() != first


def test_the_coordinator_is_an_administrator_of_the_coordinating_office(plan):
    output = seed()
    line = next(line for line in output.splitlines() if line.startswith("coordinator "))
    assert line.split()[1:3] == ["admin", "econ-it"]
    user = User.objects.get(username="coordinator")
    assert user.is_demo and user.groups.filter(name="admin").exists() and not user.is_superuser


def test_the_scale_tops_up_with_filler_of_units_not_responsible(plan):
    seed()
    normal = TaskReport.objects.count()
    seed("--scale", "3")
    assert TaskReport.objects.count() == 3 * TASK_REPORTS_PER_SCALE
    links = set(ItemUnit.objects.values_list("item_id", "unit_id"))
    filler = [r for r in TaskReport.objects.all() if (r.item_id, r.unit_id) not in links]
    assert len(filler) == 3 * TASK_REPORTS_PER_SCALE - normal
    assert {(r.state, r.status) for r in filler} == {("approved", "in_progress")}
    assert Plan.objects.count() == 1  # the scale adds reports, not plans


def test_the_days_reminders_reach_the_demo_inboxes_once(plan):
    """seed_demo sends today's reminders as the daily jobs would: the units that have not
    reported on the newest closed period are told, and a second run tells nobody again."""
    from notifications.models import Notification

    seed()
    overdue = Notification.objects.filter(kind="overdue", key__startswith="taskreport:")
    assert overdue.exists()
    assert all(n.recipient.unit_id == n.unit_id for n in overdue.select_related("recipient"))
    keys = sorted(Notification.objects.values_list("recipient_id", "key"))
    seed()
    assert sorted(Notification.objects.values_list("recipient_id", "key")) == keys
