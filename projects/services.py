"""Writes to the project register, shared by the browser, the API, the admin and the bulk import.

Every project counts (the targets count projects by kind, level, status and dates, and sum their
investment), so a new project, and a change of a counted field (COUNTED), is a proposal that
counts once a second person confirms it (registers.services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from registers.choices import EditKind
from registers.models import ImportBatch
from registers.rules import can_change_owner, can_create_entry, can_edit_entry
from registers.services import (
    check_version,
    confirm_entry_change,
    create_entry,
    lock_entry,
    refuse_unknown_fields,
    reject_entry_change,
    save_entry_changes,
)
from registers.services.history import Dating

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
# The fields a target counts, filters or sums: a change of one waits for a second person.
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


def _conflict() -> str:
    return _("This project was changed by someone else. Reload it and try again.")


def create_project(
    *, acting_user, reason: str = "", batch: ImportBatch | None = None, **values: Any
) -> Project:
    """Add a project, awaiting confirmation (in `batch` when an import adds it)."""
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
        counted=COUNTED,
        counts=True,
        batch=batch,
    )


def update_project(
    project: Project,
    *,
    acting_user,
    expected_version: int | None = None,
    reason: str = "",
    effective_from: dt.date | None = None,
    edit_kind: str = EditKind.CHANGE,
    batch: ImportBatch | None = None,
    **changes: Any,
) -> Project:
    """Change a project: its other fields at once, its counted ones (COUNTED) as a proposal that
    counts once confirmed."""
    refuse_unknown_fields(changes, EDITABLE)
    with transaction.atomic():
        locked = lock_entry(project)
        if not can_edit_entry(acting_user, locked.owner_unit_id):
            raise PermissionDenied(_("Only the managing unit may change this project."))
        if "owner_unit" in changes and not can_change_owner(acting_user):
            raise PermissionDenied(_("Only an administrator may change the managing unit."))
        check_version(locked, expected_version, _conflict())
        save_entry_changes(
            locked,
            changes,
            acting_user=acting_user,
            reason=reason,
            editable=EDITABLE,
            counted=COUNTED,
            dating=Dating(edit_kind, effective_from),
            batch=batch,
        )
    return locked


def confirm_project_change(
    project: Project, *, acting_user, expected_version: int | None = None, comment: str = ""
) -> Project:
    """A second person confirms the project's pending change: it counts from now on."""
    return confirm_entry_change(
        project,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        conflict_message=_conflict(),
    )


def reject_project_change(
    project: Project, *, acting_user, comment: str, expected_version: int | None = None
) -> Project | None:
    """A second person rejects the pending change, saying why; a new project is removed."""
    return reject_entry_change(
        project,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        conflict_message=_conflict(),
    )
