"""The plan switcher of the top bar: every plan, and the one the page shows."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.utils.functional import SimpleLazyObject

from .choice import current_plan
from .models import Plan


def plan_switcher(request: HttpRequest) -> dict:
    # Lazy: pages that never draw the top bar (JSON, files) run no query.
    def shown() -> Plan | None:
        if hasattr(request, "zjai_plan"):
            return request.zjai_plan
        try:
            return current_plan(request)
        except Http404:  # an unknown ?plan= on a page that does not pick a plan
            return None

    return {
        "switcher_plans": SimpleLazyObject(
            lambda: list(Plan.objects.order_by("period_start", "code"))
        ),
        "shown_plan": SimpleLazyObject(shown),
    }
