"""Who may publish, and what the public may read (docs/open-data.md).

- Publishing an edition and withdrawing a publication: administrators only. A publication
  speaks for the province to anyone; it is an administrator's act, audited like every write.
- The list of publications (live and withdrawn, who published, why withdrawn): the staff who
  may read the audit log and administrators.
- The public pages and downloads: anyone, signed in or not, and only what a live
  publication's `content` holds (publishing.models).
"""

from __future__ import annotations

from zjai.roles import Role, may_read_audit_log, role_of


def may_publish(user) -> bool:
    return role_of(user) == Role.ADMIN


def may_withdraw(user) -> bool:
    return role_of(user) == Role.ADMIN


def may_list_publications(user) -> bool:
    return may_publish(user) or may_read_audit_log(user)
