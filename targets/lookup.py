"""A target named by `plan:code`, or by its bare code (the older, deprecated form).

Codes are unique within a plan, not across plans. A bare code names the only plan's target
that has it; where several plans have it, the first plan's (the 2019–2022 plan, whose
addresses and API clients predate the portfolio); where several plans but not the first have
it, nothing: the caller answers 400 naming the plans.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from .models import Target

FIRST_PLAN = "zj-ai-2019-2022"
SEPARATOR = ":"


class AmbiguousCode(Exception):
    def __init__(self, code: str, plans: list[str]):
        super().__init__(code, plans)
        self.code = code
        self.plans = plans


@dataclass(frozen=True)
class Found:
    target: Target | None
    plain: bool  # named by its bare code (deprecated where plans share codes)


def split_reference(reference: str) -> tuple[str | None, str]:
    """`plan:code` → (plan, code); `code` → (None, code)."""
    plan, sep, code = reference.partition(SEPARATOR)
    return (plan, code) if sep else (None, reference)


def find_target(queryset: QuerySet[Target], reference: str) -> Found:
    """The target of `queryset` that `reference` names, or Found(None) when none does; raises
    AmbiguousCode for a bare code that several plans, but not the first, share."""
    if "\x00" in reference:  # PostgreSQL text cannot hold it, so no target has it
        return Found(None, plain=True)
    plan, code = split_reference(reference)
    if plan is not None:
        return Found(queryset.filter(plan__code=plan, code=code).first(), plain=False)
    candidates = list(
        queryset.filter(code=code).select_related("plan").order_by("plan__period_start", "pk")
    )
    if len(candidates) <= 1:
        return Found(candidates[0] if candidates else None, plain=True)
    first = next((t for t in candidates if t.plan.code == FIRST_PLAN), None)
    if first is None:
        raise AmbiguousCode(code, [t.plan.code for t in candidates])
    return Found(first, plain=True)
