"""Permissions by role, checked before any object is looked up or any service is called.

What a user may see is decided by each model's `for_user(user)` queryset (404 for the rest), and
what a user may do to one object by the service functions (403). These classes add only the
rules that hold for a whole endpoint: a user needs a role, auditors change nothing, and the
audit log is for auditors and administrators.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from zjai.roles import has_a_role, may_change_data, may_read_audit_log


class HasRole(BasePermission):
    """Signed in, with one of the four roles (an account without one may do nothing yet)."""

    message = _("Your account has no role yet. Ask an administrator.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return has_a_role(request.user)


class AuditorsReadOnly(BasePermission):
    """Auditors read everything and change nothing (DESIGN.md §1)."""

    message = _("Auditors may read but not change anything.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return request.method in SAFE_METHODS or may_change_data(request.user)


class AuditorsAndAdmins(BasePermission):
    """The audit log: auditors and administrators only."""

    message = _("Only auditors and administrators may read the audit log.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return may_read_audit_log(request.user)
