"""Who may do what with accounts and API tokens: the one copy of these rules (DESIGN.md §1).

Every user acts through one of four roles (a Django group of the same name; a superuser is an
administrator). A signed-in user without a role may open nothing until an administrator gives
them one. Auditors read everything and change nothing; the audit log is for auditors and
administrators.
"""

from __future__ import annotations

from .roles import Role


def role_of(user) -> str | None:
    return user.role if user is not None and user.is_authenticated else None


def has_a_role(user) -> bool:
    """Signed in, with one of the four roles."""
    return role_of(user) is not None


def may_change_data(user) -> bool:
    """Anyone with a role but an auditor may change something (which things, each app's rules
    say)."""
    return has_a_role(user) and role_of(user) != Role.AUDITOR


def may_read_audit_log(user) -> bool:
    return role_of(user) in (Role.AUDITOR, Role.ADMIN)


def sees_every_token(user) -> bool:
    """Administrators see every API token; everyone else only their own."""
    return role_of(user) == Role.ADMIN


def may_manage_tokens_of(acting_user, owner) -> bool:
    """Users create and revoke their own tokens; administrators everyone's."""
    if not acting_user.is_authenticated or not acting_user.is_active:
        return False
    return acting_user.pk == owner.pk or role_of(acting_user) == Role.ADMIN
