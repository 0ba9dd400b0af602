"""What register writes share (enterprises, projects): who may edit an entry, the checks and
steps every create and update goes through, and which targets a change touches."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from zjai.roles import Role


def can_edit_entry(user, owner_unit_id: int | None) -> bool:
    """Admins edit every entry; staff and reviewers edit the entries their unit owns."""
    if not user.is_authenticated:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return (
        user.has_role(Role.STAFF, Role.REVIEWER)
        and owner_unit_id is not None
        and owner_unit_id == user.unit_id
    )


def can_create_entry(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.STAFF, Role.REVIEWER)


def targets_reading(register: str) -> list[int]:
    """Ids of the targets whose value is counted or summed from a register."""
    from targets.models import Target

    return list(Target.objects.filter(source_register=register).values_list("pk", flat=True))


def refuse_unknown_fields(values: dict, editable: list[str]) -> None:
    unknown = set(values) - set(editable)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


def lock_entry(entry, expected_version: int | None, conflict_message: str):
    """The entry's row, locked for this transaction; refused if someone changed it since the
    version the user read."""
    from zjai.exceptions import ConflictError

    locked = type(entry).objects.select_for_update().get(pk=entry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(conflict_message, current_version=locked.version)
    return locked


def create_entry(
    entry, *, acting_user, reason: str, editable: list[str], register: str, counts: bool
):
    """Validate a new entry as the model does, save it with its audit event and, if it
    `counts`, recompute the targets of the register."""
    from audit.services import record_event, snapshot
    from targets.services import schedule_recompute

    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record_event(
            action="create",
            obj=entry,
            acting_user=acting_user,
            after=snapshot(entry, editable),
            reason=reason,
        )
        if counts:
            schedule_recompute(targets_reading(register))
    return entry


def save_entry_changes(
    locked,
    changes: dict,
    *,
    acting_user,
    reason: str,
    editable: list[str],
    counted: set[str],
    register: str,
):
    """The end of every register update, the same for enterprises and projects: apply the
    changes to the locked row, validate it as the model does, bump its version, record the
    audit event, and recompute the targets of the register if a counted field changed."""
    from audit.services import record_event, snapshot
    from targets.services import schedule_recompute

    before = snapshot(locked, editable)
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked.version += 1
    locked.save()
    after = snapshot(locked, editable)
    record_event(
        action="update",
        obj=locked,
        acting_user=acting_user,
        before=before,
        after=after,
        reason=reason,
    )
    if any(before.get(k) != after.get(k) for k in counted):
        schedule_recompute(targets_reading(register))
    return locked
