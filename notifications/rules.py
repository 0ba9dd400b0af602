"""Who may see and do what with notices and webhooks: the one copy of these rules.

- A notice is its recipient's alone: they read it, mark it read and choose their e-mails.
  Nobody else sees it, administrators included (an inbox is personal; the events themselves
  are in the audit trail of what caused them).
- A unit's webhooks are managed by administrators only; their deliveries (and failures) are
  shown to administrators.
- A notice leads only to a path of this site: an address naming another site (or a scheme)
  is never followed, so a notice cannot send anyone elsewhere.
"""

from __future__ import annotations

from zjai.roles import Role, has_a_role, role_of


def may_use_inbox(user) -> bool:
    return has_a_role(user)


def may_read_notice(user, notice) -> bool:
    return user.is_authenticated and notice.recipient_id == user.pk


def may_manage_webhooks(user) -> bool:
    return role_of(user) == Role.ADMIN


def is_site_path(url: str) -> bool:
    """A path of this site: starts with one slash, not two ("//host" is another site), and
    no backslash (which browsers read as a slash)."""
    return bool(url) and url.startswith("/") and not url.startswith("//") and "\\" not in url
