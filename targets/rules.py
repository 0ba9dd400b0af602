"""Who may do what to targets and their figures: the one copy of these rules (DESIGN.md §1).

- Staff and reviewers of a unit responsible for a reported target report its figures (create
  them; edit and submit their own unit's drafts and rejected figures). A figure belongs to the
  unit that reported it (`Measurement.unit`): another unit responsible for the same target sees
  it but does not change or submit it. Administrators report for any reported target and may
  change any unit's draft; a figure an administrator reports belongs to the administrator's
  unit when that unit is responsible for the target, otherwise to the target's lead unit, on
  whose behalf it is reported (targets.services.reporting_unit).
- Reviewers of the target's lead unit approve, reject and withdraw its figures; administrators
  those of every target.
- Four eyes (`FOUR_EYES`): whoever created, edited (any field, in any round, before or after a
  rejection) or submitted a figure never approves or rejects it, administrators included. The
  people are the figure's creator and submitter and its recorded editors
  (`Measurement.editors`, written by the services with each of those steps), so a queue
  excludes them in the query that lists it and a page reads them for all its rows at once.
  `zjai.foureyes.FourEyes` describes "the people who had a hand in a record" for any reviewed
  record, so task reports state the same rule with their own fields.
- Administrators and auditors see every figure; everyone else sees approved figures and all the
  figures of their own unit's targets. Targets themselves are public to every signed-in user.
- Only administrators change a target's definition or its responsible units, and only they
  reopen a closed target (its verdict frozen at closing), with a reason.

The services ask inside their row lock and decide; the views, templates, filters and querysets
ask the same objects to show and list only what a user may do.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Q, QuerySet

from zjai.foureyes import FourEyes
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


def may_reopen_target(user) -> bool:
    """Reopening a closed target (removing its frozen verdict): administrators only, with a
    reason."""
    return role_of(user) == Role.ADMIN


# A figure's creator, its submitter and everyone recorded as having changed it.
FOUR_EYES = FourEyes(
    people=("created_by", "submitted_by"),
    editors="targets.MeasurementEditor",
    record="measurement",
)


def touched_figures(user) -> Q:
    """The figures `user` created, edited or submitted: four eyes keep them from reviewing
    these."""
    return FOUR_EYES.touched(user)


class FigureRules:
    """What one user may do with figures.

    It reads the links of the user's unit to targets once (one query, none without a unit;
    `target_ids` narrows them to some targets), and a page's figures' editors once
    (`read_editors`, only for a user who reviews), so a page asks it for every row at no
    further cost. The services build one for the target they have locked (`for_target`) and
    decide with it; the pages use the same methods to show only the buttons that will work.
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
        # Which figures of a page this user edited (read_editors), and which were read.
        self._edited: set[int] = set()
        self._editors_read: set[int] = set()
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
        """Report figures of this target: create them, and change and submit those of one's
        own unit (`reports_figure`)."""
        if not target.is_reported:
            return False
        return self.admin or (self.reporter and target.pk in self.responsible)

    def reviews_target(self, target_id: int) -> bool:
        """Approve, reject and withdraw this target's figures (four eyes aside)."""
        return self.admin or (self.reviewer and target_id in self.leads)

    # --- four eyes ------------------------------------------------------------------------------

    def has_touched(self, figure: Measurement) -> bool:
        """Whether this user created, edited or submitted the figure (four eyes). Without a
        query when the figure names them, or when `read_editors` read the figure's page."""
        if FOUR_EYES.named_in(self.user, figure):
            return True
        if figure.pk in self._editors_read:
            return figure.pk in self._edited
        return bool(FOUR_EYES.edited(self.user, [figure]))

    def read_editors(self, figures: Iterable[Measurement]) -> None:
        """Read, in one query, which of these figures (a page) this user edited, for
        `has_touched` and `actions`; nothing for a user who reviews nothing."""
        figures = list(figures)
        if not (self.admin or self.reviewer):
            return
        self._edited |= FOUR_EYES.edited(self.user, figures)
        self._editors_read |= {f.pk for f in figures}

    # --- rights on a figure in its state ------------------------------------------------------

    def reports_figure(self, figure: Measurement) -> bool:
        """Change and submit this figure, in a state that allows it: its own unit's staff and
        reviewers, if that unit still reports the target, and administrators."""
        if not self.may_report(figure.target):
            return False
        return self.admin or (self.unit_id is not None and figure.unit_id == self.unit_id)

    def may_edit(self, figure: Measurement) -> bool:
        return figure.state in EDITABLE_STATES and self.reports_figure(figure)

    def may_submit(self, figure: Measurement) -> bool:
        return figure.state == MeasurementState.DRAFT and self.reports_figure(figure)

    def may_review(self, figure: Measurement) -> bool:
        return (
            figure.state == MeasurementState.SUBMITTED
            and self.reviews_target(figure.target_id)
            and not self.has_touched(figure)
        )

    def may_withdraw(self, figure: Measurement) -> bool:
        return figure.state == MeasurementState.APPROVED and self.reviews_target(figure.target_id)

    def actions(self, figure: Measurement) -> dict[str, bool]:
        """What a page offers for one figure (the services check again on submit).
        `review_barred`: a submitted figure this user would review but had a hand in."""
        reviewable = figure.state == MeasurementState.SUBMITTED and self.reviews_target(
            figure.target_id
        )
        touched = reviewable and self.has_touched(figure)
        return {
            "edit": self.may_edit(figure),
            "submit": self.may_submit(figure),
            "review": reviewable and not touched,
            "review_barred": touched,
            "withdraw": self.may_withdraw(figure),
        }

    # --- what waits for this user ---------------------------------------------------------------

    def to_review(self, figures: QuerySet, among: Iterable[int] | None = None) -> QuerySet:
        """The submitted figures this user may review (never one they created, edited or
        submitted), of the targets `among` if given. Narrowed by target ids, so the database
        scans the (target, state) index."""
        waiting = figures.filter(state=MeasurementState.SUBMITTED).exclude(
            touched_figures(self.user)
        )
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
        """The draft and rejected figures of the user's unit, of the targets `among` that it
        reports (an administrator's list is their own unit's too, not every unit's)."""
        if not self.reports_for_unit():
            return figures.none()
        ids = self.responsible & set(among)
        return figures.filter(
            target_id__in=sorted(ids), unit_id=self.unit_id, state__in=EDITABLE_STATES
        )
