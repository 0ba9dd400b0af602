"""Every write to notifications goes through these functions.

`notify` is what the other apps call, inside their own transaction: it writes the inbox rows
at once (they are part of the change that caused them) and nothing else can fail there. The
e-mail and the webhook deliveries go out from Celery after the transaction commits, so a slow
or broken mail server or receiver never blocks or fails the user's save.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .choices import NotificationKind
from .models import Notification


def notify(
    *,
    kind: NotificationKind | str,
    recipients: Iterable,
    subject: str,
    key: str,
    body: str = "",
    url: str = "",
    unit_id: int | None = None,
    skip=None,
) -> list[Notification]:
    """One notice per recipient of the event `key`, unless that recipient already has one for
    it (a job that runs again sends nothing twice). `skip` is a user to leave out (who caused
    the event need not be told of it). Returns the notices written."""
    kind = NotificationKind(kind)
    people = {user.pk: user for user in recipients if user is not None and user.pk is not None}
    if skip is not None:
        people.pop(getattr(skip, "pk", None), None)
    if not people:
        return []
    with transaction.atomic():
        already = set(
            Notification.objects.filter(recipient_id__in=people, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        now = timezone.now()
        rows = [
            Notification(
                recipient_id=pk,
                kind=kind,
                subject=subject[:300],
                body=body,
                url=url,
                key=key[:200],
                unit_id=unit_id,
                created_at=now,
            )
            for pk in sorted(people)
            if pk not in already
        ]
        # ignore_conflicts: two jobs racing on the same event still write one notice each.
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return rows
