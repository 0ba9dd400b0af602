"""Who may do what to targets and their figures: the one copy of these rules (DESIGN.md §1).

- Staff and reviewers of a unit responsible for a reported target report its figures (create,
  edit a draft or a rejected figure, submit); administrators report for any reported target.
- Reviewers of the target's lead unit approve, reject and withdraw its figures; administrators
  those of every target.
- Four eyes: nobody reviews a figure they created or submitted, administrators included.
- Administrators and auditors see every figure; everyone else sees approved figures and all the
  figures of their own unit's targets. Targets themselves are public to every signed-in user.
- Only administrators change a target's definition or its responsible units.

The services ask inside their row lock and decide; the views, templates, filters and querysets
ask the same objects to show and list only what a user may do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

from zjai.roles import Role, role_of

from .choices import MeasurementState

if TYPE_CHECKING:
    from .models import Measurement, Target

Figures = TypeVar("Figures", bound=QuerySet)

# The roles that report figures for their unit's targets (administrators report for any).
REPORTING_ROLES = (Role.STAFF, Role.REVIEWER)
EDITABLE_STATES = (MeasurementState.DRAFT, MeasurementState.REJECTED)


def sees_targets(user) -> bool:
    """Targets are public to every signed-in user; what differs by unit is who reports."""
    return user.is_authenticated


def sees_every_figure(user) -> bool:
    return role_of(user) in (Role.ADMIN, Role.AUDITOR)


def visible_figures(figures: Figures, user) -> Figures:
    """Everyone signed in sees approved figures; a unit sees every state of its own targets'
    figures; administrators and auditors see everything."""
    from .models import TargetUnit

    if not user.is_authenticated:
        return figures.none()
    if sees_every_figure(user):
        return figures
    # A subquery, not a join: no duplicate rows to DISTINCT away, and the planner can use
    # the (target, state) index when a page narrows to a few targets (1M figures at scale).
    own = (
        Q(target_id__in=TargetUnit.objects.filter(unit_id=user.unit_id).values("target_id"))
        if user.unit_id
        else Q(pk__in=[])
    )
    return figures.filter(Q(state=MeasurementState.APPROVED) | own)


def may_change_targets(user) -> bool:
    """A target's definition and its responsible units: administrators only, with a reason."""
    return role_of(user) == Role.ADMIN


def own_figures(user) -> Q:
    """The figures `user` created or submitted: four eyes keep them from reviewing these."""
    return Q(created_by=user) | Q(submitted_by=user)


class FigureRules:
    """What one user may do with figures.

    It reads the links of the user's unit to targets once (one query, none without a unit;
    `target_ids` narrows them to some targets), so a page asks it for every row at no further
    cost. The services build one for the target they
    have locked (`for_target`) and decide with it; the pages use the same methods to show only
    the buttons that will work.
    """

    def __init__(self, user, *, target_ids: Iterable[int] | QuerySet | None = None):
        from .models import TargetUnit  # imported here: the models' querysets ask this module

        self.user = user
        role = role_of(user)
        self.admin = role == Role.ADMIN
        self.reporter = role in REPORTING_ROLES
        self.reviewer = role == Role.REVIEWER
        self.unit_id = getattr(user, "unit_id", None) if user.is_authenticated else None
        self.responsible: set[int] = set()
        self.leads: set[int] = set()
        if self.unit_id:
            links = TargetUnit.objects.filter(unit_id=self.unit_id)
            if target_ids is not None:
                links = links.filter(target_id__in=target_ids)
            for target_id, is_lead in links.values_list("target_id", "is_lead"):
                self.responsible.add(target_id)
                if is_lead:
                    self.leads.add(target_id)

    @classmethod
    def for_target(cls, user, target: Target) -> FigureRules:
        """The rules for one target: what a service checks inside its lock."""
        return cls(user, target_ids=[target.pk])

    # --- rights on a target ---------------------------------------------------------------------

    def may_report(self, target: Target) -> bool:
        """Create, edit and submit figures of this target."""
        if not target.is_reported:
            return False
        return self.admin or (self.reporter and target.pk in self.responsible)

    def reviews_target(self, target_id: int) -> bool:
        """Approve, reject and withdraw this target's figures (four eyes aside)."""
        return self.admin or (self.reviewer and target_id in self.leads)

    def is_own(self, figure: Measurement) -> bool:
        return self.user.pk is not None and self.user.pk in (
            figure.created_by_id,
            figure.submitted_by_id,
        )

    # --- rights on a figure in its state ------------------------------------------------------

    def may_edit(self, figure: Measurement) -> bool:
        return figure.state in EDITABLE_STATES and self.may_report(figure.target)

    def may_submit(self, figure: Measurement) -> bool:
        return figure.state == MeasurementState.DRAFT and self.may_report(figure.target)

    def may_review(self, figure: Measurement) -> bool:
        return (
            figure.state == MeasurementState.SUBMITTED
            and not self.is_own(figure)
            and self.reviews_target(figure.target_id)
        )

    def may_withdraw(self, figure: Measurement) -> bool:
        return figure.state == MeasurementState.APPROVED and self.reviews_target(figure.target_id)

    def actions(self, figure: Measurement) -> dict[str, bool]:
        """What a page offers for one figure (the services check again on submit)."""
        return {
            "edit": self.may_edit(figure),
            "submit": self.may_submit(figure),
            "review": self.may_review(figure),
            "own_submitted": figure.state == MeasurementState.SUBMITTED
            and self.is_own(figure)
            and self.reviews_target(figure.target_id),
            "withdraw": self.may_withdraw(figure),
        }

    # --- what waits for this user ---------------------------------------------------------------

    def to_review(self, figures: QuerySet, among: Iterable[int] | None = None) -> QuerySet:
        """The submitted figures this user may review (never their own), of the targets `among`
        if given. Narrowed by target ids, so the database scans the (target, state) index."""
        waiting = figures.filter(state=MeasurementState.SUBMITTED).exclude(own_figures(self.user))
        if self.admin:
            return waiting if among is None else waiting.filter(target_id__in=sorted(set(among)))
        if not self.reviewer:
            return waiting.none()
        ids = self.leads if among is None else self.leads & set(among)
        return waiting.filter(target_id__in=sorted(ids))

    def reports_for_unit(self) -> bool:
        """The user's unit has figures to report, and the user is one who reports them."""
        return bool(self.unit_id) and (self.admin or self.reporter)

    def to_report(self, figures: QuerySet, among: Iterable[int]) -> QuerySet:
        """The draft and rejected figures of the targets `among` that the user's unit reports
        (an administrator's list is their own unit's too, not every unit's)."""
        if not self.reports_for_unit():
            return figures.none()
        ids = self.responsible & set(among)
        return figures.filter(target_id__in=sorted(ids), state__in=EDITABLE_STATES)
