"""Who may write register entries (enterprises, projects): the one copy, asked by the services,
the pages (which buttons show) and the API."""

from __future__ import annotations

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


def can_change_owner(user) -> bool:
    """The unit that owns an entry is set by administrators only."""
    return user.is_authenticated and user.has_role(Role.ADMIN)
