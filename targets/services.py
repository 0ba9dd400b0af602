"""Every write to targets and figures goes through these functions.

Browser views, the API, jobs and commands all call them, so each write path checks the same
rules, records the same audit event and triggers the same recompute. Each function takes a
keyword-only `acting_user`, runs in one transaction, locks the row it changes and re-checks
its state and version inside the lock, so two people acting at once cannot both win.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from zjai.exceptions import ConflictError
from zjai.roles import Role
from zjai.validators import validate_sensible_date

from .choices import MeasurementState
from .models import Measurement, Target, TargetUnit

logger = logging.getLogger(__name__)

MEASUREMENT_FIELDS = [
    "target",
    "value",
    "observed_on",
    "note",
    "evidence",
    "state",
    "review_comment",
    "withdrawal_reason",
    "version",
]


# --- who may do what ---------------------------------------------------------------------------


def unit_is_responsible(user, target: Target) -> bool:
    return (
        bool(user.unit_id)
        and TargetUnit.objects.filter(target=target, unit_id=user.unit_id).exists()
    )


def unit_leads(user, target: Target) -> bool:
    return (
        bool(user.unit_id)
        and TargetUnit.objects.filter(target=target, unit_id=user.unit_id, is_lead=True).exists()
    )


def can_report(user, target: Target) -> bool:
    """Staff (and reviewers, admins) of a unit responsible for a reported target."""
    if not user.is_authenticated or not target.is_reported:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.STAFF, Role.REVIEWER) and unit_is_responsible(user, target)


def can_review(user, measurement: Measurement) -> bool:
    """Reviewers of the target's lead unit, or admins; never for their own submission."""
    if not user.is_authenticated:
        return False
    if user.pk in (measurement.created_by_id, measurement.submitted_by_id):
        return False
    if user.has_role(Role.ADMIN):
        return True
    return user.has_role(Role.REVIEWER) and unit_leads(user, measurement.target)


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
    if abs(number) >= Decimal("1e16"):
        raise ValidationError({"value": _("This number is too large.")})
    return number.quantize(Decimal("0.0001"))


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


def _locked(measurement: Measurement, expected_version: int | None) -> Measurement:
    locked = Measurement.objects.select_for_update().select_related("target").get(pk=measurement.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "This figure was changed by someone else (version %(current)d, you had "
                "%(yours)d). Reload it and try again."
            )
            % {"current": locked.version, "yours": expected_version},
            current_version=locked.version,
        )
    return locked


def create_measurement(
    *, target: Target, value, observed_on, note: str = "", evidence=None, acting_user
) -> Measurement:
    """A draft figure for a reported target of the user's unit."""
    if not can_report(acting_user, target):
        raise PermissionDenied(_("Your unit does not report figures for this target."))
    measurement = Measurement(
        target=target,
        value=clean_value(target, value),
        observed_on=clean_observed_on(target, observed_on),
        note=note or "",
        state=MeasurementState.DRAFT,
        created_by=acting_user,
        created_at=timezone.now(),
    )
    if evidence:
        measurement.evidence = evidence
    with transaction.atomic():
        measurement.save()
        record_event(
            action="create",
            obj=measurement,
            acting_user=acting_user,
            after=snapshot(measurement, MEASUREMENT_FIELDS),
        )
    return measurement


def update_measurement(
    measurement: Measurement, *, acting_user, expected_version: int | None = None, **changes
) -> Measurement:
    """Change a draft (value, date, note, evidence). Submitted or reviewed figures are final."""
    allowed = {"value", "observed_on", "note", "evidence"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = _locked(measurement, expected_version)
        if not can_report(acting_user, locked.target):
            raise PermissionDenied(_("Your unit does not report figures for this target."))
        if locked.state not in (MeasurementState.DRAFT, MeasurementState.REJECTED):
            raise ConflictError(_("Only a draft or a rejected figure can be edited."))
        before = snapshot(locked, MEASUREMENT_FIELDS)
        if "value" in changes:
            locked.value = clean_value(locked.target, changes["value"])
        if "observed_on" in changes:
            locked.observed_on = clean_observed_on(locked.target, changes["observed_on"])
        if "note" in changes:
            locked.note = changes["note"] or ""
        if changes.get("evidence"):
            locked.evidence = changes["evidence"]
        if locked.state == MeasurementState.REJECTED:
            locked.state = MeasurementState.DRAFT
        locked.version += 1
        locked.save()
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
    """draft → submitted, for review by the target's lead unit."""
    with transaction.atomic():
        locked = _locked(measurement, expected_version)
        if not can_report(acting_user, locked.target):
            raise PermissionDenied(_("Your unit does not report figures for this target."))
        if locked.state != MeasurementState.DRAFT:
            raise ConflictError(
                _("Only a draft can be submitted; this figure is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        before = snapshot(locked, MEASUREMENT_FIELDS)
        locked.state = MeasurementState.SUBMITTED
        locked.submitted_by = acting_user
        locked.submitted_at = timezone.now()
        locked.version += 1
        locked.save()
        record_event(
            action="submit",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
        )
    return locked


def _review(measurement, *, acting_user, approve: bool, comment: str, expected_version):
    with transaction.atomic():
        locked = _locked(measurement, expected_version)
        if locked.state != MeasurementState.SUBMITTED:
            raise ConflictError(
                _("Only a submitted figure can be reviewed; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        if not can_review(acting_user, locked):
            if acting_user.pk in (locked.created_by_id, locked.submitted_by_id):
                raise PermissionDenied(_("You cannot review a figure you reported or submitted."))
            raise PermissionDenied(_("Only reviewers of the target's lead unit may review it."))
        before = snapshot(locked, MEASUREMENT_FIELDS)
        locked.state = MeasurementState.APPROVED if approve else MeasurementState.REJECTED
        locked.reviewed_by = acting_user
        locked.reviewed_at = timezone.now()
        locked.review_comment = comment or ""
        locked.version += 1
        locked.save()
        record_event(
            action="approve" if approve else "reject",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MEASUREMENT_FIELDS),
            reason=comment or "",
        )
        if approve:
            schedule_recompute([locked.target_id])
    return locked


def approve_measurement(
    measurement: Measurement,
    *,
    acting_user,
    comment: str = "",
    expected_version: int | None = None,
) -> Measurement:
    """submitted → approved: the figure now counts; the target is recomputed after commit."""
    return _review(
        measurement,
        acting_user=acting_user,
        approve=True,
        comment=comment,
        expected_version=expected_version,
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
        locked = _locked(measurement, expected_version)
        if locked.state != MeasurementState.APPROVED:
            raise ConflictError(_("Only an approved figure can be withdrawn."))
        if not (
            acting_user.has_role(Role.ADMIN)
            or (acting_user.has_role(Role.REVIEWER) and unit_leads(acting_user, locked.target))
        ):
            raise PermissionDenied(_("Only reviewers of the target's lead unit may withdraw it."))
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
    "deadline",
    "scope",
    "growth_model",
    "source_filter",
    "source_scale",
    "allows_negative",
    "weight",
    "headline",
    "version",
]
# What a target is measured by (its code, plan, item, source kind and register) is the plan
# file's to say: load_action_plan changes those, recorded as the command's events.
TARGET_EDITABLE = set(TARGET_FIELDS) - {"version"}


def update_target(
    target: Target, *, acting_user, reason: str, expected_version: int | None = None, **changes
) -> Target:
    """Change a target's definition (value, baseline, deadline, weight, …): administrators only,
    with a reason, audited field by field, followed by a recompute of the target."""
    if not (acting_user.is_authenticated and acting_user.has_role(Role.ADMIN)):
        raise PermissionDenied(_("Only an administrator may change a target."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Changing a target needs a reason.")})
    unknown = set(changes) - TARGET_EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = Target.objects.select_for_update().get(pk=target.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("This target was changed by someone else. Reload it and try again."),
                current_version=locked.version,
            )
        before = snapshot(locked, TARGET_FIELDS)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean(exclude=["restated_in"])
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
        schedule_recompute([locked.pk])
    return locked
