"""What the targets app does when a lower layer announces a change (registers.signals)."""

from __future__ import annotations

from typing import Any

from .models import Target
from .services import schedule_recompute


def recompute_register_readers(sender: Any, *, register: str, **kwargs: Any) -> None:
    """A register entry that counts changed: recompute the targets counted or summed from it."""
    schedule_recompute(Target.objects.filter(source_register=register).values_list("pk", flat=True))
