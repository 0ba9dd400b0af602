"""Reads of targets and figures for one user that pages share: a target's history, and what
the user's unit has to act on. What the user may do is targets.rules; this module only lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Exists,
    F,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast

from audit.models import AuditEvent

from .choices import FigureDecision, MeasurementState, SourceKind
from .models import FigureReview, Measurement, Progress, Target
from .rules import FigureRules

# Counts on the dashboard stop here ("99+"): counting every draft of a busy unit would read
# thousands of rows for a badge.
ATTENTION_COUNT_CAP = 99
ATTENTION_ROWS = 5

# Most urgent first (issue 16): what has waited longest, then what falls due first. The rows
# waiting are a few percent of the figures (the demo's 2 % drafts, 1 % submitted, 1 % rejected),
# found by the (target, state, observed_on) index; sorting them for five rows is a top-N sort.
# Figures to report: rejected ones first (a reviewer sent them back), then by the date they
# describe (the oldest is the most overdue), then the target's deadline.
TO_REPORT_ORDER = (
    Case(When(state=MeasurementState.REJECTED, then=Value(0)), default=Value(1)),
    "observed_on",
    "target__deadline",
    "pk",
)
# Figures to review: the longest waiting first (submitted earliest), then the deadline.
TO_REVIEW_ORDER = ("submitted_at", "target__deadline", "pk")
# Stale targets: the oldest newest figure first (none at all before any), then the deadline.
STALE_ORDER = (
    F("current_date").asc(nulls_first=True),
    "target__deadline",
    "target__order",
    "target__code",
)


def target_history(target: Target, user):
    """The audit events of a target, of its closing verdicts (written, and removed when
    reopened) and of those of its figures the user may see, newest first."""
    # A figure's events: for each event of a figure (few), one primary-key lookup of the
    # figure, rather than every one of the target's figures (240,000 at benchmark scale)
    # turned into text to match the events' object ids. CASE keeps the cast to events of
    # figures, whose object ids are their numeric keys.
    figure_visible = Exists(
        Measurement.objects.for_user(user).filter(
            target=target, pk=Cast(OuterRef("object_id"), BigIntegerField())
        )
    )
    return AuditEvent.objects.filter(
        Q(object_type="targets.target", object_id=str(target.pk))
        # A verdict's events name their target (its create event in `after`, its delete event
        # in `before`): a reopened target's earlier verdicts are gone from their table.
        | Q(object_type="targets.targetverdict", after__target=target.pk)
        | Q(object_type="targets.targetverdict", before__target=target.pk)
        | Q(
            Case(
                When(object_type="targets.measurement", then=figure_visible),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    ).order_by("-seq")


def figure_rounds(figure: Measurement) -> list[FigureReview]:
    """A figure's review rounds, oldest first (from `rounds` prefetched, if it was).

    A figure submitted before rounds were kept and never reviewed since (or written in bulk,
    like the demo data) has none stored: its own fields tell one round, returned unsaved."""
    rounds = sorted(figure.rounds.all(), key=lambda r: r.number)
    if rounds or figure.submitted_at is None:
        return rounds
    decided = figure.reviewed_at is not None and (
        figure.state not in (MeasurementState.DRAFT, MeasurementState.SUBMITTED)
        or figure.reviewed_at >= figure.submitted_at
    )
    approved = figure.state not in (
        MeasurementState.DRAFT,
        MeasurementState.SUBMITTED,
        MeasurementState.REJECTED,
    )
    return [
        FigureReview(
            measurement=figure,
            number=1,
            value=figure.value,
            observed_on=figure.observed_on,
            submitted_by=figure.submitted_by,
            submitted_at=figure.submitted_at,
            reviewed_by=figure.reviewed_by if decided else None,
            reviewed_at=figure.reviewed_at if decided else None,
            decision=(FigureDecision.APPROVED if approved else FigureDecision.REJECTED)
            if decided
            else "",
            comment=figure.review_comment if decided else "",
        )
    ]


@dataclass
class Attention:
    """What a user's unit has to do: figures to report, to review, stale targets."""

    to_report: list = field(default_factory=list)
    to_report_count: int = 0
    to_review: list = field(default_factory=list)
    to_review_count: int = 0
    stale: list = field(default_factory=list)
    newest_to_review: dt.datetime | None = None
    reviews: bool = False
    shown: bool = False
    cap: int = ATTENTION_COUNT_CAP


def attention_for(user, plan, as_of: dt.date | None) -> Attention:
    """The figures and targets of a plan that need the user or their unit to act.

    The targets are resolved first (a handful of ids), so the queries over the figures — a
    million at the benchmark scale — are index range scans on (target, state), never a join.
    """
    attention = Attention()
    # The unit's links to this plan's targets only: its other plans need no attention here.
    rules = FigureRules(user, target_ids=Target.objects.filter(plan=plan).values("pk"))
    if rules.unit_id is None and not rules.admin:
        return attention
    reported = set(
        Target.objects.filter(plan=plan, source_kind=SourceKind.REPORTED).values_list(
            "pk", flat=True
        )
    )
    visible = Measurement.objects.for_user(user).select_related("target", "created_by")
    if rules.reports_for_unit():
        attention.shown = True
        mine = rules.to_report(visible, among=reported)
        attention.to_report_count = mine.order_by()[: ATTENTION_COUNT_CAP + 1].count()
        attention.to_report = list(mine.order_by(*TO_REPORT_ORDER)[:ATTENTION_ROWS])
    if rules.admin or rules.reviewer:
        attention.shown = attention.reviews = True
        pending = rules.to_review(visible, among=reported)
        attention.to_review_count = pending.order_by()[: ATTENTION_COUNT_CAP + 1].count()
        attention.to_review = list(pending.order_by(*TO_REVIEW_ORDER)[:ATTENTION_ROWS])
        # The newest submission, so the reader knows fresh ones wait beyond the five shown
        # (always read: the dashboard's queries do not depend on the queue's length).
        attention.newest_to_review = (
            pending.order_by("-submitted_at", "-pk").values_list("submitted_at", flat=True)
        ).first()
    if as_of is not None and rules.responsible:
        attention.shown = True
        attention.stale = list(
            Progress.objects.filter(
                as_of=as_of, stale=True, target_id__in=sorted(rules.responsible)
            )
            .select_related("target")
            .order_by(*STALE_ORDER)
        )
    return attention
