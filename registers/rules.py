"""Who may write register entries (enterprises, projects) and who confirms the changes that move
a target: the one copy, asked by the services, the pages (which buttons show) and the API."""

from __future__ import annotations

from django.db.models import Q

from zjai.roles import Role, role_of


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


def can_change_owner(user) -> bool:
    """The unit that owns an entry is set by administrators only."""
    return user.is_authenticated and user.has_role(Role.ADMIN)


def may_confirm(user, owner_unit_id: int | None, proposed_by_id: int | None) -> bool:
    """Four eyes: a change that moves a target is confirmed (or rejected) by a reviewer of the
    entry's managing unit or an administrator, never by the person who proposed it. A batch of
    an import is the same question, asked of the batch's unit and the person who imported it."""
    if not user.is_authenticated or user.pk == proposed_by_id:
        return False
    if user.has_role(Role.ADMIN):
        return True
    return (
        user.has_role(Role.REVIEWER) and owner_unit_id is not None and owner_unit_id == user.unit_id
    )


def may_amend(user, proposed_by_id: int, batch_id: int | None) -> bool:
    """A pending change is amended by its proposer only (anyone else's proposal would be
    confirmed as theirs), and never one by one while it belongs to an import's batch."""
    return user.is_authenticated and user.pk == proposed_by_id and batch_id is None


def confirms_changes(user) -> bool:
    """Whether the user confirms anyone's changes at all (the queue, the links to it)."""
    return user.is_authenticated and user.has_role(Role.ADMIN, Role.REVIEWER)


def visible_entries(entries, user):
    """The entries of a register (enterprises or projects) that `user` finds in the global
    search: confirmed entries for everyone signed in; a new entry awaiting its confirmation only
    for its managing unit, administrators and auditors, since until a second person confirms it
    it is that unit's proposal, not the register's data (what the targets count, what the
    exports hold: targets.values)."""
    role = role_of(user)
    if role is None:
        return entries.none()
    if role in (Role.ADMIN, Role.AUDITOR):
        return entries
    confirmed = Q(confirmed=True)
    if user.unit_id:
        confirmed |= Q(owner_unit_id=user.unit_id)
    return entries.filter(confirmed)
