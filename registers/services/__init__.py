"""The steps every register write shares (enterprises, projects): the unknown-field check, the
locked read with its rule and version checks, the validated and audited create and update, and
four eyes on what moves a target.

A write that would move a target (a new entry that counts; a change of a counted field) is a
*proposal*: it is kept as a PendingChange (registers.models) and the entry keeps its confirmed
values, which are what the targets count, until a second person confirms it
(`confirm_entry_change`, `confirm_import_batch`). Only then are the values written, audited as
the confirmer's with the proposer named, and announced to the register's readers
(registers.signals), which recompute the targets. Other fields (names, credit code, managing
unit) are written at once. A write that changes nothing writes nothing: no version, no event.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, snapshot
from zjai.exceptions import ConflictError

from ..choices import EditKind
from ..models import ChangeKind, ChangeState, ImportBatch, PendingChange, entry_field
from ..rules import may_amend, may_confirm
from ..signals import register_changed
from . import history
from .history import Dating

E = TypeVar("E", bound=models.Model)

# What a change event of a pending change records (its own audited fields).
CHANGE_FIELDS = [
    "kind",
    "edit_kind",
    "effective_from",
    "proposed",
    "previous",
    "owner_unit",
    "batch",
    "reason",
]
DECISION_FIELDS = ["state", "decided_by", "decided_at", "comment"]


def refuse_unknown_fields(values: dict, editable: list[str]) -> None:
    unknown = set(values) - set(editable)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


def lock_entry(entry: E) -> E:
    """The entry's row, locked for this transaction. The caller checks the user's right, then
    the version (`check_version`): another unit holding a stale version is told it may not
    change the entry (403), not that it read an old one (412)."""
    return type(entry)._default_manager.select_for_update().get(pk=entry.pk)


def check_version(locked: Any, expected_version: int | None, conflict_message: str) -> None:
    """Refused if someone changed the row since the version the user read."""
    if expected_version is not None and locked.version != expected_version:
        raise ConflictError(conflict_message, current_version=locked.version)


def _register(entry: models.Model) -> str:
    """The register's name as registers.signals announces it: the app's label."""
    return entry._meta.app_label


def _encoded(values: dict[str, Any]) -> dict[str, Any]:
    """Values as the JSON of a pending change keeps them (dates and decimals as text)."""
    return json.loads(json.dumps(values, cls=DjangoJSONEncoder))


def _locked_pending(entry: models.Model) -> PendingChange | None:
    return (
        PendingChange.objects.select_for_update(of=("self",))
        .of_entry(entry)
        .filter(state=ChangeState.PENDING)
        .select_related("proposed_by")
        .first()
    )


def _save_batch(batch: ImportBatch, acting_user) -> None:
    """An import's batch is written with its first counted entry: an import that counts
    nothing leaves none."""
    batch.save()
    record_event(
        action="create",
        obj=batch,
        acting_user=acting_user,
        after=snapshot(batch, ["register", "owner_unit", "filename", "created_by", "state"]),
    )


def _propose(
    entry: models.Model,
    *,
    kind: str,
    proposed: dict[str, Any],
    previous: dict[str, Any],
    acting_user,
    reason: str,
    batch: ImportBatch | None = None,
    dating: Dating | None = None,
) -> PendingChange:
    if batch is not None and batch.pk is None:
        _save_batch(batch, acting_user)
    dating = dating or Dating()
    change = PendingChange.objects.create(
        edit_kind=dating.edit_kind,
        effective_from=dating.effective_from,
        content_type=ContentType.objects.get_for_model(type(entry)),
        object_id=entry.pk,
        entry_repr=str(entry)[:300],
        owner_unit_id=getattr(entry, "owner_unit_id", None),
        kind=kind,
        proposed=_encoded(proposed),
        previous=_encoded(previous),
        batch=batch,
        proposed_by=acting_user,
        reason=reason,
    )
    record_event(
        action="create",
        obj=change,
        acting_user=acting_user,
        after=snapshot(change, ["content_type", "object_id", *CHANGE_FIELDS, "proposed_by"]),
        reason=reason,
    )
    return change


def _counted_values(entry: models.Model, counted: set[str]) -> dict[str, Any]:
    """The entry's values of the counted fields, in the model's field order."""
    return {
        f.name: getattr(entry, f.attname) for f in entry._meta.concrete_fields if f.name in counted
    }


# --- create and update -------------------------------------------------------------------------


def create_entry(
    entry: E,
    *,
    acting_user,
    reason: str,
    editable: list[str],
    counted: set[str],
    counts: bool,
    batch: ImportBatch | None = None,
) -> E:
    """Validate a new entry as the model does and save it with its audit event. If it `counts`
    it is saved unconfirmed, counting nowhere, with a pending change for a second person to
    confirm (in `batch` when an import adds it)."""
    entry.confirmed = not counts  # type: ignore[attr-defined]
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        record_event(
            action="create",
            obj=entry,
            acting_user=acting_user,
            after=snapshot(entry, [*editable, "confirmed"]),
            reason=reason,
        )
        change = None
        if counts:
            change = _propose(
                entry,
                kind=ChangeKind.CREATE,
                proposed=_counted_values(entry, counted),
                previous={},
                acting_user=acting_user,
                reason=reason,
                batch=batch,
            )
    entry.pending_change = change  # type: ignore[attr-defined]
    entry.proposal = change  # type: ignore[attr-defined]
    return entry


def save_entry_changes(
    locked: E,
    changes: dict,
    *,
    acting_user,
    reason: str,
    editable: list[str],
    counted: set[str],
    dating: Dating | None = None,
    batch: ImportBatch | None = None,
) -> E:
    """The end of every register update, after the caller's rule and version checks, inside its
    transaction.

    `dating` says how a change of the counted fields is dated (history.Dating: a change from a
    date, by default today, or a correction); it is checked only if a counted field moves.

    The entry as asked (its confirmed values, its pending proposal, then `changes`) is validated
    as the model does. Its other fields are written at once; its counted fields become (or amend,
    or withdraw) its pending change. The proposer alone amends a pending change, and not one of
    an import's batch. The version goes up once if anything changed; nothing changed, nothing
    is written.

    Sets `locked.pending_change` (what now awaits confirmation) and `locked.proposal` (the change
    this write proposed or amended, None if none)."""
    model = type(locked)
    pending = _locked_pending(locked)
    asked = copy.copy(locked)
    if pending is not None and pending.kind == ChangeKind.UPDATE:
        for name, value in pending.proposed_values(model).items():
            setattr(asked, name, value)
    for name, value in changes.items():
        setattr(asked, name, value)
    asked.full_clean()

    row = snapshot(locked, editable)
    wanted = snapshot(asked, editable)
    plain = [k for k in editable if k not in counted and wanted[k] != row[k]]
    if locked.confirmed:  # type: ignore[attr-defined]
        # What remains to confirm: the counted fields that differ from the confirmed ones.
        proposal = {k: v for k, v in _counted_values(asked, counted).items() if wanted[k] != row[k]}
        # Compared as values, not as text: 12000 and 12000.00 are one amount.
        proposed_before = pending.proposed_values(model) if pending is not None else {}
        counted_moved = proposal != proposed_before
        if proposal and not counted_moved and dating is not None and pending is not None:
            # The same values, dated otherwise: the pending change is amended.
            checked = dating.checked(reason)
            counted_moved = (checked.edit_kind, checked.effective_from) != (
                pending.edit_kind,
                pending.effective_from,
            )
        written = plain
    else:
        # A new entry awaiting confirmation counts nowhere: its row holds the proposal.
        proposal = _counted_values(asked, counted)
        counted_moved = any(wanted[k] != row[k] for k in counted)
        written = [k for k in editable if wanted[k] != row[k]]

    locked.pending_change = pending  # type: ignore[attr-defined]
    locked.proposal = None  # type: ignore[attr-defined]
    if not written and not counted_moved:
        return locked
    confirmed = locked.confirmed  # type: ignore[attr-defined]
    dated = (
        (dating or Dating()).checked(reason) if counted_moved and proposal and confirmed else None
    )
    if counted_moved and pending is not None:
        if pending.batch_id is not None:
            raise ConflictError(
                _(
                    "This entry is part of import batch #%(batch)s, which awaits "
                    "confirmation: its counted fields change only once the batch is "
                    "confirmed or rejected."
                )
                % {"batch": pending.batch_id}
            )
        if not may_amend(acting_user, pending.proposed_by_id, pending.batch_id):
            raise ConflictError(
                _(
                    "A change of this entry proposed by %(who)s awaits confirmation. It must "
                    "be confirmed or rejected before another change of its counted fields."
                )
                % {"who": pending.proposed_by.get_username()}
            )

    if written:
        before = snapshot(locked, written)
        for name in written:
            field = entry_field(model, name)
            setattr(locked, field.attname, getattr(asked, field.attname))
        locked.full_clean()
        record_after = snapshot(locked, written)
    locked.version += 1  # type: ignore[attr-defined]
    locked.save()
    if written:
        record_event(
            action="update",
            obj=locked,
            acting_user=acting_user,
            before=before,
            after=record_after,
            reason=reason,
        )
    if pending is not None and "owner_unit" in written:
        pending.owner_unit_id = locked.owner_unit_id  # type: ignore[attr-defined]
        if not counted_moved:
            _amend(pending, pending.proposed, acting_user=acting_user, reason=reason, entry=locked)
    if counted_moved:
        if pending is None:
            pending = _propose(
                locked,
                kind=ChangeKind.UPDATE,
                proposed=proposal,
                previous={k: getattr(locked, k) for k in proposal},
                acting_user=acting_user,
                reason=reason,
                batch=batch,
                dating=dated,
            )
            locked.proposal = pending  # type: ignore[attr-defined]
        elif not proposal:
            _withdraw(pending, acting_user=acting_user, reason=reason)
            pending = None
        else:
            proposed = _encoded(proposal)
            _amend(
                pending,
                proposed,
                acting_user=acting_user,
                reason=reason,
                entry=locked,
                dating=dated if pending.kind == ChangeKind.UPDATE else None,
            )
            locked.proposal = pending  # type: ignore[attr-defined]
        locked.pending_change = pending  # type: ignore[attr-defined]
    return locked


def _amend(
    change: PendingChange,
    proposed: dict[str, Any],
    *,
    acting_user,
    reason: str,
    entry,
    dating: Dating | None = None,
) -> None:
    before = snapshot(change, CHANGE_FIELDS)
    change.proposed = proposed
    if dating is not None:
        change.edit_kind = dating.edit_kind
        change.effective_from = dating.effective_from
    change.entry_repr = str(entry)[:300]
    if reason:
        change.reason = reason
    change.version += 1
    change.save()
    record_event(
        action="update",
        obj=change,
        acting_user=acting_user,
        before=before,
        after=snapshot(change, CHANGE_FIELDS),
        reason=reason,
    )


def _decide(change: PendingChange | ImportBatch, state: str, *, acting_user, comment: str) -> None:
    before = snapshot(change, DECISION_FIELDS)
    change.state = state
    change.decided_by = acting_user
    change.decided_at = timezone.now()
    change.comment = comment
    change.version += 1
    change.save()
    actions: dict[str, str] = {ChangeState.CONFIRMED: "approve", ChangeState.REJECTED: "reject"}
    action = actions.get(state, "withdraw")
    record_event(
        action=action,
        obj=change,
        acting_user=acting_user,
        before=before,
        after=snapshot(change, DECISION_FIELDS),
        reason=comment,
    )


def _withdraw(change: PendingChange, *, acting_user, reason: str) -> None:
    """Its proposer set the counted fields back to the confirmed values."""
    _decide(change, ChangeState.WITHDRAWN, acting_user=acting_user, comment=reason)


# --- confirm and reject ------------------------------------------------------------------------


def _decision_note(verb: str, change: PendingChange, comment: str) -> str:
    """The reason of the entry's event: whose change it was and why they proposed it, then the
    decider's comment (in the trail's own words, not translated, as every stored reason)."""
    note = f"{verb} change #{change.pk} proposed by {change.proposed_by.get_username()}"
    if change.kind == ChangeKind.UPDATE:
        if change.edit_kind == EditKind.CORRECTION:
            note += ", a correction"
        else:
            effective = change.effective_from or timezone.localdate(change.proposed_at)
            note += f", a change from {effective.isoformat()}"
    if change.reason:
        note += f" ({change.reason})"
    return f"{note}: {comment}" if comment else note


def _apply(locked: Any, change: PendingChange, *, acting_user, comment: str) -> None:
    """Write a confirmed change to its entry: dated in its history (registers/services/
    history.py), validated as the model does, its version bumped, audited as the confirmer's
    with the proposer named. The system knows the new values from now on."""
    model = type(locked)
    values = change.proposed_values(model)
    names = [*values, "confirmed"]
    before = snapshot(locked, [*names, "valid_from"])
    held_from = locked.valid_from
    now = timezone.now()
    if change.kind == ChangeKind.CREATE:
        locked.recorded_at = now
    else:
        moved = {k: v for k, v in values.items() if getattr(locked, k) != v}
        if moved:
            effective = change.effective_from
            if change.edit_kind == EditKind.CHANGE and effective is None:
                effective = timezone.localdate(change.proposed_at)
            history.record_edit(
                locked, moved, kind=change.edit_kind, effective_from=effective, now=now
            )
    if locked.valid_from == held_from:  # the event names when the values hold only if it moved
        del before["valid_from"]
    else:
        names.append("valid_from")
    for name, value in values.items():
        setattr(locked, name, value)
    locked.confirmed = True
    locked.full_clean()
    locked.version += 1
    locked.save()
    record_event(
        action="update",
        obj=locked,
        acting_user=acting_user,
        before=before,
        after=snapshot(locked, names),
        reason=_decision_note("confirms", change, comment),
    )
    _decide(change, ChangeState.CONFIRMED, acting_user=acting_user, comment=comment)


def _remove_rejected(locked: Any, change: PendingChange, *, acting_user, comment: str) -> None:
    """A rejected new entry never counted and leaves the register (its events stay in the trail):
    the same file can be imported again once corrected, with the same credit codes."""
    fields = [f.name for f in locked._meta.concrete_fields if f.name != "id"]
    before = snapshot(locked, fields)
    pk = locked.pk
    try:
        with transaction.atomic():
            locked.delete()
    except ProtectedError as exc:
        names = ", ".join(sorted({str(obj) for obj in exc.protected_objects})[:5])
        raise ValidationError(
            _(
                "“%(entry)s” cannot be removed: %(names)s refer to it. Change them first, or "
                "confirm it."
            )
            % {"entry": locked, "names": names}
        ) from None
    locked.pk = pk
    record_event(
        action="delete",
        obj=locked,
        acting_user=acting_user,
        before=before,
        reason=_decision_note("rejects", change, comment),
    )


def _reject(locked: Any, change: PendingChange, *, acting_user, comment: str) -> bool:
    """Reject a change; True if its entry (a new one) was removed."""
    _decide(change, ChangeState.REJECTED, acting_user=acting_user, comment=comment)
    if change.kind == ChangeKind.CREATE:
        _remove_rejected(locked, change, acting_user=acting_user, comment=comment)
        return True
    locked.version += 1  # its representation no longer shows the change
    locked.save(update_fields=["version", "updated_at"])
    return False


def _refuse_decision(user, locked: Any, change: PendingChange | None) -> None:
    """The right to decide, checked before the version (403 before 412)."""
    owner = getattr(locked, "owner_unit_id", None)
    if change is not None and user.is_authenticated and user.pk == change.proposed_by_id:
        raise PermissionDenied(
            _("You proposed this change: a reviewer of the managing unit must confirm it.")
        )
    if not may_confirm(user, owner, change.proposed_by_id if change else None):
        raise PermissionDenied(
            _("Only a reviewer of the managing unit or an administrator confirms changes.")
        )


def _decidable(locked: Any, expected_version: int | None, conflict_message: str, *, user):
    change = _locked_pending(locked)
    _refuse_decision(user, locked, change)
    check_version(locked, expected_version, conflict_message)
    if change is None:
        raise ConflictError(_("No change of this entry awaits confirmation."))
    if change.batch_id is not None:
        raise ConflictError(
            _(
                "This change is part of import batch #%(batch)s: confirm or reject the batch "
                "as a whole."
            )
            % {"batch": change.batch_id}
        )
    return change


def confirm_entry_change(
    entry: E,
    *,
    acting_user,
    expected_version: int | None = None,
    comment: str = "",
    conflict_message: str,
) -> E:
    """Confirm the entry's pending change: its values are written and counted from now on."""
    with transaction.atomic():
        locked = lock_entry(entry)
        change = _decidable(locked, expected_version, conflict_message, user=acting_user)
        _apply(locked, change, acting_user=acting_user, comment=comment)
        register_changed.send(sender=type(locked), register=_register(locked))
    locked.pending_change = None  # type: ignore[attr-defined]
    return locked


def reject_entry_change(
    entry: E,
    *,
    acting_user,
    expected_version: int | None = None,
    comment: str,
    conflict_message: str,
) -> E | None:
    """Reject the entry's pending change, saying why: nothing is counted. A new entry is removed
    from the register (None is returned); a changed one keeps its confirmed values."""
    with transaction.atomic():
        locked = lock_entry(entry)
        change = _decidable(locked, expected_version, conflict_message, user=acting_user)
        if not (comment or "").strip():
            raise ValidationError({"comment": _("Say why the change is rejected.")})
        removed = _reject(locked, change, acting_user=acting_user, comment=comment)
    if removed:
        return None
    locked.pending_change = None  # type: ignore[attr-defined]
    return locked


# --- import batches ----------------------------------------------------------------------------


def new_import_batch(model: type[models.Model], *, acting_user, filename: str) -> ImportBatch:
    """The batch an import's counted entries join; saved with the first of them (create_entry)."""
    return ImportBatch(
        register=ContentType.objects.get_for_model(model),
        owner_unit_id=acting_user.unit_id,
        filename=filename[:255],
        created_by=acting_user,
    )


def _decide_batch(
    batch: ImportBatch,
    *,
    acting_user,
    expected_version: int | None,
    comment: str,
    decide: Callable[[Any, PendingChange], Any],
    state: str,
) -> ImportBatch:
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if acting_user.is_authenticated and acting_user.pk == locked.created_by_id:
            raise PermissionDenied(
                _("You imported this file: a reviewer of your unit must confirm it.")
            )
        if not may_confirm(acting_user, locked.owner_unit_id, locked.created_by_id):
            raise PermissionDenied(
                _("Only a reviewer of the managing unit or an administrator confirms imports.")
            )
        check_version(
            locked,
            expected_version,
            _("This import was decided or changed by someone else. Reload it and try again."),
        )
        if locked.state != ChangeState.PENDING:
            raise ConflictError(_("This import was already confirmed or rejected."))
        if state == ChangeState.REJECTED and not (comment or "").strip():
            raise ValidationError({"comment": _("Say why the import is rejected.")})
        model = locked.register.model_class()
        assert model is not None
        # The entries first, then their changes: the order every entry write locks them in.
        pending = locked.changes.filter(state=ChangeState.PENDING)
        entries = model._default_manager.select_for_update().in_bulk(
            list(pending.values_list("object_id", flat=True))
        )
        changes = list(
            pending.select_for_update(of=("self",)).select_related("proposed_by").order_by("pk")
        )
        for change in changes:
            entry = entries[change.object_id]
            if not may_confirm(acting_user, getattr(entry, "owner_unit_id", None), None):
                raise PermissionDenied(
                    _("“%(entry)s” is now managed by another unit.") % {"entry": entry}
                )
            decide(entry, change)
        _decide(locked, state, acting_user=acting_user, comment=comment)
        if state == ChangeState.CONFIRMED and changes:
            register_changed.send(sender=model, register=model._meta.app_label)
    return locked


def confirm_import_batch(
    batch: ImportBatch, *, acting_user, expected_version: int | None = None, comment: str = ""
) -> ImportBatch:
    """Confirm every entry an import added or changed, as one: they count from now on (a
    change dated as its row said)."""
    return _decide_batch(
        batch,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        decide=lambda entry, change: _apply(
            entry, change, acting_user=acting_user, comment=comment
        ),
        state=ChangeState.CONFIRMED,
    )


def reject_import_batch(
    batch: ImportBatch, *, acting_user, expected_version: int | None = None, comment: str
) -> ImportBatch:
    """Reject an import as one, saying why: the entries it added never counted and leave the
    register; the entries it changed keep their confirmed values."""
    return _decide_batch(
        batch,
        acting_user=acting_user,
        expected_version=expected_version,
        comment=comment,
        decide=lambda entry, change: _reject(
            entry, change, acting_user=acting_user, comment=comment
        ),
        state=ChangeState.REJECTED,
    )
