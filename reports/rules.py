"""Who may export what, and what an export shows its reader: the one copy of these rules
(DESIGN.md §1, docs/user-guide.md "Reports and exports").

Every signed-in user with a role exports what they may read:

- **The progress report** (PDF, XLSX, CSV; `reports.builders.AsOfReport`) holds only what every
  signed-in user reads: the plan's targets (public, `targets.rules.sees_targets`), the figures
  that count as of the date as known at K (approved by K: `targets.values.counted_figures`;
  never a draft, a submitted or a rejected figure), the register entries as confirmed by K
  (`targets.values.entry_rows_on` reads confirmed entries only, and an entry's proposed change
  is a record of its own that the report never reads), and the roll-ups computed from those.
  So it is the same file for every reader, and nothing in it needs narrowing.
- **The progress bulletin** (`reports.bulletin`) shows the content of task reports approved by
  K only (never a draft), consolidated reports and milestones (public to every role). Beside
  each unit's report it names where the report stood at K (awaiting review, returned): for a
  reader who may not read that report (`taskreports.rules.visible_reports`: another unit's
  report, on an item the reader's unit does not lead, not approved) that state is shown as
  "not yet approved" (`masked_reports`), so the bulletin a staff member or a reviewer makes
  tells nothing of another unit's pending work that its pages would not.
- **Two editions compared** list the audit events that explain their differences, and an
  object's history is read from the audit log: both stay with the readers of the audit log
  (`zjai.roles.may_read_audit_log`: auditors and administrators).

Administrators see every export made; everyone else sees the exports they asked for
(`reports.models.ExportQuerySet.for_user`).
"""

from __future__ import annotations

from collections.abc import Iterable

from zjai.roles import Role, has_a_role, may_read_audit_log, role_of


def may_export(user) -> bool:
    """The reports page, the bulletin and the exports' pages: every signed-in role."""
    return has_a_role(user)


def may_compare_editions(user) -> bool:
    """The comparison lists audit events: the audit log's readers only."""
    return may_read_audit_log(user)


def may_read_history(user) -> bool:
    """An object's history page reads the audit log: its readers only."""
    return may_read_audit_log(user)


def sees_every_export(user) -> bool:
    """Administrators see everyone's exports; the others their own."""
    return role_of(user) == Role.ADMIN


def masked_reports(reader, report_ids: Iterable[int]) -> set[int]:
    """The task reports among `report_ids` whose state a bulletin made for `reader` does not
    name (module docstring): none for a bulletin made without a reader (the command line) or
    for a reader who sees every report (administrators, auditors)."""
    from taskreports.models import TaskReport
    from taskreports.rules import visible_reports

    ids = set(report_ids)
    if reader is None or not ids:
        return set()
    readable = visible_reports(TaskReport.objects.filter(pk__in=ids), reader)
    return ids - set(readable.values_list("pk", flat=True))
