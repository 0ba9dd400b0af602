"""The registers in the Django admin: read-only.

Entries are written through their services (registers.services and each register's own), which
check the owning unit, validate, version, audit and recompute the targets that read them; the
register pages, the imports and the API call those. The admin cannot offer the same checks, so it
only shows the entries (STYLE.md: an admin page that cannot use the services is read-only).
"""

from __future__ import annotations

from typing import Any


class ReadOnlyAdminMixin:
    """No add, change or delete: the admin lists and shows the rows."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
