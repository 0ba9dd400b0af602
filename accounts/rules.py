"""Who may do what with accounts and API tokens: the one copy of these rules (DESIGN.md §1).

The rules that depend on the role alone (has a role, may change data, may read the audit log)
are the frame's (zjai.roles), since every layer asks them.
"""

from __future__ import annotations

from zjai.roles import Role, role_of


def sees_every_token(user) -> bool:
    """Administrators see every API token; everyone else only their own."""
    return role_of(user) == Role.ADMIN


def may_manage_tokens_of(acting_user, owner) -> bool:
    """Users create and revoke their own tokens; administrators everyone's."""
    if not acting_user.is_authenticated or not acting_user.is_active:
        return False
    return acting_user.pk == owner.pk or role_of(acting_user) == Role.ADMIN
