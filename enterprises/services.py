"""Writes to the enterprise register: create, update, recognise a tier, revoke, and confirm or
reject what moves a target.

Shared by the browser, the API, the admin and the bulk import; each write is validated by the
model (full_clean, so the same messages everywhere), audited and version-checked. A new
enterprise with a tier, and a change of a counted field (COUNTED), is a proposal that counts
once a second person confirms it (registers.services); only then are the targets that count
enterprises recomputed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from registers.choices import EditKind
from registers.models import ImportBatch
from registers.rules import can_change_owner, can_create_entry, can_edit_entry
from registers.selectors import with_proposal
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

from .choices import EnterpriseStatus
from .models import Enterprise

# The fields a user may set: the form, the import's columns and the API's fields are these.
EDITABLE = [
    "name_zh",
    "name_en",
    "credit_code",
    "city",
    "sector",
    "tier",
    "recognised_on",
    "recognised_by",
    "status",
    "revoked_on",
    "owner_unit",
]
# The fields a target counts or filters on: a change of one waits for a second person.
COUNTED = {"tier", "recognised_on", "status", "revoked_on", "city", "sector"}


def _conflict() -> str:
    return _("This enterprise was changed by someone else. Reload it and try again.")


def _normalise(values: dict[str, Any]) -> dict[str, Any]:
    values = dict(values)
    if values.get("credit_code") is not None:
        values["credit_code"] = values["credit_code"].strip().upper() or None
    return values


def create_enterprise(
    *, acting_user, reason: str = "", batch: ImportBatch | None = None, **values
) -> Enterprise:
    """Add an enterprise. One with a tier counts, so it waits for confirmation (in `batch` when
    an import adds it)."""
    if not can_create_entry(acting_user):
        raise PermissionDenied(_("You may not add enterprises."))
    refuse_unknown_fields(values, EDITABLE)
    values = _normalise(values)
    if not can_change_owner(acting_user) or values.get("owner_unit") is None:
        values["owner_unit"] = acting_user.unit
    return create_entry(
        Enterprise(**values),
        acting_user=acting_user,
        reason=reason,
        editable=EDITABLE,
        counted=COUNTED,
        counts=bool(values.get("tier")),
        batch=batch,
    )


def update_enterprise(
    enterprise: Enterprise,
    *,
    acting_user,
    expected_version: int | None = None,
    reason: str = "",
    effective_from: dt.date | None = None,
    edit_kind: str = EditKind.CHANGE,
    batch: ImportBatch | None = None,
    **changes,
) -> Enterprise:
    """Change an enterprise: its other fields at once, its counted ones (COUNTED) as a proposal
    that counts once confirmed."""
    refuse_unknown_fields(changes, EDITABLE)
    changes = _normalise(changes)
    with transaction.atomic():
        locked = lock_entry(enterprise)
        if not can_edit_entry(acting_user, locked.owner_unit_id):
            raise PermissionDenied(_("Only the managing unit may change this enterprise."))
        if "owner_unit" in changes and not can_change_owner(acting_user):
            raise PermissionDenied(_("Only an administrator may change the managing unit."))
        check_version(locked, expected_version, _conflict())
        # Revoking is measured against what is proposed already, not only what is confirmed.
        revoking = (
            changes.get("status") == EnterpriseStatus.REVOKED
            and with_proposal(locked).status != EnterpriseStatus.REVOKED
        )
        if revoking and not (reason or "").strip():
            # Every path that revokes (the edit form, the API's PATCH and PUT,
            # revoke_enterprise) needs the reason: it goes into the audit trail.
            raise ValidationError({"reason": _("Revoking a recognition needs a reason.")})
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


def confirm_enterprise_change(
    enterprise: Enterprise, *, acting_user, expected_version: int | None = None, comment: str = ""
) -> Enterprise:
    """A second person confirms the enterprise's pending change: it counts from now on."""
    return confirm_entry_change(
        enterprise,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        conflict_message=_conflict(),
    )


def reject_enterprise_change(
    enterprise: Enterprise, *, acting_user, comment: str, expected_version: int | None = None
) -> Enterprise | None:
    """A second person rejects the pending change, saying why; a new enterprise is removed."""
    return reject_entry_change(
        enterprise,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        conflict_message=_conflict(),
    )


def recognise_enterprise(
    enterprise: Enterprise,
    *,
    tier: str,
    recognised_on: dt.date,
    recognised_by: str = "",
    acting_user,
    expected_version: int | None = None,
    reason: str = "",
) -> Enterprise:
    """Propose that an enterprise was recognised in a tier: it counts toward the 10/100/500 once
    a second person confirms it."""
    return update_enterprise(
        enterprise,
        acting_user=acting_user,
        expected_version=expected_version,
        reason=reason,
        tier=tier,
        recognised_on=recognised_on,
        recognised_by=recognised_by,
    )


def revoke_enterprise(
    enterprise: Enterprise,
    *,
    revoked_on: dt.date,
    acting_user,
    reason: str,
    expected_version: int | None = None,
) -> Enterprise:
    """Propose to revoke a recognition: once confirmed, it stops counting from `revoked_on`. A
    reason is required (update_enterprise checks it, for every path that revokes)."""
    return update_enterprise(
        enterprise,
        acting_user=acting_user,
        expected_version=expected_version,
        reason=reason,
        status=EnterpriseStatus.REVOKED,
        revoked_on=revoked_on,
    )
