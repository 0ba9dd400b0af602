"""Reminders for stale figures: at most one per target per reporting interval."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from zjai.roles import Role

from .models import Progress, StaleReminder, TargetUnit


def send_stale_reminders(as_of: dt.date | None = None) -> int:
    """E-mail the staff of each stale target's units; returns the number of targets reminded."""
    interval = dt.timedelta(days=settings.ZJAI_REPORTING_INTERVAL_DAYS)
    now = timezone.now()
    stale_rows = Progress.objects.latest_per_target().filter(stale=True).select_related("target")
    if as_of:
        stale_rows = stale_rows.filter(as_of__lte=as_of)
    targets = {row.target_id: row.target for row in stale_rows}
    if not targets:
        return 0
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

    messages, reminders = [], []
    for target in due:
        recipients = sorted(
            {e for u in units_of.get(target.pk, ()) for e in emails_by_unit.get(u, [])}
        )
        subject = f"[zjai] 请更新指标数据 / Figure due: {target.title_zh} ({target.code})"
        body = (
            f"指标“{target.title_zh}”的最新已批准数据已超过 "
            f"{settings.ZJAI_REPORTING_INTERVAL_DAYS} 天未更新，请尽快填报。\n\n"
            f"The newest approved figure of “{target.title_en}” is older than "
            f"{settings.ZJAI_REPORTING_INTERVAL_DAYS} days. Please report a new figure.\n"
        )
        if recipients:
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
        reminders.append(StaleReminder(target=target, sent_at=now, recipients=recipients))
    with transaction.atomic():
        StaleReminder.objects.bulk_create(reminders)
        if messages:
            send_mass_mail(messages, fail_silently=False)
    return len(reminders)
