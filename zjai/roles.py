"""The four roles of DESIGN.md §1, and the rules that depend on the role alone.

The frame knows the roles' names because every layer checks them (pages, API permissions, the
audit log's readers); the accounts app owns the users and groups that carry them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    """Each role is a Django group of the same name."""

    ADMIN = "admin", gettext_lazy("Administrator")
    REVIEWER = "reviewer", gettext_lazy("Reviewer")
    STAFF = "staff", gettext_lazy("Staff")
    AUDITOR = "auditor", gettext_lazy("Auditor")


# The rules below depend on nothing but the user's role, so every layer asks the same copy: the
# pages (zjai.access), the API permissions (zjai.api.permissions), the apps' own rules.


def role_of(user) -> str | None:
    return user.role if user is not None and user.is_authenticated else None


def has_a_role(user) -> bool:
    """Signed in, with one of the four roles: a user without one may open nothing until an
    administrator gives them one."""
    return role_of(user) is not None


def may_change_data(user) -> bool:
    """Anyone with a role but an auditor may change something (which things, each app's rules
    say)."""
    return has_a_role(user) and role_of(user) != Role.AUDITOR


def may_read_audit_log(user) -> bool:
    return role_of(user) in (Role.AUDITOR, Role.ADMIN)
