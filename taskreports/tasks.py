"""Celery jobs of the task reports: the daily reminders (docs/supervision.md, "Reminders").

Idempotent: each reminder is keyed by (kind, item, unit, period), and notifications.services
.notify writes nothing for a recipient who already has that key, so a job that runs again, or
is retried, sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.context import acting_as
from notifications.choices import NotificationKind
from notifications.recipients import people_of_units
from notifications.services import notify
from zjai.dates import end_of_day, today
from zjai.roles import Role

from .selectors import Expected, reminders_due, reviews_waiting

# Who writes a unit's reports, and so is reminded of them.
REMINDED_ROLES = (Role.STAFF, Role.REVIEWER)


def reminder_key(kind: str, row: Expected) -> str:
    """The event a reminder reports: one per kind, item, unit and period."""
    return f"taskreport:{kind}:{row.item.pk}:{row.unit.pk}:{row.period.start.isoformat()}"


def _subject(kind: str, row: Expected) -> str:
    values = {"item": str(row.item), "period": row.period.label, "unit": row.unit.name}
    if kind == NotificationKind.DUE_SOON:
        return _("Task report due %(due)s: %(item)s (%(period)s, %(unit)s)") % {
            **values,
            "due": date_format(row.period.due),
        }
    return _("Task report overdue: %(item)s (%(period)s, %(unit)s)") % values


def send_reminders(day: dt.date | None = None) -> dict[str, int]:
    """The daily reminders: the units' (`remind_units`) and the reviewers' of reports waiting
    too long (`remind_reviewers`). Returns how many notices each kind wrote."""
    day = day or today()
    return {**remind_units(day), NotificationKind.REVIEW_PENDING.value: remind_reviewers(day)}


def remind_units(day: dt.date) -> dict[str, int]:
    """Remind each unit's staff and reviewers of its reports due soon and of those missing
    after the newest closed period."""
    # Notices are written in the site's language, whoever runs the job (as the figures' are).
    with translation.override(settings.LANGUAGE_CODE):
        return _remind_units(day)


def _remind_units(day: dt.date) -> dict[str, int]:
    due_soon, overdue = reminders_due(day, settings.ZJAI_TASK_REPORT_DUE_SOON_DAYS)
    units = {row.unit.pk for row in due_soon + overdue}
    people: dict[int, list] = {}
    # One query for every unit's people, not one per reminder.
    for user in people_of_units(units, REMINDED_ROLES):
        people.setdefault(user.unit_id, []).append(user)
    sent = {NotificationKind.DUE_SOON.value: 0, NotificationKind.OVERDUE.value: 0}
    for kind, rows in ((NotificationKind.DUE_SOON, due_soon), (NotificationKind.OVERDUE, overdue)):
        for row in rows:
            written = notify(
                kind=kind,
                recipients=people.get(row.unit.pk, []),
                subject=_subject(kind, row),
                key=reminder_key(kind, row),
                url=reverse("portfolio:task", args=[row.item.plan.code, row.item.key]),
                unit_id=row.unit.pk,
            )
            sent[kind.value] += len(written)
    return sent


def remind_reviewers(day: dt.date) -> int:
    """Tell the lead unit's reviewers of each report submitted more than
    ZJAI_REVIEW_PENDING_DAYS days ago and not reviewed yet: once per review round."""
    with translation.override(settings.LANGUAGE_CODE):
        return _remind_reviewers(day)


def _remind_reviewers(day: dt.date) -> int:
    days = settings.ZJAI_REVIEW_PENDING_DAYS
    since = end_of_day(day - dt.timedelta(days=days))
    waiting = reviews_waiting(since)
    reviewers: dict[int, list] = {}
    for user in people_of_units({lead for _round, lead in waiting if lead}, [Role.REVIEWER]):
        reviewers.setdefault(user.unit_id, []).append(user)
    written = 0
    for review_round, lead in waiting:
        report = review_round.report
        written += len(
            notify(
                kind=NotificationKind.REVIEW_PENDING,
                recipients=reviewers.get(lead, []) if lead else [],
                subject=_("Task report waiting for review over %(days)d days: %(report)s")
                % {"days": days, "report": report},
                key=f"taskreport:{report.pk}:round:{review_round.number}:review-pending",
                url=reverse("taskreports:report-detail", args=[report.pk]),
                unit_id=lead,
                skip=review_round.submitted_by,
            )
        )
    return written


@shared_task(autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5)
def send_task_report_reminders(day: str | None = None) -> dict[str, int]:
    """Daily: reminders of task reports due soon and overdue (see send_reminders)."""
    with acting_as("job:send_task_report_reminders"):
        return send_reminders(dt.date.fromisoformat(day) if day else None)
