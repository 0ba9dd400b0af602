"""Reminders for stale figures, the reading part: which targets are due a reminder (at most one
per target per reporting interval), to whom, and what it says. Sending them and recording that
they went out is targets.services.send_stale_reminders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max

from accounts.models import User
from zjai.roles import Role

from .choices import MeasurementState, SourceKind
from .models import Measurement, Progress, StaleReminder, Target, TargetUnit, TargetVerdict


@dataclass
class Reminder:
    target: Target
    recipients: list[str]
    subject: str
    body: str
    sent_at: dt.datetime


def due_reminders(as_of: dt.date | None, *, now: dt.datetime) -> list[Reminder]:
    """A reminder for each stale target not reminded within the interval, addressed to the
    staff of its units (none when they have no e-mail address: the reminder still counts)."""
    interval = dt.timedelta(days=settings.ZJAI_REPORTING_INTERVAL_DAYS)
    stale_rows = Progress.objects.latest_per_target().filter(stale=True).select_related("target")
    if as_of:
        stale_rows = stale_rows.filter(as_of__lte=as_of)
    targets = {row.target_id: row.target for row in stale_rows}
    if not targets:
        return []
    recently = set(
        StaleReminder.objects.filter(target_id__in=targets, sent_at__gt=now - interval).values_list(
            "target_id", flat=True
        )
    )
    due = [t for pk, t in targets.items() if pk not in recently]
    units_of: dict[int, set[int]] = {}
    for target_id, unit_id in TargetUnit.objects.filter(target__in=due).values_list(
        "target_id", "unit_id"
    ):
        units_of.setdefault(target_id, set()).add(unit_id)
    all_units = set().union(*units_of.values()) if units_of else set()
    emails_by_unit: dict[int, list[str]] = {}
    for unit_id, email in (
        User.objects.filter(unit_id__in=all_units, is_active=True, groups__name=Role.STAFF)
        .exclude(email="")
        .values_list("unit_id", "email")
        .distinct()
    ):
        emails_by_unit.setdefault(unit_id, []).append(email)

    days = settings.ZJAI_REPORTING_INTERVAL_DAYS
    return [
        Reminder(
            target=target,
            recipients=sorted(
                {e for u in units_of.get(target.pk, ()) for e in emails_by_unit.get(u, [])}
            ),
            subject=f"[zjai] 请更新指标数据 / Figure due: {target.title_zh} ({target.code})",
            body=(
                f"指标“{target.title_zh}”的最新已批准数据已超过 {days} 天未更新，请尽快填报。\n\n"
                f"The newest approved figure of “{target.title_en}” is older than {days} days. "
                "Please report a new figure.\n"
            ),
            sent_at=now,
        )
        for target in due
    ]


# --- notices of figures due, overdue and waiting for review (targets.services) -----------------


@dataclass
class FigureDue:
    """A reported target's next figure: due on `due_on`, reported by the units `unit_ids`."""

    target: Target
    due_on: dt.date
    unit_ids: list[int]


def figures_due(today: dt.date) -> tuple[list[FigureDue], list[FigureDue]]:
    """The reported, open targets whose next figure is due within ZJAI_DUE_SOON_DAYS, and those
    whose figure is overdue. A figure is due ZJAI_REPORTING_INTERVAL_DAYS after the date the
    newest approved one describes (else the baseline date, else the plan's start): the day
    after which the target is stale (targets.progress.is_stale). A target whose newest figure
    already describes its deadline, that is closed, or whose plan is a draft or not yet in
    force, has nothing more due."""
    interval = dt.timedelta(days=settings.ZJAI_REPORTING_INTERVAL_DAYS)
    window = dt.timedelta(days=settings.ZJAI_DUE_SOON_DAYS)
    targets = list(
        Target.objects.filter(
            source_kind=SourceKind.REPORTED, plan__is_draft=False, plan__period_start__lte=today
        )
        .exclude(pk__in=TargetVerdict.objects.values("target_id"))
        .select_related("plan")
        .order_by("pk")
    )
    newest = dict(
        Measurement.objects.filter(
            target__in=[t.pk for t in targets], state=MeasurementState.APPROVED
        )
        .values("target_id")
        .annotate(last=Max("observed_on"))
        .values_list("target_id", "last")
    )
    units: dict[int, list[int]] = {}
    for target_id, unit_id in (
        TargetUnit.objects.filter(target__in=[t.pk for t in targets])
        .order_by("target_id", "order")
        .values_list("target_id", "unit_id")
    ):
        units.setdefault(target_id, []).append(unit_id)
    soon: list[FigureDue] = []
    late: list[FigureDue] = []
    for target in targets:
        last = newest.get(target.pk) or target.baseline_date or target.plan.period_start
        if last >= target.deadline or not units.get(target.pk):
            continue
        due = FigureDue(target, last + interval, units[target.pk])
        if today > due.due_on:
            late.append(due)
        elif due.due_on - today <= window:
            soon.append(due)
    return soon, late


def figures_waiting_for_review(now: dt.datetime) -> list[Measurement]:
    """Submitted figures not reviewed for more than ZJAI_REVIEW_PENDING_DAYS days."""
    since = now - dt.timedelta(days=settings.ZJAI_REVIEW_PENDING_DAYS)
    return list(
        Measurement.objects.filter(state=MeasurementState.SUBMITTED, submitted_at__lt=since)
        .select_related("target__plan")
        .order_by("pk")
    )
