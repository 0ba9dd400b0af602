"""What the register tests read back: a counted target's value as the recompute last found it."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone


def leading_today() -> Decimal | None:
    """The leading-enterprises target's count as the recompute last wrote it for today. The
    2019–2022 plan's targets are closed by now, their verdicts frozen (docs/progress.md,
    "Closing and frozen verdicts"): a register change after closing shows as the value revised
    after closing, beside the verdict."""
    from targets.models import Progress

    row = Progress.objects.get(target__code="ent-leading", as_of=timezone.localdate())
    assert row.closed_on is not None, "the 2019–2022 plan's targets are closed by now"
    return row.revised_value if row.revised_value is not None else row.current_value
