"""An item's status for a period, from its units' reports (docs/task-reports.md, "Roll-up").

The rule, in order:
1. The lead unit's consolidated report for the period, when it has written one, states the
   item's status.
2. Otherwise, from the approved reports of the item's units for the period: none → no status
   ("no report"); any unit behind → behind; every unit completed → completed; every unit
   suspended → suspended; any unit in progress or completed → in progress; otherwise (not
   started, possibly with some suspended) → not started.
"""

from __future__ import annotations

from collections.abc import Iterable

from .choices import TaskStatus


def item_status(unit_statuses: Iterable[str], consolidated: str | None = None) -> str | None:
    """The item's status from its units' approved statuses, or the consolidated one."""
    if consolidated:
        return consolidated
    statuses = set(unit_statuses)
    if not statuses:
        return None
    if TaskStatus.BEHIND in statuses:
        return TaskStatus.BEHIND
    if statuses == {TaskStatus.COMPLETED}:
        return TaskStatus.COMPLETED
    if statuses == {TaskStatus.SUSPENDED}:
        return TaskStatus.SUSPENDED
    if statuses & {TaskStatus.IN_PROGRESS, TaskStatus.COMPLETED}:
        return TaskStatus.IN_PROGRESS
    return TaskStatus.NOT_STARTED
