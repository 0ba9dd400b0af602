"""Writes to the project register, shared by the browser, the API and the bulk import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from targets.services import ConflictError, schedule_recompute
from zjai.registers import (
    can_create_entry,
    can_edit_entry,
    save_entry_changes,
    targets_reading,
)

from .models import Project

EDITABLE = [
    "name",
    "name_en",
    "kind",
    "level",
    "status",
    "enterprise",
    "city",
    "sector",
    "unit",
    "planned_investment",
    "completed_investment",
    "start_date",
    "accepted_on",
]
COUNTED = {
    "kind",
    "level",
    "status",
    "city",
    "sector",
    "planned_investment",
    "completed_investment",
    "start_date",
    "accepted_on",
}


def create_project(*, acting_user, reason: str = "", **values: Any) -> Project:
    if not can_create_entry(acting_user):
        raise PermissionDenied(_("You may not add projects."))
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    if not acting_user.has_role("admin") or values.get("unit") is None:
        values["unit"] = acting_user.unit
    project = Project(**values)
    project.full_clean()
    with transaction.atomic():
        project.save()
        record_event(
            action="create",
            obj=project,
            acting_user=acting_user,
            after=snapshot(project, EDITABLE),
            reason=reason,
        )
        schedule_recompute(targets_reading("projects"))
    return project


def update_project(
    project: Project,
    *,
    acting_user,
    expected_version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> Project:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if expected_version is not None and locked.version != expected_version:
            raise ConflictError(
                _("This project was changed by someone else. Reload it and try again."),
                current_version=locked.version,
            )
        if not can_edit_entry(acting_user, locked.unit_id):
            raise PermissionDenied(_("Only the responsible unit may change this project."))
        if "unit" in changes and not acting_user.has_role("admin"):
            raise PermissionDenied(_("Only an administrator may change the responsible unit."))
        save_entry_changes(
            locked,
            changes,
            acting_user=acting_user,
            reason=reason,
            editable=EDITABLE,
            counted=COUNTED,
            register="projects",
        )
    return locked
