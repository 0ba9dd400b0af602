"""Writes to the project register, shared by the browser, the API and the bulk import."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from registers.rules import can_change_owner, can_create_entry, can_edit_entry
from registers.services import (
    create_entry,
    lock_entry,
    refuse_unknown_fields,
    save_entry_changes,
)

from .models import Project

# The fields a user may set: the form, the import's columns and the API's fields are these.
EDITABLE = [
    "name_zh",
    "name_en",
    "kind",
    "level",
    "status",
    "enterprise",
    "city",
    "sector",
    "owner_unit",
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
    refuse_unknown_fields(values, EDITABLE)
    if not can_change_owner(acting_user) or values.get("owner_unit") is None:
        values["owner_unit"] = acting_user.unit
    return create_entry(
        Project(**values),
        acting_user=acting_user,
        reason=reason,
        editable=EDITABLE,
        register="projects",
        counts=True,
    )


def update_project(
    project: Project,
    *,
    acting_user,
    expected_version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> Project:
    refuse_unknown_fields(changes, EDITABLE)
    with transaction.atomic():
        locked = lock_entry(
            project,
            expected_version,
            _("This project was changed by someone else. Reload it and try again."),
        )
        if not can_edit_entry(acting_user, locked.owner_unit_id):
            raise PermissionDenied(_("Only the managing unit may change this project."))
        if "owner_unit" in changes and not can_change_owner(acting_user):
            raise PermissionDenied(_("Only an administrator may change the managing unit."))
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
