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

from collections.abc import Iterable
from typing import TypeVar

from django.db.models import Q, QuerySet

from plans.models import ItemUnit
from zjai.foureyes import FourEyes
from zjai.roles import Role, role_of

from .choices import NoticeState, ReportState

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


# --- who does what ------------------------------------------------------------------------------


def visible_milestones(milestones: QuerySet, user) -> QuerySet:
    """Milestones are part of the plan's items, public to every signed-in user with a role."""
    if not user.is_authenticated or role_of(user) is None:
        return milestones.none()
    return milestones


class ReportRules:
    """What one user may do with task reports, consolidated reports, milestones and notices.

    - Writing a report (create, edit, submit): the staff and reviewers of the reporting unit,
      for an item that unit is responsible for (plans.ItemUnit); administrators for any unit.
      A report is edited and submitted while a draft or returned.
    - Reviewing (approve, return): a reviewer of the item's lead unit, or an administrator;
      never anyone `FOUR_EYES` names (who created, changed or submitted it).
    - The consolidated report of an item: the lead unit's staff and reviewers; administrators.
    - Milestones: the staff and reviewers of the item's lead unit (any of its milestones) or of
      the owning unit (its own); administrators.
    - Supervision notices: issued by administrators (the coordinating office) to any unit, and
      by a lead unit's reviewers to the units of the items it leads; answered by the addressed
      unit's staff and reviewers; closed by the issuing unit's reviewers or administrators.
    - Auditors read everything and write nothing.

    It reads the user's unit's item links once (one query; `item_ids` narrows them), and a
    page's reports' editors once (`read_editors`), so a list asks it for every row at no
    further cost. The services build one for the item they lock and decide with it.
    """

    def __init__(self, user, *, item_ids: Iterable[int] | QuerySet | None = None):
        role = role_of(user)
        self.user = user
        self.admin = role == Role.ADMIN
        self.reporter = role in REPORTING_ROLES
        self.reviewer = role == Role.REVIEWER
        self.unit_id = getattr(user, "unit_id", None) if user.is_authenticated else None
        self.responsible: set[int] = set()
        self.leads: set[int] = set()
        self._edited: set[int] = set()
        self._editors_read: set[int] = set()
        if self.unit_id and (self.admin or self.reporter):
            links = ItemUnit.objects.filter(unit_id=self.unit_id)
            if item_ids is not None:
                links = links.filter(item_id__in=item_ids)
            for item_id, is_lead in links.values_list("item_id", "is_lead"):
                self.responsible.add(item_id)
                if is_lead:
                    self.leads.add(item_id)

    @classmethod
    def for_item(cls, user, item_id: int) -> ReportRules:
        return cls(user, item_ids=[item_id])

    # --- reports ------------------------------------------------------------------------------

    def may_write_report(self, item_id: int, unit_id: int | None) -> bool:
        """Write the report of `unit_id` on this item (the unit being responsible for the item
        is the services' check, for administrators too)."""
        if self.admin:
            return True
        return (
            self.reporter
            and unit_id is not None
            and unit_id == self.unit_id
            and item_id in self.responsible
        )

    def writes_for_unit(self) -> bool:
        return self.admin or (self.reporter and self.unit_id is not None)

    def reports_report(self, report) -> bool:
        return self.may_write_report(report.item_id, report.unit_id)

    def may_edit(self, report) -> bool:
        return report.state in EDITABLE_STATES and self.reports_report(report)

    def may_submit(self, report) -> bool:
        return report.state in EDITABLE_STATES and self.reports_report(report)

    def reviews_item(self, item_id: int) -> bool:
        """Approve and return this item's reports (four eyes aside)."""
        return self.admin or (self.reviewer and item_id in self.leads)

    def has_touched(self, report) -> bool:
        """Whether this user created, changed or submitted the report (four eyes)."""
        if FOUR_EYES.named_in(self.user, report):
            return True
        if report.pk in self._editors_read:
            return report.pk in self._edited
        return bool(FOUR_EYES.edited(self.user, [report]))

    def read_editors(self, reports: Iterable) -> None:
        """Which of a page's reports this user changed, in one query (only for reviewers)."""
        reports = list(reports)
        if not (self.admin or self.reviewer):
            return
        self._edited |= FOUR_EYES.edited(self.user, reports)
        self._editors_read |= {r.pk for r in reports}

    def may_review(self, report) -> bool:
        return (
            report.state == ReportState.SUBMITTED
            and self.reviews_item(report.item_id)
            and not self.has_touched(report)
        )

    def actions(self, report) -> dict[str, bool]:
        """The buttons of one report (the services check again)."""
        reviewable = report.state == ReportState.SUBMITTED and self.reviews_item(report.item_id)
        touched = reviewable and self.has_touched(report)
        return {
            "edit": self.may_edit(report),
            "submit": self.may_submit(report),
            "review": reviewable and not touched,
            "review_barred": touched,
        }

    def to_review(self, reports: QuerySet) -> QuerySet:
        """The submitted reports this user may review (never one they had a hand in)."""
        waiting = reports.filter(state=ReportState.SUBMITTED).exclude(FOUR_EYES.touched(self.user))
        if self.admin:
            return waiting
        if not self.reviewer:
            return waiting.none()
        return waiting.filter(item_id__in=sorted(self.leads))

    # --- consolidated reports and milestones --------------------------------------------------

    def may_write_consolidated(self, item_id: int) -> bool:
        return self.admin or (self.reporter and item_id in self.leads)

    def may_manage_milestones(self, item_id: int, unit_id: int | None = None) -> bool:
        """Create or change a milestone of this item owned by `unit_id` (None: any unit)."""
        if self.admin:
            return True
        if not self.reporter:
            return False
        if item_id in self.leads:
            return True
        return unit_id is not None and unit_id == self.unit_id and item_id in self.responsible

    def may_edit_milestone(self, milestone) -> bool:
        return self.may_manage_milestones(milestone.item_id, milestone.unit_id)

    # --- supervision notices ------------------------------------------------------------------

    def may_issue_notice(self, unit_id: int | None, item_id: int | None) -> bool:
        """Administrators (the coordinating office) to any unit; a lead unit's reviewer to the
        units of an item it leads (that the unit is responsible for it is the services')."""
        if self.admin:
            return True
        return self.reviewer and item_id is not None and item_id in self.leads

    def may_write_notices(self) -> bool:
        """Whether this user issues notices at all (the button)."""
        return self.admin or (self.reviewer and bool(self.leads))

    def may_reply_notice(self, notice) -> bool:
        return (
            notice.state == NoticeState.OPEN
            and (self.reporter or self.admin)
            and self.unit_id is not None
            and notice.unit_id == self.unit_id
        )

    def may_close_notice(self, notice) -> bool:
        if notice.state == NoticeState.CLOSED:
            return False
        if self.admin:
            return True
        return self.reviewer and self.unit_id is not None and notice.issuing_unit_id == self.unit_id


def issues_notices_as_lead(user, lead_unit_id: int | None) -> bool:
    """`ReportRules.may_issue_notice` when the caller already knows the item's lead unit (the
    supervision page reads it with its board): no query of its own."""
    role = role_of(user)
    if role == Role.ADMIN:
        return True
    return role == Role.REVIEWER and lead_unit_id is not None and user.unit_id == lead_unit_id


def may_issue_notice(user, unit, item=None) -> bool:
    item_id = getattr(item, "pk", item)
    rules = ReportRules(user, item_ids=[item_id] if item_id else [])
    return rules.may_issue_notice(getattr(unit, "pk", unit), item_id)


def may_reply_notice(user, notice) -> bool:
    return ReportRules(user, item_ids=[]).may_reply_notice(notice)


def may_close_notice(user, notice) -> bool:
    return ReportRules(user, item_ids=[]).may_close_notice(notice)


def may_write_notices(user) -> bool:
    return ReportRules(user).may_write_notices()


def my_reports(reports: Reports, user) -> Reports:
    """The reports list's rows: everything for administrators and auditors; otherwise the
    user's unit's reports and those of the items it leads (never another unit's draft)."""
    if sees_everything(user):
        return reports
    if not user.is_authenticated or not user.unit_id:
        return reports.none()
    return reports.filter(
        Q(unit_id=user.unit_id) | Q(item_id__in=led_items(user.unit_id), state__in=SEEN_BY_LEAD)
    )
