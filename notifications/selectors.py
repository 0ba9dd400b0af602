"""The reads the inbox page and the API share."""

from __future__ import annotations

from django.db.models import F, QuerySet

from .choices import InboxOrder
from .models import Notification


def inbox(user, *, unread: bool = False, kind: str = "", order: str = "") -> QuerySet:
    """The user's own notices, filtered and sorted (unread first by default, then newest)."""
    notices = Notification.objects.for_user(user)
    if unread:
        notices = notices.unread()
    if kind:
        notices = notices.filter(kind=kind)
    if order == InboxOrder.NEWEST:
        return notices.order_by("-created_at", "-id")
    return notices.order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
