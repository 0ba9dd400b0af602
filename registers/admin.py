"""The registers in the Django admin, writing through the registers' services.

A change here is the same change as on the register pages, the import or the API: the service
checks who may change the entry, validates it as the model does, compares the version the page
was read at, records the audit event (with the reason given) and recomputes the targets that
count the register. Entries are never deleted (a recognition is revoked, a project's status
changes), so the admin offers no delete.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.admin_mixins import REASON_FIELD, ServiceAdminMixin, VersionedAdminForm
from zjai.versioned import Versioned

from .rules import can_create_entry, can_edit_entry


class RegisterAdmin(ServiceAdminMixin, admin.ModelAdmin):
    """A register's admin: its editable fields (the services' list), saved by its services."""

    form = VersionedAdminForm
    editable: list[str]
    create_service: Callable[..., Versioned]
    update_service: Callable[..., Versioned]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return (*self.editable, "seen_version", REASON_FIELD)

    def has_add_permission(self, request: Any) -> bool:
        return super().has_add_permission(request) and can_create_entry(request.user)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or can_edit_entry(request.user, obj.owner_unit_id))

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        data = form.cleaned_data
        # As given: a change that needs a reason (a revocation) is refused without one.
        reason = (data.get(REASON_FIELD) or "").strip()
        if change:
            changes = self.changes_of(form, self.editable)
            if changes:
                saved = self.update_service(
                    obj,
                    acting_user=request.user,
                    expected_version=data.get("seen_version"),
                    reason=reason,
                    **changes,
                )
                obj.version = saved.version
        else:
            values = {name: data[name] for name in self.editable if name in data}
            saved = self.create_service(acting_user=request.user, reason=reason, **values)
            obj.pk = saved.pk

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        """No related rows are edited here; the entry was saved by its service."""
