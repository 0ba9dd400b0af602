"""What the public pages read: live publications, one query each (docs/open-data.md)."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Publication


def live_publications() -> QuerySet[Publication]:
    return Publication.objects.live().select_related("plan")


def current_publications() -> list[Publication]:
    """Each published plan's newest live publication, in the plans' order (oldest plan first)."""
    newest: dict[int, int] = {}
    for plan_id, pk in (
        Publication.objects.live()
        .order_by("plan__period_start", "plan__code", "-number")
        .values_list("plan_id", "pk")
    ):
        newest.setdefault(plan_id, pk)
    found = live_publications().in_bulk(list(newest.values()))
    return [found[pk] for pk in newest.values()]


def current_publication(plan_code: str) -> Publication | None:
    return live_publications().filter(plan__code=plan_code).order_by("-number").first()


def publication(plan_code: str, number: int) -> Publication | None:
    return live_publications().filter(plan__code=plan_code, number=number).first()


def editions_of(plan_code: str) -> list[Publication]:
    """The plan's live publications, newest first: the editions a public page links to."""
    return list(
        live_publications().filter(plan__code=plan_code).order_by("-number").defer("content")
    )
