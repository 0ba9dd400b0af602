"""The steps every register write shares (enterprises, projects): the unknown-field check, the
locked read with its version check, the validated and audited create and update, and the
announcement of a change that can move a target (registers.signals)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from zjai.exceptions import ConflictError

from .signals import register_changed


def refuse_unknown_fields(values: dict, editable: list[str]) -> None:
    unknown = set(values) - set(editable)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


def lock_entry(entry, expected_version: int | None, conflict_message: str):
    """The entry's row, locked for this transaction; refused if someone changed it since the
    version the user read."""
    locked = type(entry).objects.select_for_update().get(pk=entry.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(conflict_message, current_version=locked.version)
    return locked


def create_entry(
    entry, *, acting_user, reason: str, editable: list[str], register: str, counts: bool
):
    """Validate a new entry as the model does, save it with its audit event and, if it
    `counts`, announce the change to the register's readers."""
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
            register_changed.send(sender=type(entry), register=register)
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
    audit event, and announce the change if a counted field changed."""
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
        register_changed.send(sender=type(locked), register=register)
    return locked
