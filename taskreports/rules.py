"""Who may see and do what with task reports, milestones and supervision notices: the one copy
of these rules (DESIGN.md §1, docs/task-reports.md).

- Seeing: administrators and auditors see everything. Every signed-in user sees approved
  reports (like approved figures). A unit sees every report of its own, in every state; the
  lead unit of an item sees its units' reports once submitted (submitted, approved, returned),
  never another unit's draft.
- Four eyes (`FOUR_EYES`): whoever created, edited or submitted a report never approves or
  returns it, administrators included.
- Supervision notices: the addressed unit, the issuing unit, administrators and auditors see a
  notice.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Q, QuerySet

from plans.models import ItemUnit
from zjai.foureyes import FourEyes
from zjai.roles import Role, role_of

from .choices import ReportState

Reports = TypeVar("Reports", bound=QuerySet)
Notices = TypeVar("Notices", bound=QuerySet)

# The roles that write their unit's reports and milestones (administrators write any unit's).
REPORTING_ROLES = (Role.STAFF, Role.REVIEWER)
EDITABLE_STATES = (ReportState.DRAFT, ReportState.RETURNED)
# What a lead unit sees of its items' other units' reports: never a draft.
SEEN_BY_LEAD = (ReportState.SUBMITTED, ReportState.APPROVED, ReportState.RETURNED)

# A report's creator, its submitter and everyone recorded as having changed it.
FOUR_EYES = FourEyes(
    people=("created_by", "submitted_by"),
    editors="taskreports.TaskReportEditor",
    record="report",
)


def sees_everything(user) -> bool:
    return role_of(user) in (Role.ADMIN, Role.AUDITOR)


def led_items(unit_id: int | None) -> QuerySet:
    """The ids of the items a unit leads (a subquery)."""
    return ItemUnit.objects.filter(unit_id=unit_id, is_lead=True).values("item_id")


def visible_reports(reports: Reports, user) -> Reports:
    """The reports `user` may see (module docstring): one condition, no join that repeats
    rows."""
    if not user.is_authenticated or role_of(user) is None:
        return reports.none()
    if sees_everything(user):
        return reports
    condition = Q(state=ReportState.APPROVED)
    if user.unit_id:
        condition |= Q(unit_id=user.unit_id)
        condition |= Q(item_id__in=led_items(user.unit_id), state__in=SEEN_BY_LEAD)
    return reports.filter(condition)


def visible_notices(notices: Notices, user) -> Notices:
    """Supervision notices: the addressed unit's, the issuing unit's; all for administrators
    and auditors."""
    if not user.is_authenticated or role_of(user) is None:
        return notices.none()
    if sees_everything(user):
        return notices
    if not user.unit_id:
        return notices.none()
    return notices.filter(Q(unit_id=user.unit_id) | Q(issuing_unit_id=user.unit_id))


# --- Supervision (督办): who follows up what ------------------------------------------------
#
# The coordinating office (administrators) and auditors follow every unit on every item; a
# lead unit's people follow every unit on the items their unit leads, and their own unit on
# the rest; anyone else with a unit follows only their own unit's rows.


def may_see_supervision(user) -> bool:
    """The supervision page: anyone with a role who sees everything or belongs to a unit."""
    if not user.is_authenticated or role_of(user) is None:
        return False
    return sees_everything(user) or bool(user.unit_id)


def supervised(rows: Reports, user, *, item: str = "item_id", unit: str = "unit_id") -> Reports:
    """The rows of (item, unit) pairs — item units, reports, milestones — that `user` follows
    on the supervision page (see above)."""
    if not may_see_supervision(user):
        return rows.none()
    if sees_everything(user):
        return rows
    return rows.filter(Q(**{f"{item}__in": led_items(user.unit_id)}) | Q(**{unit: user.unit_id}))


def supervised_items(user) -> QuerySet:
    """The ids of the items `user` follows at least one unit of (a subquery)."""
    return supervised(ItemUnit.objects.all(), user).values("item_id")
