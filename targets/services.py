"""Every write to targets, figures, progress and reminders goes through these functions.

Browser views, the admin, the API, jobs and commands all call them, so each write path checks
the same rules, records the same audit event and triggers the same recompute. Each function
takes a keyword-only `acting_user`, runs in one transaction, locks the row it changes and
re-checks its state and version inside the lock, so two people acting at once cannot both win.
Who may act is targets.rules, asked inside the lock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from notifications.choices import NotificationKind
from notifications.recipients import people_of_units
from notifications.services import notify
from plans.models import Plan, ResponsibleUnit
from zjai.dates import today
from zjai.decimals import exact_field, plain_number
from zjai.exceptions import ConflictError
from zjai.roles import Role
from zjai.uploads import uploaded_name
from zjai.validators import validate_sensible_date

from . import recompute as computing
from . import reminders
from .choices import FigureDecision, MeasurementState
from .models import (
    METADATA_FIELDS,
    FigureReview,
    Measurement,
    MeasurementEditor,
    Progress,
    RollupProgress,
    StaleReminder,
    Target,
    TargetUnit,
    TargetVerdict,
)
from .rules import REPORTING_ROLES, FigureRules, may_change_targets, may_reopen_target

logger = logging.getLogger(__name__)

MEASUREMENT_FIELDS = [
    "target",
    "unit",
    "value",
    "observed_on",
    "note",
    "evidence",
    "evidence_name",
    "state",
    "review_comment",
    "withdrawal_reason",
    "superseded_by",
    "version",
]


# --- validation --------------------------------------------------------------------------------


def clean_value(target: Target, value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"value": _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({"value": _("Enter a finite number.")})
    if number < 0 and not target.allows_negative:
        raise ValidationError({"value": _("This target's values cannot be negative.")})
    field = exact_field(Measurement, "value")
    if number not in field.range:
        raise ValidationError({"value": field.range.message})
    # Within the range, rounding to the places kept stays within it (its ends have as many).
    return number.quantize(Decimal(1).scaleb(-field.decimal_places))


def clean_observed_on(target: Target, observed_on) -> dt.date:
    if isinstance(observed_on, str):
        try:
            observed_on = dt.date.fromisoformat(observed_on)
        except ValueError:
            raise ValidationError({"observed_on": _("Enter a date as YYYY-MM-DD.")}) from None
    if not isinstance(observed_on, dt.date):
        raise ValidationError({"observed_on": _("Enter a date as YYYY-MM-DD.")})
    try:
        validate_sensible_date(observed_on)
    except ValidationError as exc:
        raise ValidationError({"observed_on": exc.messages}) from None
    if observed_on > timezone.localdate():
        raise ValidationError({"observed_on": _("A figure cannot describe a future date.")})
    return observed_on


# --- recompute triggers ------------------------------------------------------------------------


def schedule_recompute(target_ids: Iterable[int]) -> None:
    """Mark the targets dirty now and queue their recompute once the transaction commits.

    The dirty mark is written with the change itself, so if the broker cannot be reached the
    write still succeeds and the beat sweep (targets.tasks.sweep_dirty_targets) catches up.
    """
    ids = sorted(set(target_ids))
    if not ids:
        return
    Target.objects.filter(pk__in=ids, dirty_since__isnull=True).update(dirty_since=timezone.now())
    transaction.on_commit(lambda: enqueue_recompute(ids))


def enqueue_recompute(target_ids: list[int]) -> bool:
    from .tasks import recompute_targets

    try:
        recompute_targets.apply_async(args=[target_ids], retry=False)
    except Exception:  # the broker is down or unreachable: the sweep will catch up
        logger.warning("could not queue recompute of targets %s; left for the sweep", target_ids)
        return False
    return True


# --- figures -----------------------------------------------------------------------------------


def _locked(measurement: Measurement) -> Measurement:
    """The figure, locked until the transaction ends. The caller checks the right first and
    the version second (`_check_version`), so a user without the right learns that (403), not
    that someone else changed the figure meanwhile (412)."""
    return Measurement.objects.select_for_update().select_related("target").get(pk=measurement.pk)


def _check_version(locked: Measurement, expected_version: int | None) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "This figure was changed by someone else (version %(current)d, you had "
                "%(yours)d). Reload it and try again."
            )
            % {"current": locked.version, "yours": expected_version},
            current_version=locked.version,
        )


def _check_reports_figure(rules: FigureRules, figure: Measurement) -> None:
    """The right to change or submit a figure (any state; the state is checked after the
    version)."""
    if not rules.may_report(figure.target):
        raise PermissionDenied(_("Your unit does not report figures for this target."))
    if not rules.reports_figure(figure):
        raise PermissionDenied(
            _("This figure was reported by another unit: only its staff may change or submit it.")
        )


def _record_editor(figure: Measurement, user) -> None:
    """Note that `user` created, changed or submitted the figure: four eyes keep them from
    reviewing it (targets.rules.FOUR_EYES). The audit event of the same step says it too."""
    if user is not None and user.pk is not None:
        MeasurementEditor.objects.get_or_create(measurement=figure, user=user)


def reporting_unit(rules: FigureRules, target: Target) -> int | None:
    """The unit a new figure belongs to (whose staff may change and submit it): the reporting
    user's, which is responsible for the target. An administrator reporting for a target their
    unit is not responsible for reports on behalf of the target's lead unit, whose staff can
    then correct and submit the figure and whose reviewers (not the administrator) review it."""
    if rules.unit_id is not None and target.pk in rules.responsible:
        return rules.unit_id
    lead = (
        TargetUnit.objects.filter(target=target, is_lead=True)
        .values_list("unit_id", flat=True)
        .first()
    )
    return lead if lead is not None else rules.unit_id


def create_measurement(
    *, target: Target, value, observed_on, note: str = "", evidence=None, acting_user
) -> Measurement:
    """A draft figure for a reported target of the user's unit, belonging to that unit."""
    rules = FigureRules.for_target(acting_user, target)
    if not rules.may_report(target):
        raise PermissionDenied(_("Your unit does not report figures for this target."))
    measurement = Measurement(
        target=target,
        unit_id=reporting_unit(rules, target),
        value=clean_value(target, value),
        observed_on=clean_observed_on(target, observed_on),
        note=note or "",
        state=MeasurementState.DRAFT,
        created_by=acting_user,
        created_at=timezone.now(),
    )
    if evidence:
        measurement.evidence = evidence
        measurement.evidence_name = uploaded_name(evidence)
    with transaction.atomic():
        measurement.save()
        _record_editor(measurement, acting_user)
        record_event(
            action="create",
            obj=measurement,
            acting_user=acting_user,
            after=snapshot(measurement, MEASUREMENT_FIELDS),
        )
    return measurement


EDITABLE_FIELDS = frozenset({"value", "observed_on", "note", "evidence"})


def update_measurement(
    measurement: Measurement, *, acting_user, expected_version: int | None = None, **changes
) -> Measurement:
    """Change a draft or a rejected figure of the user's unit (value, date, note, evidence);
    a rejected figure becomes a draft again. Submitted or reviewed figures are final.

    Changes that change nothing (the same values, or none) leave the figure as it is: no new
    version, no audit event, and the user is not recorded as having edited it."""
    return _edit(measurement, acting_user, expected_version, changes, reopen=False)


def _edit(
    measurement: Measurement,
    acting_user,
    expected_version: int | None,
    changes: dict,
    *,
    reopen: bool,
) -> Measurement:
    """update_measurement; with `reopen`, a rejected figure becomes a draft even when nothing
    else changes (to be submitted again as it is)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = _locked(measurement)
        _check_reports_figure(FigureRules.for_target(acting_user, locked.target), locked)
        _check_version(locked, expected_version)
        if locked.state not in (MeasurementState.DRAFT, MeasurementState.REJECTED):
            raise ConflictError(_("Only a draft or a rejected figure can be edited."))
        before = snapshot(locked, MEASUREMENT_FIELDS)
        if "value" in changes:
            locked.value = clean_value(locked.target, changes["value"])
        if "observed_on" in changes:
            locked.observed_on = clean_observed_on(locked.target, changes["observed_on"])
        if "note" in changes:
            locked.note = changes["note"] or ""
        new_file = bool(changes.get("evidence"))
        if new_file:
            locked.evidence = changes["evidence"]
            locked.evidence_name = uploaded_name(changes["evidence"])
        edited = new_file or snapshot(locked, MEASUREMENT_FIELDS) != before
        if not edited and not (reopen and locked.state == MeasurementState.REJECTED):
            return locked
        if locked.state == MeasurementState.REJECTED:
            locked.state = MeasurementState.DRAFT
        locked.version += 1
        locked.save()
        if edited:
            _record_editor(locked, acting_user)
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
        )
    return locked


def submit_measurement(
    measurement: Measurement, *, acting_user, expected_version: int | None = None
) -> Measurement:
    """draft → submitted, for review by the target's lead unit (by a reviewer who neither
    created, edited nor submitted it)."""
    with transaction.atomic():
        locked = _locked(measurement)
        _check_reports_figure(FigureRules.for_target(acting_user, locked.target), locked)
        _check_version(locked, expected_version)
        if locked.state != MeasurementState.DRAFT:
            raise ConflictError(
                _("Only a draft can be submitted; this figure is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        before = snapshot(locked, MEASUREMENT_FIELDS)
        locked.state = MeasurementState.SUBMITTED
        submitted_at = timezone.now()
        locked.submitted_by = acting_user
        locked.submitted_at = submitted_at
        locked.version += 1
        locked.save()
        _record_editor(locked, acting_user)
        # The round is bookkeeping beside this event: each submit event opens one.
        _open_round(locked, submitted_at)
        record_event(
            action="submit",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
        )
        _tell_reviewers(locked, acting_user=acting_user)
    return locked


def _open_round(figure: Measurement, at: dt.datetime) -> FigureReview:
    """A submission opens the figure's next review round, with what was submitted. The figure
    is locked: rounds are numbered without a race."""
    number = FigureReview.objects.filter(measurement=figure).count() + 1
    return FigureReview.objects.create(
        measurement=figure,
        number=number,
        value=figure.value,
        observed_on=figure.observed_on,
        submitted_by=figure.submitted_by,
        submitted_at=at,
    )


def _close_round(figure: Measurement, *, approve: bool) -> FigureReview:
    """The reviewer's decision closes the open round: who, when, the decision, the comment.
    A figure submitted before rounds were kept has none open: its round is written now, from
    the figure's submission."""
    current = (
        FigureReview.objects.select_for_update()
        .filter(measurement=figure, decision="")
        .order_by("-number")
        .first()
    )
    if current is None:
        current = FigureReview(
            measurement=figure,
            number=FigureReview.objects.filter(measurement=figure).count() + 1,
            value=figure.value,
            observed_on=figure.observed_on,
            submitted_by=figure.submitted_by,
            # A submitted figure has its submitted_at (measurement_submitted_dated).
            submitted_at=figure.submitted_at or timezone.now(),
        )
    current.reviewed_by = figure.reviewed_by
    current.reviewed_at = figure.reviewed_at
    current.decision = FigureDecision.APPROVED if approve else FigureDecision.REJECTED
    current.comment = figure.review_comment
    current.save()
    return current


def report_measurement(
    *,
    target: Target,
    value,
    observed_on,
    note: str = "",
    evidence=None,
    submit: bool = False,
    acting_user,
) -> tuple[Measurement, str]:
    """A new figure, and with `submit` its submission, as one change: if the database goes
    away between the two steps nothing is kept, rather than a draft the user does not know about
    and would report a second time (tests/ops/test_faults.py). Should the submission itself be
    refused, the draft is kept and the refusal returned with it ("" when all went through)."""
    with transaction.atomic():
        figure = create_measurement(
            target=target,
            value=value,
            observed_on=observed_on,
            note=note,
            evidence=evidence,
            acting_user=acting_user,
        )
        if not submit:
            return figure, ""
        try:
            figure = submit_measurement(
                figure, acting_user=acting_user, expected_version=figure.version
            )
        except (ConflictError, PermissionDenied) as exc:
            return figure, str(exc)
    return figure, ""


def revise_measurement(
    measurement: Measurement,
    *,
    acting_user,
    expected_version: int | None = None,
    submit: bool = False,
    **changes,
) -> Measurement:
    """Change a draft or rejected figure and, with `submit`, submit it: all or nothing."""
    with transaction.atomic():
        # Submitting a rejected figure again as it was is a change of its own: back to draft.
        figure = _edit(measurement, acting_user, expected_version, changes, reopen=submit)
        if submit:
            figure = submit_measurement(
                figure, acting_user=acting_user, expected_version=figure.version
            )
    return figure


def _review(
    measurement,
    *,
    acting_user,
    approve: bool,
    comment: str,
    expected_version,
    supersede: bool | int = False,
):
    with transaction.atomic():
        locked = _locked(measurement)
        rules = FigureRules.for_target(acting_user, locked.target)
        if not rules.reviews_target(locked.target_id):
            raise PermissionDenied(_("Only reviewers of the target's lead unit may review it."))
        if rules.has_touched(locked):
            raise PermissionDenied(
                _(
                    "You cannot review a figure you created, edited or submitted: another "
                    "reviewer must approve or reject it."
                )
            )
        _check_version(locked, expected_version)
        if locked.state != MeasurementState.SUBMITTED:
            raise ConflictError(
                _("Only a submitted figure can be reviewed; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        now = timezone.now()
        if approve:
            _supersede_approved(locked, acting_user=acting_user, supersede=supersede, at=now)
        before = snapshot(locked, MEASUREMENT_FIELDS)
        locked.state = MeasurementState.APPROVED if approve else MeasurementState.REJECTED
        locked.reviewed_by = acting_user
        locked.reviewed_at = now
        locked.review_comment = comment or ""
        locked.version += 1
        locked.save()
        # The approve or reject event closes the round the last submit event opened.
        _close_round(locked, approve=approve)
        record_event(
            action="approve" if approve else "reject",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
            reason=comment or "",
        )
        _tell_author(locked, acting_user=acting_user)
        if approve:
            schedule_recompute([locked.target_id])
    return locked


def approved_for_same_date(figure: Measurement) -> Measurement | None:
    """The approved figure that approving `figure` would supersede: the one for the same
    target and date (at most one, measurement_one_approved_per_date)."""
    return (
        Measurement.objects.filter(
            target_id=figure.target_id,
            observed_on=figure.observed_on,
            state=MeasurementState.APPROVED,
        )
        .exclude(pk=figure.pk)
        .first()
    )


def _supersede_approved(figure: Measurement, *, acting_user, supersede: bool | int, at) -> None:
    """Before `figure` is approved: mark the approved figure for its target and date superseded
    by it, if the reviewer confirmed that (`supersede` True, or that figure's id); otherwise
    refuse, naming the figure and its value, so no approval replaces another silently."""
    current = (
        Measurement.objects.select_for_update()
        .filter(
            target_id=figure.target_id,
            observed_on=figure.observed_on,
            state=MeasurementState.APPROVED,
        )
        .exclude(pk=figure.pk)
        .first()
    )
    if current is None:
        return
    named = {"id": current.pk, "value": plain_number(current.value), "date": current.observed_on}
    if supersede is False:
        raise ConflictError(
            _(
                "Figure #%(id)s (%(value)s) is already approved for %(date)s. Approving this one "
                "supersedes it: confirm that you replace it."
            )
            % named
        )
    if supersede is not True and supersede != current.pk:
        raise ConflictError(
            _(
                "The approved figure for %(date)s is #%(id)s (%(value)s), not the one you "
                "confirmed replacing. Check it and confirm again."
            )
            % named
        )
    before = snapshot(current, MEASUREMENT_FIELDS)
    current.state = MeasurementState.SUPERSEDED
    current.superseded_by = figure
    current.superseded_at = at
    current.version += 1
    # Saved before the new figure is approved: one approved figure per date at every statement.
    current.save()
    record_event(
        action="supersede",
        obj=current,
        acting_user=acting_user,
        before=before,
        after=snapshot(current, MEASUREMENT_FIELDS),
        reason=_("Superseded by figure #%(id)s (%(value)s).")
        % {"id": figure.pk, "value": plain_number(figure.value)},
    )


def approve_measurement(
    measurement: Measurement,
    *,
    acting_user,
    comment: str = "",
    expected_version: int | None = None,
    supersede: bool | int = False,
) -> Measurement:
    """submitted → approved: the figure now counts; the target is recomputed after commit.

    If another figure is approved for the same target and date, it is superseded only when
    `supersede` is True or names its id (a reviewer who saw it); otherwise ConflictError (409)
    names it and its value. The superseded figure counts for dates before now, not after, and
    gets a "supersede" event naming this one, in the same transaction."""
    return _review(
        measurement,
        acting_user=acting_user,
        approve=True,
        comment=comment,
        expected_version=expected_version,
        supersede=supersede,
    )


def reject_measurement(
    measurement: Measurement, *, acting_user, comment: str, expected_version: int | None = None
) -> Measurement:
    """submitted → rejected, with the reviewer's reason."""
    if not (comment or "").strip():
        raise ValidationError({"comment": _("Say why the figure is rejected.")})
    return _review(
        measurement,
        acting_user=acting_user,
        approve=False,
        comment=comment,
        expected_version=expected_version,
    )


def withdraw_measurement(
    measurement: Measurement, *, acting_user, reason: str, expected_version: int | None = None
) -> Measurement:
    """approved → withdrawn by an admin or the lead unit's reviewer, with a reason: the figure
    stops counting from now on (reports as of earlier dates still show it, as they did)."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Changing an approved figure needs a reason.")})
    with transaction.atomic():
        locked = _locked(measurement)
        if not FigureRules.for_target(acting_user, locked.target).reviews_target(locked.target_id):
            raise PermissionDenied(_("Only reviewers of the target's lead unit may withdraw it."))
        _check_version(locked, expected_version)
        if locked.state != MeasurementState.APPROVED:
            raise ConflictError(_("Only an approved figure can be withdrawn."))
        before = snapshot(locked, MEASUREMENT_FIELDS)
        locked.state = MeasurementState.WITHDRAWN
        locked.withdrawn_by = acting_user
        locked.withdrawn_at = timezone.now()
        locked.withdrawal_reason = reason
        locked.version += 1
        locked.save()
        record_event(
            action="withdraw",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
            reason=reason,
        )
        schedule_recompute([locked.target_id])
    return locked


# --- targets -----------------------------------------------------------------------------------

TARGET_FIELDS = [
    "title_zh",
    "title_en",
    "quote",
    "unit_of_measure",
    "unit_of_measure_en",
    "comparator",
    "target_value",
    "baseline_value",
    "baseline_date",
    "admin_baseline_value",
    "admin_baseline_date",
    "deadline",
    "scope",
    "growth_model",
    "source_filter",
    "source_scale",
    "allows_negative",
    "weight",
    "headline",
    *METADATA_FIELDS,
    "metadata_updated_at",
    "version",
]
# What a target is measured by (its code, plan, item, source kind and register) is the plan
# file's to say: load_action_plan changes those, recorded as the command's events. So is the
# baseline the plan states: an administrator sets a baseline of their own
# (`admin_baseline_*`), which counts only where the plan states none (targets.baselines).
# What the target's progress reads: everything but its metadata.
MEASURED_BY = [
    name for name in TARGET_FIELDS if name not in {*METADATA_FIELDS, "metadata_updated_at"}
]
# `metadata_updated_at` is the service's to set (stamp_metadata), never a caller's.
TARGET_EDITABLE = set(TARGET_FIELDS) - {
    "version",
    "baseline_value",
    "baseline_date",
    "metadata_updated_at",
}


def metadata_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether a metadata text differs between two sets of a target's values (a missing one
    is empty): the rule that sets `metadata_updated_at`, for update_target and the plan file's
    loader (portfolio.services) alike."""
    return any((before.get(name) or "") != (after.get(name) or "") for name in METADATA_FIELDS)


def stamp_metadata(target: Target, before: Mapping[str, Any]) -> bool:
    """Set `metadata_updated_at` to now if a metadata text of `target` differs from `before`
    (its values before the write); whether it did."""
    if not metadata_changed(before, {name: getattr(target, name) for name in METADATA_FIELDS}):
        return False
    target.metadata_updated_at = timezone.now()
    return True


def _locked_target(target: Target, expected_version: int | None) -> Target:
    locked = Target.objects.select_for_update().get(pk=target.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _("This target was changed by someone else. Reload it and try again."),
            current_version=locked.version,
        )
    return locked


def _check_target_change(acting_user, reason: str) -> None:
    if not may_change_targets(acting_user):
        raise PermissionDenied(_("Only an administrator may change a target."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Changing a target needs a reason.")})


def update_target(
    target: Target, *, acting_user, reason: str, expected_version: int | None = None, **changes
) -> Target:
    """Change a target's definition (value, baseline, deadline, weight, …) or its metadata
    texts (definition, computation, data source, limitations): administrators only, with a
    reason, audited field by field, followed by a recompute of the target when more than its
    metadata changed. A change of a metadata text sets `metadata_updated_at`. The right is
    checked before the version (403 before 412); values that change nothing change no version
    and record no event."""
    _check_target_change(acting_user, reason)
    unknown = set(changes) - TARGET_EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = _locked_target(target, expected_version)
        before = snapshot(locked, TARGET_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["restated_in"])
        if snapshot(locked, TARGET_FIELDS) == before:
            # The same values (full_clean made them the fields' types): nothing to record.
            return locked
        stamp_metadata(locked, before)
        # The metadata texts move no figure: only a change of the other fields is recomputed.
        moved = snapshot(locked, MEASURED_BY) != {name: before[name] for name in MEASURED_BY}
        locked.version += 1
        locked.save()
        locked.refresh_from_db()  # the values as stored (160000 as 160000.0000)
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, TARGET_FIELDS),
            reason=reason.strip(),
        )
        if moved:
            schedule_recompute([locked.pk])
    return locked


def target_units(target: Target) -> list[dict]:
    """A target's responsible units as the audit trail shows them: in order, by code and name,
    and which one leads (its reviewers approve the target's figures)."""
    return [
        link.unit.as_link(lead=link.is_lead)
        for link in TargetUnit.objects.filter(target=target)
        .select_related("unit")
        .order_by("order", "pk")
    ]


def set_target_units(
    target: Target,
    *,
    links: Sequence[tuple[ResponsibleUnit, bool]],
    acting_user,
    reason: str,
    expected_version: int | None = None,
) -> Target:
    """Make the target's responsible units exactly `links` ((unit, leads), in order):
    administrators only, with a reason. The lead unit decides who approves the target's
    figures, so the change is audited with the units before and after, bumps the target's
    version and recomputes it (the units' roll-ups count it). Setting the same units again
    changes nothing."""
    _check_target_change(acting_user, reason)
    units = [unit for unit, _lead in links]
    if len({unit.pk for unit in units}) != len(units):
        raise ValidationError({"units": _("This unit is already responsible for the target.")})
    if sum(1 for _unit, lead in links if lead) > 1:
        raise ValidationError({"units": _("A target has one lead unit.")})
    with transaction.atomic():
        locked = _locked_target(target, expected_version)
        have = list(
            TargetUnit.objects.filter(target=locked)
            .order_by("order", "pk")
            .values_list("unit_id", "is_lead")
        )
        if have == [(unit.pk, bool(lead)) for unit, lead in links]:
            return locked
        before = {"units": target_units(locked), "version": locked.version}
        TargetUnit.objects.filter(target=locked).delete()
        TargetUnit.objects.bulk_create(
            TargetUnit(target=locked, unit=unit, order=order, is_lead=bool(lead))
            for order, (unit, lead) in enumerate(links)
        )
        locked.version += 1
        locked.save(update_fields=["version"])
        record_event(
            action="set_units",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after={"units": target_units(locked), "version": locked.version},
            reason=reason.strip(),
        )
        schedule_recompute([locked.pk])
    return locked


# --- closing -----------------------------------------------------------------------------------

VERDICT_FIELDS = [
    "target",
    "closed_on",
    "status",
    "value",
    "value_date",
    "percent",
    "score",
    "known_at",
    "written_at",
]


def due_for_closing(now: dt.datetime) -> QuerySet[Target]:
    """Targets without a verdict whose closing day (deadline + ZJAI_TARGET_CLOSING_DAYS) has
    ended by `now` in Asia/Shanghai (targets.recompute.closing_instant)."""
    latest = timezone.localdate(now) - dt.timedelta(days=settings.ZJAI_TARGET_CLOSING_DAYS)
    return Target.objects.filter(deadline__lt=latest).exclude(
        Exists(TargetVerdict.objects.filter(target=OuterRef("pk")))
    )


def close_due_targets(
    *, now: dt.datetime | None = None, target_ids: Iterable[int] | None = None
) -> list[int]:
    """Write the frozen verdict of every target due for closing (of `target_ids`, if given):
    once, audited (a `create` event of the verdict), never recomputed. Judged on the values
    as known at the moment of writing (docs/progress.md, "Closing and frozen verdicts").
    Returns the ids of the targets closed; running it again closes nothing more."""
    now = now or timezone.now()
    due = due_for_closing(now)
    if target_ids is not None:
        due = due.filter(pk__in=list(target_ids))
    with transaction.atomic():
        targets = list(due.select_for_update(of=("self",)).select_related("plan").order_by("pk"))
        # Another closing run may have written some while this one waited for the locks.
        done = set(
            TargetVerdict.objects.filter(target__in=[t.pk for t in targets]).values_list(
                "target_id", flat=True
            )
        )
        targets = [t for t in targets if t.pk not in done]
        judged = computing.judge_at_closing(targets, known_at=now)
        for target in targets:
            verdict = TargetVerdict.objects.create(
                target=target, known_at=now, written_at=timezone.now(), **asdict(judged[target.pk])
            )
            record_event(
                action="create",
                obj=verdict,
                after=snapshot(verdict, VERDICT_FIELDS),
                reason=_closing_reason(target),
            )
        _take_baselines_from([t.pk for t in targets])
    return [t.pk for t in targets]


def _closing_reason(target: Target) -> str:
    """Why a verdict was written, in the site's language whoever runs the job (a history reads
    it as written)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Closed %(days)s days after the deadline of %(deadline)s.") % {
            "days": settings.ZJAI_TARGET_CLOSING_DAYS,
            "deadline": date_format(target.deadline),
        }


def _take_baselines_from(predecessor_ids: list[int]) -> None:
    """The targets that take their baseline from one of these predecessors' verdicts
    (`baseline_from_predecessor`, docs/plan-file.md) take it now: the verdict's value and the
    date it describes, or none while it has none (a reopened predecessor). Audited; the
    successors are recomputed after commit."""
    successors = list(
        Target.objects.select_for_update()
        .filter(predecessor_id__in=predecessor_ids, baseline_from_predecessor=True)
        .select_related("predecessor__plan")
        .order_by("pk")
    )
    verdicts = {v.target_id: v for v in TargetVerdict.objects.filter(target_id__in=predecessor_ids)}
    changed = []
    for successor in successors:
        assert successor.predecessor_id is not None  # as filtered
        verdict = verdicts.get(successor.predecessor_id)
        value = verdict.value if verdict else None
        date = verdict.value_date if verdict and verdict.value is not None else None
        if (successor.baseline_value, successor.baseline_date) == (value, date):
            continue
        before = snapshot(successor, ["baseline_value", "baseline_date"])
        successor.baseline_value, successor.baseline_date = value, date
        successor.version += 1
        successor.save(update_fields=["baseline_value", "baseline_date", "version"])
        predecessor = successor.predecessor
        assert predecessor is not None
        record_event(
            action="update",
            obj=successor,
            before=before,
            after=snapshot(successor, ["baseline_value", "baseline_date"]),
            reason=f"baseline from the verdict of {predecessor.plan.code}:{predecessor.code}",
        )
        changed.append(successor.pk)
    if changed:
        schedule_recompute(changed)


def reopen_target(target: Target, *, acting_user, reason: str) -> Target:
    """Remove a closed target's verdict: administrators only, with a reason, audited (a
    `delete` event of the verdict with the reason). The recompute that follows closes the
    target again if it is due, judged on the values known then: reopening re-judges."""
    if not may_reopen_target(acting_user):
        raise PermissionDenied(_("Only an administrator may reopen a closed target."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Reopening a target needs a reason.")})
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        verdict = TargetVerdict.objects.filter(target=locked).first()
        if verdict is None:
            raise ConflictError(_("This target is not closed: there is no verdict to reopen."))
        record_event(
            action="delete",
            obj=verdict,
            acting_user=acting_user,
            before=snapshot(verdict, VERDICT_FIELDS),
            reason=reason.strip(),
        )
        verdict.delete()
        # A successor that took its baseline from this verdict has none until it closes again.
        _take_baselines_from([locked.pk])
        schedule_recompute([locked.pk])
    return locked


# --- progress ----------------------------------------------------------------------------------


def recompute_progress(
    as_of: dt.date | None = None, target_ids: Iterable[int] | None = None
) -> computing.RecomputeResult:
    """Write one Progress row per target for `as_of` (default today) and the roll-ups of every
    plan touched. Rows of the same target and date are replaced, so running it twice gives the
    same rows; the dirty flags it has seen are cleared.

    Targets due for closing are closed first (close_due_targets). Each run leaves one audit
    event per plan (action `recompute`): the status counts of that
    date before and after. The rows themselves are computed bookkeeping, not audited one by
    one: anyone can recompute them from the audited inputs (docs/audit.md)."""
    as_of = as_of or today()
    # Targets due for closing get their verdict first, so the rows below show it.
    close_due_targets(target_ids=target_ids)
    started = timezone.now()
    targets_qs = Target.objects.select_related("plan").order_by("pk")
    if target_ids is not None:
        targets_qs = targets_qs.filter(pk__in=list(target_ids))
    targets = list(targets_qs)
    results = computing.assess_targets(targets, as_of)
    rows = [computing.progress_row(t, results[t.pk], as_of, started) for t in targets]
    plan_ids = sorted({t.plan_id for t in targets})
    with transaction.atomic():
        # One recompute of a plan's roll-ups at a time: they are replaced as a whole.
        list(Plan.objects.select_for_update().filter(pk__in=plan_ids).values_list("pk"))
        previous = Counter(
            Progress.objects.filter(target__in=[t.pk for t in targets], as_of=as_of).values_list(
                "target__plan_id", "status"
            )
        )
        Progress.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["target", "as_of"],
            update_fields=computing.PROGRESS_FIELDS,
            batch_size=1000,
        )
        for plan_id in plan_ids:
            _roll_up_plan(plan_id, as_of, started)
        Target.objects.filter(pk__in=[t.pk for t in targets], dirty_since__lte=started).update(
            dirty_since=None
        )
        _record_runs(targets, rows, as_of, previous, whole=target_ids is None)
    result = computing.RecomputeResult(as_of=as_of, targets=len(rows))
    result.by_status.update(row.status for row in rows)
    return result


def _record_runs(targets, rows, as_of, previous: Counter, *, whole: bool) -> None:
    """One `recompute` event per plan: which date, how many targets, status counts before and
    after. The actor is the job or command (audit.context.acting_as) that ran it."""
    plans = {t.plan_id: t.plan for t in targets}
    status_of = {row.target_id: row.status for row in rows}
    for plan_id, plan in sorted(plans.items()):
        ids = [t.pk for t in targets if t.plan_id == plan_id]
        before = {s: n for (p, s), n in sorted(previous.items()) if p == plan_id}
        after = dict(sorted(Counter(status_of[i] for i in ids).items()))
        record_event(
            action="recompute",
            obj=plan,
            before={"as_of": as_of, "targets": sum(before.values()), "counts": before},
            after={
                "as_of": as_of,
                "targets": len(ids),
                "counts": after,
                "scope": "all" if whole else sorted(ids),
            },
            diff=False,
        )


def _roll_up_plan(plan_id: int, as_of: dt.date, now) -> None:
    """Replace the roll-ups of one plan as of a date, from its targets' Progress rows of that
    date (computing any target that has none yet)."""
    targets = list(Target.objects.filter(plan_id=plan_id).select_related("plan"))
    rows = {p.target_id: p for p in Progress.objects.filter(target__plan_id=plan_id, as_of=as_of)}
    missing = [t for t in targets if t.pk not in rows]
    if missing:
        fresh = computing.assess_targets(missing, as_of)
        new_rows = [computing.progress_row(t, fresh[t.pk], as_of, now) for t in missing]
        Progress.objects.bulk_create(
            new_rows,
            update_conflicts=True,
            unique_fields=["target", "as_of"],
            update_fields=computing.PROGRESS_FIELDS,
        )
        rows.update({row.target_id: row for row in new_rows})
    new = computing.rollup_rows(plan_id, targets, rows, as_of, now)
    RollupProgress.objects.filter(plan_id=plan_id, as_of=as_of).delete()
    RollupProgress.objects.bulk_create(new, batch_size=1000)


# --- reminders ---------------------------------------------------------------------------------


def send_stale_reminders(as_of: dt.date | None = None) -> int:
    """E-mail the staff of each stale target's units, at most once per reporting interval, and
    record each reminder (the StaleReminder row is the record). Returns the number of targets
    reminded."""
    due = reminders.due_reminders(as_of, now=timezone.now())
    messages = [
        (r.subject, r.body, settings.DEFAULT_FROM_EMAIL, r.recipients) for r in due if r.recipients
    ]
    with transaction.atomic():
        StaleReminder.objects.bulk_create(
            StaleReminder(target=r.target, sent_at=r.sent_at, recipients=r.recipients) for r in due
        )
        if messages:
            send_mass_mail(messages, fail_silently=False)
    return len(due)


# --- notices of the figure workflow (docs/notifications.md) ------------------------------------
# Written in the caller's transaction (they are part of the change), in the site's language;
# the e-mails and webhook deliveries go out after it commits.


def lead_unit_of(target_id: int) -> int | None:
    return (
        TargetUnit.objects.filter(target_id=target_id, is_lead=True)
        .values_list("unit_id", flat=True)
        .first()
    )


def _reviewers_of(figure: Measurement, unit_id: int | None) -> list:
    """The reviewers (and administrators) of the target's lead unit who may review the
    figure: not those who created, edited or submitted it (four eyes)."""
    if unit_id is None:
        return []
    touched = {figure.created_by_id, figure.submitted_by_id}
    touched |= set(
        MeasurementEditor.objects.filter(measurement=figure).values_list("user_id", flat=True)
    )
    people = people_of_units([unit_id], [Role.REVIEWER, Role.ADMIN])
    return [user for user in people if user.pk not in touched]


def _figure_words(figure: Measurement) -> dict:
    target = figure.target
    return {
        "target": target.title,
        "code": target.code,
        "value": plain_number(figure.value),
        "date": date_format(figure.observed_on),  # as the notice's language writes dates
    }


def _tell_reviewers(figure: Measurement, *, acting_user) -> None:
    """A submitted figure: its reviewers are told (SUBMITTED), once per submission."""
    unit_id = lead_unit_of(figure.target_id)
    with translation.override(settings.LANGUAGE_CODE):
        words = _figure_words(figure)
        notify(
            kind=NotificationKind.SUBMITTED,
            recipients=_reviewers_of(figure, unit_id),
            subject=_("Figure to review: %(target)s, %(value)s for %(date)s") % words,
            body=_("A figure of %(code)s was submitted for your review.") % words,
            url=reverse("targets:review", args=[figure.pk]),
            key=f"figure:{figure.pk}:submitted:v{figure.version}",
            unit_id=unit_id,
            skip=acting_user,
        )


def _tell_author(figure: Measurement, *, acting_user) -> None:
    """An approved or rejected figure: who reported and submitted it are told."""
    approved = figure.state == MeasurementState.APPROVED
    with translation.override(settings.LANGUAGE_CODE):
        words = {**_figure_words(figure), "comment": figure.review_comment}
        if approved:
            subject = _("Figure approved: %(target)s, %(value)s for %(date)s") % words
            url = reverse("targets:detail", args=[figure.target.plan.code, figure.target.code])
            key = f"figure:{figure.pk}:approved"
        else:
            subject = _("Figure returned: %(target)s, %(value)s for %(date)s") % words
            url = reverse("targets:edit", args=[figure.pk])
            key = f"figure:{figure.pk}:returned:v{figure.version}"
        body = _("Reviewer's comment: %(comment)s") % words if figure.review_comment else ""
        notify(
            kind=NotificationKind.APPROVED if approved else NotificationKind.RETURNED,
            recipients=[figure.created_by, figure.submitted_by],
            subject=subject,
            body=body,
            url=url,
            key=key,
            unit_id=figure.unit_id,
            skip=acting_user,
        )


def send_figure_notices(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The daily notices of figures (beat "review-pending-notices"): a reported target's next
    figure due within ZJAI_DUE_SOON_DAYS, or overdue (to the units that report it), and a
    figure waiting for review longer than ZJAI_REVIEW_PENDING_DAYS (to its reviewers). Each
    event has its key, so running it again sends nothing twice. Returns the notices written."""
    now = now or timezone.now()
    counts = {"due_soon": 0, "overdue": 0, "review_pending": 0}
    soon, late = reminders.figures_due(timezone.localdate(now))
    with transaction.atomic(), translation.override(settings.LANGUAGE_CODE):
        for due, kind, name in [
            *((d, NotificationKind.DUE_SOON, "due_soon") for d in soon),
            *((d, NotificationKind.OVERDUE, "overdue") for d in late),
        ]:
            words = {
                "target": due.target.title,
                "code": due.target.code,
                "date": date_format(due.due_on),
            }
            if kind == NotificationKind.DUE_SOON:
                subject = _("Figure due by %(date)s: %(target)s") % words
            else:
                subject = _("Figure overdue since %(date)s: %(target)s") % words
            for unit_id in due.unit_ids:
                counts[name] += len(
                    notify(
                        kind=kind,
                        recipients=people_of_units([unit_id], REPORTING_ROLES),
                        subject=subject,
                        body=_("Report the newest figure of %(code)s.") % words,
                        url=reverse("targets:report", args=[due.target.plan.code, due.target.code]),
                        key=f"figure-{name.replace('_', '-')}:{due.target.pk}:{due.due_on}",
                        unit_id=unit_id,
                    )
                )
        for figure in reminders.figures_waiting_for_review(now):
            lead = lead_unit_of(figure.target_id)
            words = {**_figure_words(figure), "days": settings.ZJAI_REVIEW_PENDING_DAYS}
            counts["review_pending"] += len(
                notify(
                    kind=NotificationKind.REVIEW_PENDING,
                    recipients=_reviewers_of(figure, lead),
                    subject=_("Waiting for review over %(days)s days: %(target)s, %(value)s")
                    % words,
                    body=_("A figure of %(code)s for %(date)s still waits for your review.")
                    % words,
                    url=reverse("targets:review", args=[figure.pk]),
                    key=f"figure:{figure.pk}:review-pending:v{figure.version}",
                    unit_id=lead,
                )
            )
    return counts
