"""Every write to task reports, consolidated reports, milestones and supervision notices goes
through these functions (docs/task-reports.md).

Browser views, the API, the admin and jobs call them, so every write path checks the same
rules (taskreports.rules, asked inside the row lock), compares the same `version` (a stale one
is a ConflictError naming the current version: the API's 412), records the same audit event
and writes the same inbox notices (notifications.services.notify, inside the transaction: the
e-mail and webhook deliveries go out after it commits and never fail a save).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from enterprises.models import Enterprise
from notifications.choices import NotificationKind
from notifications.recipients import people_of_units
from notifications.services import notify
from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from projects.models import Project
from zjai.exceptions import ConflictError
from zjai.roles import Role
from zjai.uploads import uploaded_name, validate_evidence

from . import periods, rollup
from .choices import NoticeState, ReportState, ReviewDecision, TaskStatus
from .models import (
    TEXT_MAX_LENGTH,
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskEvidence,
    TaskReport,
    TaskReportEditor,
)
from .rules import EDITABLE_STATES, ReportRules

REPORT_FIELDS = [
    "item",
    "unit",
    "period_start",
    "period_end",
    "status",
    "percent_complete",
    "work_done",
    "next_steps",
    "problems",
    "milestones_reached",
    "enterprises",
    "projects",
    "state",
    "version",
]
# What a unit writes in its report; the rest is the workflow's.
REPORT_EDITABLE = frozenset(
    {
        "status",
        "percent_complete",
        "work_done",
        "next_steps",
        "problems",
        "milestones_reached",
        "enterprises",
        "projects",
    }
)
TEXT_FIELDS = ("work_done", "next_steps", "problems")
RELATED_FIELDS = ("milestones_reached", "enterprises", "projects")
CONSOLIDATED_FIELDS = ["item", "period_start", "period_end", "status", "summary", "version"]
MILESTONE_FIELDS = ["item", "unit", "due_on", "description", "done_on", "version"]
MILESTONE_EDITABLE = frozenset({"unit", "due_on", "description"})
NOTICE_FIELDS = [
    "plan",
    "unit",
    "item",
    "period_start",
    "subject",
    "text",
    "reply_by",
    "state",
    "issuing_unit",
    "reply",
    "close_comment",
    "version",
]


# --- shared steps ------------------------------------------------------------------------------


def _check_version(locked: Any, expected_version: int | None, what: str) -> None:
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(
            _(
                "This %(what)s was changed by someone else (version %(current)d, you had "
                "%(yours)d). Reload it and try again."
            )
            % {"what": what, "current": locked.version, "yours": expected_version},
            current_version=locked.version,
        )


def lead_unit_id(item_id: int) -> int | None:
    return (
        ItemUnit.objects.filter(item_id=item_id, is_lead=True)
        .values_list("unit_id", flat=True)
        .first()
    )


def _is_responsible(item_id: int, unit_id: int) -> bool:
    return ItemUnit.objects.filter(item_id=item_id, unit_id=unit_id).exists()


def _clean_text(name: str, value: Any, *, required: bool = False) -> str:
    text = "" if value is None else value
    if not isinstance(text, str):
        raise ValidationError({name: _("Enter text.")})
    text = text.strip()
    if required and not text:
        raise ValidationError({name: _("This field is required.")})
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({name: _("At most %(n)d characters.") % {"n": TEXT_MAX_LENGTH}})
    return text


def _clean_status(value: Any) -> str:
    if value not in TaskStatus.values:
        raise ValidationError({"status": _("Choose one of the statuses offered.")})
    return str(value)


def _clean_percent(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValidationError({"percent_complete": _("Enter a whole number from 0 to 100.")})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(
            {"percent_complete": _("Enter a whole number from 0 to 100.")}
        ) from None
    if number != value and str(number) != str(value).strip():
        raise ValidationError({"percent_complete": _("Enter a whole number from 0 to 100.")})
    if not 0 <= number <= 100:
        raise ValidationError({"percent_complete": _("Enter a whole number from 0 to 100.")})
    return number


def _clean_date(name: str, value: Any) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")}) from None
    if not isinstance(value, dt.date):
        raise ValidationError({name: _("Enter a date as YYYY-MM-DD.")})
    return value


def _ids(values: Iterable[Any] | None) -> list[int]:
    return sorted({getattr(v, "pk", v) for v in (values or [])})


def _clean_related(name: str, values: Iterable[Any] | None, item_id: int) -> list[int]:
    """The ids of the milestones (of this item), enterprises or projects a report names."""
    ids = _ids(values)
    if not ids:
        return []
    if any(not isinstance(pk, int) or isinstance(pk, bool) for pk in ids):
        raise ValidationError({name: _("Name each one by its id.")})
    if name == "milestones_reached":
        found = set(
            Milestone.objects.filter(pk__in=ids, item_id=item_id).values_list("pk", flat=True)
        )
        message = _("Only this task's milestones can be reached in its report: %(ids)s.")
    elif name == "enterprises":
        found = set(Enterprise.objects.filter(pk__in=ids).values_list("pk", flat=True))
        message = _("No such enterprise: %(ids)s.")
    else:
        found = set(Project.objects.filter(pk__in=ids).values_list("pk", flat=True))
        message = _("No such project: %(ids)s.")
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError({name: message % {"ids": ", ".join(map(str, missing))}})
    return ids


def _record_editor(report: TaskReport, user) -> None:
    """`user` had a hand in the report: four eyes keep them from reviewing it."""
    if user is not None and user.pk is not None:
        TaskReportEditor.objects.get_or_create(report=report, user=user)


def report_url(report_id: int) -> str:
    return reverse("taskreports:report-detail", args=[report_id])


def notice_url(notice_id: int) -> str:
    return reverse("taskreports:notice-detail", args=[notice_id])


# --- task reports ------------------------------------------------------------------------------


def _locked_report(report: TaskReport) -> TaskReport:
    """The report, locked until the transaction ends. The caller checks the right first and the
    version second (403 before 412)."""
    return (
        TaskReport.objects.select_for_update(of=("self",))
        .select_related("item", "item__plan", "unit")
        .get(pk=report.pk)
    )


def _check_writes(rules: ReportRules, report: TaskReport) -> None:
    if not rules.reports_report(report):
        raise PermissionDenied(
            _("Only the staff of the reporting unit may change or submit its report.")
        )


def create_report(
    *,
    item: PlanItem,
    unit: ResponsibleUnit,
    period_start: dt.date | str,
    status: str,
    percent_complete: int | None = None,
    work_done: str = "",
    next_steps: str = "",
    problems: str = "",
    milestones_reached: Iterable[Any] = (),
    enterprises: Iterable[Any] = (),
    projects: Iterable[Any] = (),
    acting_user,
) -> TaskReport:
    """A draft report of `unit` on `item` for the period starting `period_start`: one per
    (item, unit, period); a second (a retry, a double click) is refused, never written."""
    rules = ReportRules.for_item(acting_user, item.pk)
    if not rules.may_write_report(item.pk, unit.pk):
        raise PermissionDenied(_("Your unit does not report on this task."))
    if item.kind not in REPORTED_ITEM_KINDS:
        raise ValidationError({"item": _("This plan item is not a task that units report on.")})
    if not _is_responsible(item.pk, unit.pk):
        raise ValidationError({"unit": _("This unit is not responsible for the task.")})
    start = _clean_date("period_start", period_start)
    period = periods.period_starting(item.plan, start)
    if period is None:
        raise ValidationError(
            {"period_start": _("No reporting period of the plan starts on this day.")}
        )
    if period.start > timezone.localdate():
        raise ValidationError({"period_start": _("This period has not started yet.")})
    report = TaskReport(
        item=item,
        unit=unit,
        period_start=period.start,
        period_end=period.end,
        status=_clean_status(status),
        percent_complete=_clean_percent(percent_complete),
        work_done=_clean_text("work_done", work_done),
        next_steps=_clean_text("next_steps", next_steps),
        problems=_clean_text("problems", problems),
        state=ReportState.DRAFT,
        created_by=acting_user,
        created_at=timezone.now(),
    )
    related = {
        name: _clean_related(name, value, item.pk)
        for name, value in (
            ("milestones_reached", milestones_reached),
            ("enterprises", enterprises),
            ("projects", projects),
        )
    }
    duplicate = ValidationError(
        {"period_start": _("This unit already has a report on this task for this period.")}
    )
    with transaction.atomic():
        if TaskReport.objects.filter(item=item, unit=unit, period_start=period.start).exists():
            raise duplicate
        try:
            with transaction.atomic():  # a savepoint: a racing twin leaves this one unwritten
                report.save()
        except IntegrityError:
            raise duplicate from None
        for name, ids in related.items():
            getattr(report, name).set(ids)
        _record_editor(report, acting_user)
        record_event(
            action="create",
            obj=report,
            acting_user=acting_user,
            after=snapshot(report, REPORT_FIELDS),
        )
    return report


def update_report(
    report: TaskReport, *, acting_user, expected_version: int | None = None, **changes: Any
) -> TaskReport:
    """Change a draft or returned report of the user's unit. A returned report stays returned
    (the lead unit keeps seeing it, with its comments) until it is submitted again. Values that
    change nothing change no version and record no event."""
    unknown = set(changes) - REPORT_EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = _locked_report(report)
        _check_writes(ReportRules.for_item(acting_user, locked.item_id), locked)
        _check_version(locked, expected_version, _("report"))
        if locked.state not in EDITABLE_STATES:
            raise ConflictError(_("Only a draft or a returned report can be changed."))
        before = snapshot(locked, REPORT_FIELDS)
        if "status" in changes:
            locked.status = _clean_status(changes["status"])
        if "percent_complete" in changes:
            locked.percent_complete = _clean_percent(changes["percent_complete"])
        for name in TEXT_FIELDS:
            if name in changes:
                setattr(locked, name, _clean_text(name, changes[name]))
        related = {
            name: _clean_related(name, changes[name], locked.item_id)
            for name in RELATED_FIELDS
            if name in changes
        }
        for name, ids in related.items():
            before_ids = sorted(before[name])
            if ids != before_ids:
                getattr(locked, name).set(ids)
        after = snapshot(locked, REPORT_FIELDS)
        if after == before:
            return locked
        locked.version += 1
        locked.save()
        _record_editor(locked, acting_user)
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, REPORT_FIELDS),
        )
    return locked


def add_evidence(
    report: TaskReport, *, file, acting_user, expected_version: int | None = None
) -> TaskEvidence:
    """Attach a file to a draft or returned report, kept under the name it was uploaded as.
    The same checks as a figure's evidence (size, kind read from the content)."""
    if not file:
        raise ValidationError({"file": _("Choose a file.")})
    try:
        validate_evidence(file)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from None
    original = uploaded_name(file)
    with transaction.atomic():
        locked = _locked_report(report)
        _check_writes(ReportRules.for_item(acting_user, locked.item_id), locked)
        _check_version(locked, expected_version, _("report"))
        if locked.state not in EDITABLE_STATES:
            raise ConflictError(_("Only a draft or a returned report can be changed."))
        evidence = TaskEvidence(
            report=locked,
            file=file,
            original_name=original,
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        evidence.save()
        locked.version += 1
        locked.save(update_fields=["version"])
        _record_editor(locked, acting_user)
        record_event(
            action="add_evidence",
            obj=locked,
            acting_user=acting_user,
            before={"version": locked.version - 1},
            after={
                "version": locked.version,
                "evidence_added": {"id": evidence.pk, "name": original, "file": evidence.file.name},
            },
        )
    return evidence


def remove_evidence(
    evidence: TaskEvidence, *, acting_user, expected_version: int | None = None
) -> TaskReport:
    """Remove a file from a draft or returned report (the stored file stays: the audit trail
    names it)."""
    with transaction.atomic():
        locked = _locked_report(evidence.report)
        _check_writes(ReportRules.for_item(acting_user, locked.item_id), locked)
        _check_version(locked, expected_version, _("report"))
        if locked.state not in EDITABLE_STATES:
            raise ConflictError(_("Only a draft or a returned report can be changed."))
        row = TaskEvidence.objects.filter(pk=evidence.pk, report=locked).first()
        if row is None:
            raise ConflictError(_("This file was already removed."))
        removed = {"id": row.pk, "name": row.original_name, "file": row.file.name}
        row.delete()
        locked.version += 1
        locked.save(update_fields=["version"])
        _record_editor(locked, acting_user)
        record_event(
            action="remove_evidence",
            obj=locked,
            acting_user=acting_user,
            before={"version": locked.version - 1, "evidence_removed": removed},
            after={"version": locked.version},
        )
    return locked


def submit_report(
    report: TaskReport, *, acting_user, expected_version: int | None = None
) -> TaskReport:
    """draft or returned → submitted, opening the next review round; the reviewers of the
    item's lead unit are notified."""
    with transaction.atomic():
        locked = _locked_report(report)
        _check_writes(ReportRules.for_item(acting_user, locked.item_id), locked)
        _check_version(locked, expected_version, _("report"))
        if locked.state not in EDITABLE_STATES:
            raise ConflictError(
                _("Only a draft or a returned report can be submitted; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        now = timezone.now()
        before = snapshot(locked, REPORT_FIELDS)
        number = ReviewRound.objects.filter(report=locked).count() + 1
        ReviewRound.objects.create(
            report=locked, number=number, submitted_by=acting_user, submitted_at=now
        )
        locked.state = ReportState.SUBMITTED
        locked.submitted_by = acting_user
        locked.submitted_at = now
        if locked.first_submitted_at is None:
            locked.first_submitted_at = now
        locked.version += 1
        locked.save()
        _record_editor(locked, acting_user)
        record_event(
            action="submit",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after={**snapshot(locked, REPORT_FIELDS), "round": number},
        )
        # Notices are written in the site's language, whoever caused them.
        with translation.override(settings.LANGUAGE_CODE):
            lead = lead_unit_id(locked.item_id)
            notify(
                kind=NotificationKind.SUBMITTED,
                recipients=people_of_units([lead] if lead else [], [Role.REVIEWER]),
                subject=_("Task report submitted for your review: %(report)s") % {"report": locked},
                body=_(
                    "%(unit)s submitted its report on %(item)s for %(start)s–%(end)s (round %(n)d)."
                )
                % {
                    "unit": locked.unit,
                    "item": locked.item,
                    "start": locked.period_start,
                    "end": locked.period_end,
                    "n": number,
                },
                key=f"taskreport:{locked.pk}:round:{number}:submitted",
                url=report_url(locked.pk),
                unit_id=lead,
                skip=acting_user,
            )
    return locked


def _review(
    report: TaskReport,
    *,
    acting_user,
    approve: bool,
    comment: str,
    expected_version: int | None,
) -> TaskReport:
    with transaction.atomic():
        locked = _locked_report(report)
        rules = ReportRules.for_item(acting_user, locked.item_id)
        if not rules.reviews_item(locked.item_id):
            raise PermissionDenied(_("Only reviewers of the task's lead unit may review it."))
        if rules.has_touched(locked):
            raise PermissionDenied(
                _(
                    "You cannot review a report you created, changed or submitted: another "
                    "reviewer must approve or return it."
                )
            )
        _check_version(locked, expected_version, _("report"))
        if locked.state != ReportState.SUBMITTED:
            raise ConflictError(
                _("Only a submitted report can be reviewed; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        now = timezone.now()
        decision = ReviewDecision.APPROVED if approve else ReviewDecision.RETURNED
        current = (
            ReviewRound.objects.select_for_update()
            .filter(report=locked, decision="")
            .order_by("-number")
            .first()
        )
        if current is None:  # a report written before rounds were kept: open its round now
            current = ReviewRound(
                report=locked,
                number=ReviewRound.objects.filter(report=locked).count() + 1,
                submitted_by=locked.submitted_by or acting_user,
                submitted_at=locked.submitted_at or now,
            )
        current.reviewed_by = acting_user
        current.reviewed_at = now
        current.decision = decision
        current.comment = comment
        current.save()
        before = snapshot(locked, REPORT_FIELDS)
        locked.state = ReportState.APPROVED if approve else ReportState.RETURNED
        locked.reviewed_by = acting_user
        locked.reviewed_at = now
        locked.version += 1
        locked.save()
        action = "approve" if approve else "return"
        record_event(
            action=action,
            obj=locked,
            acting_user=acting_user,
            before=before,
            after={**snapshot(locked, REPORT_FIELDS), "round": current.number},
            reason=comment,
        )
        # Notices are written in the site's language, whoever caused them.
        with translation.override(settings.LANGUAGE_CODE):
            if approve:
                subject = _("Task report approved: %(report)s") % {"report": locked}
            else:
                subject = _("Task report returned: %(report)s") % {"report": locked}
            body = _("Comment: %(comment)s") % {"comment": comment} if comment else _("No comment.")
            notify(
                kind=NotificationKind.APPROVED if approve else NotificationKind.RETURNED,
                recipients=[locked.created_by, locked.submitted_by],
                subject=subject,
                body=body,
                key=f"taskreport:{locked.pk}:round:{current.number}:{action}",
                url=report_url(locked.pk),
                unit_id=locked.unit_id,
                skip=acting_user,
            )
    return locked


def approve_report(
    report: TaskReport, *, acting_user, comment: str = "", expected_version: int | None = None
) -> TaskReport:
    """submitted → approved by a reviewer of the item's lead unit (never one who had a hand
    in it); its status now counts for the item (taskreports.rollup)."""
    return _review(
        report,
        acting_user=acting_user,
        approve=True,
        comment=_clean_text("comment", comment),
        expected_version=expected_version,
    )


def return_report(
    report: TaskReport, *, acting_user, comment: str, expected_version: int | None = None
) -> TaskReport:
    """submitted → returned, with the reviewer's comment (required): the unit revises and
    submits again, and every round's comment stays on the report."""
    text = _clean_text("comment", comment)
    if not text:
        raise ValidationError({"comment": _("Say why the report is returned.")})
    return _review(
        report,
        acting_user=acting_user,
        approve=False,
        comment=text,
        expected_version=expected_version,
    )


# --- consolidated reports ----------------------------------------------------------------------


def default_item_status(item_id: int, period_start: dt.date) -> str | None:
    """The item's status from its units' approved reports of the period (rollup.item_status)."""
    statuses = TaskReport.objects.filter(
        item_id=item_id, period_start=period_start, state=ReportState.APPROVED
    ).values_list("status", flat=True)
    return rollup.item_status(statuses)


def write_consolidated_report(
    *,
    item: PlanItem,
    period_start: dt.date | str,
    status: str | None = None,
    summary: str = "",
    acting_user,
    expected_version: int | None = None,
) -> ConsolidatedReport:
    """The lead unit's report on an item for a period, created or changed: its status (by
    default the roll-up of the units' approved reports) and a summary."""
    if not ReportRules.for_item(acting_user, item.pk).may_write_consolidated(item.pk):
        raise PermissionDenied(_("Only the task's lead unit writes its consolidated report."))
    start = _clean_date("period_start", period_start)
    period = periods.period_starting(item.plan, start)
    if period is None:
        raise ValidationError(
            {"period_start": _("No reporting period of the plan starts on this day.")}
        )
    if not status:
        status = default_item_status(item.pk, period.start)
        if status is None:
            raise ValidationError(
                {"status": _("No unit's report is approved yet for this period: choose a status.")}
            )
    status = _clean_status(status)
    text = _clean_text("summary", summary)
    with transaction.atomic():
        existing = (
            ConsolidatedReport.objects.select_for_update()
            .filter(item=item, period_start=period.start)
            .first()
        )
        if existing is None:
            consolidated = ConsolidatedReport(
                item=item,
                period_start=period.start,
                period_end=period.end,
                status=status,
                summary=text,
                written_by=acting_user,
                written_at=timezone.now(),
            )
            try:
                with transaction.atomic():
                    consolidated.save()
            except IntegrityError:
                raise ConflictError(
                    _("Someone else wrote this consolidated report meanwhile. Reload it.")
                ) from None
            record_event(
                action="create",
                obj=consolidated,
                acting_user=acting_user,
                after=snapshot(consolidated, CONSOLIDATED_FIELDS),
            )
            return consolidated
        _check_version(existing, expected_version, _("consolidated report"))
        before = snapshot(existing, CONSOLIDATED_FIELDS)
        existing.status, existing.summary = status, text
        if snapshot(existing, CONSOLIDATED_FIELDS) == before:
            return existing
        existing.written_by = acting_user
        existing.written_at = timezone.now()
        existing.version += 1
        existing.save()
        record_event(
            action="update",
            obj=existing,
            acting_user=acting_user,
            before=before,
            after=snapshot(existing, CONSOLIDATED_FIELDS),
        )
    return existing


# --- milestones --------------------------------------------------------------------------------


def _check_milestone_unit(item_id: int, unit_id: int) -> None:
    if not _is_responsible(item_id, unit_id):
        raise ValidationError({"unit": _("This unit is not responsible for the task.")})


def create_milestone(
    *,
    item: PlanItem,
    unit: ResponsibleUnit,
    due_on: dt.date | str,
    description: str,
    acting_user,
) -> Milestone:
    """A dated step of an item owned by one of its units: the lead unit's staff and reviewers
    add any, a unit its own; administrators any."""
    if not ReportRules.for_item(acting_user, item.pk).may_manage_milestones(item.pk, unit.pk):
        raise PermissionDenied(_("You may not add milestones to this task for this unit."))
    if item.kind not in REPORTED_ITEM_KINDS:
        raise ValidationError({"item": _("This plan item is not a task that units report on.")})
    _check_milestone_unit(item.pk, unit.pk)
    milestone = Milestone(
        item=item,
        unit=unit,
        due_on=_clean_date("due_on", due_on),
        description=_clean_text("description", description, required=True)[:500],
        created_by=acting_user,
        created_at=timezone.now(),
    )
    with transaction.atomic():
        milestone.save()
        record_event(
            action="create",
            obj=milestone,
            acting_user=acting_user,
            after=snapshot(milestone, MILESTONE_FIELDS),
        )
    return milestone


def _locked_milestone(milestone: Milestone, acting_user, expected_version: int | None) -> Milestone:
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if not ReportRules.for_item(acting_user, locked.item_id).may_edit_milestone(locked):
        raise PermissionDenied(_("You may not change this milestone."))
    _check_version(locked, expected_version, _("milestone"))
    return locked


def update_milestone(
    milestone: Milestone, *, acting_user, expected_version: int | None = None, **changes: Any
) -> Milestone:
    """Change a milestone's date, description or owning unit."""
    unknown = set(changes) - MILESTONE_EDITABLE
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    with transaction.atomic():
        locked = _locked_milestone(milestone, acting_user, expected_version)
        before = snapshot(locked, MILESTONE_FIELDS)
        if "due_on" in changes:
            locked.due_on = _clean_date("due_on", changes["due_on"])
        if "description" in changes:
            locked.description = _clean_text("description", changes["description"], required=True)[
                :500
            ]
        if "unit" in changes:
            unit_id = getattr(changes["unit"], "pk", changes["unit"])
            _check_milestone_unit(locked.item_id, unit_id)
            rules = ReportRules.for_item(acting_user, locked.item_id)
            if not rules.may_manage_milestones(locked.item_id, unit_id):
                raise PermissionDenied(_("You may not give this milestone to that unit."))
            locked.unit_id = unit_id
        if snapshot(locked, MILESTONE_FIELDS) == before:
            return locked
        locked.version += 1
        locked.save()
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MILESTONE_FIELDS),
        )
    return locked


def mark_milestone_done(
    milestone: Milestone,
    *,
    acting_user,
    done_on: dt.date | str | None = None,
    expected_version: int | None = None,
) -> Milestone:
    """Mark a milestone done (on `done_on`, default today; never in the future)."""
    day = timezone.localdate() if done_on in (None, "") else _clean_date("done_on", done_on)
    if day > timezone.localdate():
        raise ValidationError({"done_on": _("A milestone cannot be done in the future.")})
    with transaction.atomic():
        locked = _locked_milestone(milestone, acting_user, expected_version)
        if locked.done_on is not None:
            raise ConflictError(_("This milestone is already done."))
        before = snapshot(locked, MILESTONE_FIELDS)
        locked.done_on = day
        locked.version += 1
        locked.save()
        record_event(
            action="done",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, MILESTONE_FIELDS),
        )
    return locked


# --- supervision notices -----------------------------------------------------------------------


def issue_notice(
    *,
    unit: ResponsibleUnit,
    subject: str,
    text: str,
    reply_by: dt.date | str,
    item: PlanItem | None = None,
    plan: Plan | None = None,
    period_start: dt.date | str | None = None,
    acting_user,
) -> SupervisionNotice:
    """A supervision notice (督办通知) to a unit, with a reply deadline: by an administrator
    (the coordinating office) to any unit, or by a lead unit's reviewer to a unit of an item it
    leads. The addressed unit's staff and reviewers are notified."""
    rules = ReportRules(acting_user, item_ids=[item.pk] if item else [])
    if not rules.may_issue_notice(unit.pk, item.pk if item else None):
        raise PermissionDenied(
            _(
                "Only the coordinating office, or a reviewer of the task's lead unit, may issue "
                "a supervision notice to this unit."
            )
        )
    if item is not None:
        plan = item.plan
        if not _is_responsible(item.pk, unit.pk):
            raise ValidationError({"unit": _("This unit is not responsible for the task.")})
    if plan is None:
        raise ValidationError({"plan": _("Name the plan or the task the notice is about.")})
    start = None
    if period_start not in (None, ""):
        start = _clean_date("period_start", period_start)
        if periods.period_starting(plan, start) is None:
            raise ValidationError(
                {"period_start": _("No reporting period of the plan starts on this day.")}
            )
    deadline = _clean_date("reply_by", reply_by)
    if deadline < timezone.localdate():
        raise ValidationError({"reply_by": _("The reply deadline cannot be in the past.")})
    notice = SupervisionNotice(
        plan=plan,
        unit=unit,
        item=item,
        period_start=start,
        subject=_clean_text("subject", subject, required=True)[:300],
        text=_clean_text("text", text, required=True),
        reply_by=deadline,
        state=NoticeState.OPEN,
        issued_by=acting_user,
        issuing_unit_id=acting_user.unit_id,
        issued_at=timezone.now(),
    )
    with transaction.atomic():
        notice.save()
        record_event(
            action="create",
            obj=notice,
            acting_user=acting_user,
            after=snapshot(notice, NOTICE_FIELDS),
        )
        # Notices are written in the site's language, whoever caused them.
        with translation.override(settings.LANGUAGE_CODE):
            notify(
                kind=NotificationKind.NOTICE_ISSUED,
                recipients=people_of_units([unit.pk], [Role.STAFF, Role.REVIEWER]),
                subject=_("Supervision notice: %(subject)s") % {"subject": notice.subject},
                body=_("Reply by %(date)s.\n\n%(text)s") % {"date": deadline, "text": notice.text},
                key=f"notice:{notice.pk}:issued",
                url=notice_url(notice.pk),
                unit_id=unit.pk,
                skip=acting_user,
            )
    return notice


def _locked_notice(notice: SupervisionNotice) -> SupervisionNotice:
    return SupervisionNotice.objects.select_for_update().get(pk=notice.pk)


def reply_notice(
    notice: SupervisionNotice, *, reply: str, acting_user, expected_version: int | None = None
) -> SupervisionNotice:
    """The addressed unit answers an open notice; the issuer and the issuing unit's reviewers
    are notified."""
    text = _clean_text("reply", reply, required=True)
    with transaction.atomic():
        locked = _locked_notice(notice)
        rules = ReportRules(acting_user, item_ids=[])
        if locked.unit_id != rules.unit_id or not (rules.reporter or rules.admin):
            raise PermissionDenied(_("Only the addressed unit answers a supervision notice."))
        _check_version(locked, expected_version, _("notice"))
        if not rules.may_reply_notice(locked):
            raise ConflictError(
                _("Only a notice awaiting reply can be answered; this one is %(state)s.")
                % {"state": locked.get_state_display()}
            )
        before = snapshot(locked, NOTICE_FIELDS)
        locked.reply = text
        locked.replied_by = acting_user
        locked.replied_at = timezone.now()
        locked.state = NoticeState.ANSWERED
        locked.version += 1
        locked.save()
        record_event(
            action="reply",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, NOTICE_FIELDS),
        )
        # Notices are written in the site's language, whoever caused them.
        with translation.override(settings.LANGUAGE_CODE):
            reviewers = (
                list(people_of_units([locked.issuing_unit_id], [Role.REVIEWER]))
                if locked.issuing_unit_id
                else []
            )
            notify(
                kind=NotificationKind.NOTICE_ANSWERED,
                recipients=[locked.issued_by, *reviewers],
                subject=_("Supervision notice answered: %(subject)s") % {"subject": locked.subject},
                body=text,
                key=f"notice:{locked.pk}:answered:{locked.version}",
                url=notice_url(locked.pk),
                unit_id=locked.issuing_unit_id,
                skip=acting_user,
            )
    return locked


def close_notice(
    notice: SupervisionNotice,
    *,
    acting_user,
    comment: str = "",
    expected_version: int | None = None,
) -> SupervisionNotice:
    """The issuing unit's reviewers or an administrator close a notice (answered or not)."""
    text = _clean_text("comment", comment)
    with transaction.atomic():
        locked = _locked_notice(notice)
        rules = ReportRules(acting_user, item_ids=[])
        if not (rules.admin or (rules.reviewer and locked.issuing_unit_id == rules.unit_id)):
            raise PermissionDenied(
                _("Only the issuing unit's reviewers or an administrator close a notice.")
            )
        _check_version(locked, expected_version, _("notice"))
        if not rules.may_close_notice(locked):
            raise ConflictError(_("This notice is already closed."))
        before = snapshot(locked, NOTICE_FIELDS)
        locked.state = NoticeState.CLOSED
        locked.closed_by = acting_user
        locked.closed_at = timezone.now()
        locked.close_comment = text
        locked.version += 1
        locked.save()
        record_event(
            action="close",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=snapshot(locked, NOTICE_FIELDS),
            reason=text,
        )
    return locked
