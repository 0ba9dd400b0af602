"""What register writes share: who may edit an entry, and which targets a change touches."""

from __future__ import annotations

from accounts.roles import Role


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
