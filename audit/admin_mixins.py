"""The Django admin's part in the audit trail: its "reason for the change" field, a read-only
admin for what changes only through a service or a file, and an audited save for the admins
whose models have no service yet.

The audit app records and never decides: what a change sets off (a recompute, a notice) is
the owning app's, which the audited admin asks through `after_write`; better still, the
owning app's admin calls its services, which do both.
"""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .services import record_event, snapshot

REASON_FIELD = "audit_reason"
DEFAULT_REASON = "via admin"


def reason_field(*, required: bool) -> forms.CharField:
    """The "reason for the change" of an admin form, kept as the event's reason."""
    return forms.CharField(
        label=_("reason for the change"),
        required=required,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the audit trail with the change."),
    )


def admin_reason(request, form=None) -> str:
    """The reason given on the form (or, for a delete, posted as `_reason`)."""
    reason = ""
    if form is not None and hasattr(form, "cleaned_data"):
        reason = (form.cleaned_data.get(REASON_FIELD) or "").strip()
    return reason or request.POST.get("_reason", "").strip()


class ReadOnlyAdminMixin:
    """Shown, never changed: no add, change or delete (a forged POST gets 403)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """Records create/update/delete with before and after, inside the admin's transaction.

    Every change form gets a "reason for the change" field, stored as the event's reason;
    `reason_required = True` makes it mandatory when an existing object is changed.
    """

    reason_required = False

    def after_write(self, obj) -> None:
        """What the owning app does once `obj` is saved or deleted, inside the same transaction
        (e.g. queue a recompute); nothing by default."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        field = reason_field(required=bool(self.reason_required and obj is not None))
        kwargs["form"] = type(f"Audited{base.__name__}", (base,), {REASON_FIELD: field})
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            current = None
            if change and obj.pk:
                current = type(obj).objects.select_for_update().get(pk=obj.pk)
            before = snapshot(current) if current is not None else None
            if current is not None and hasattr(current, "version"):
                # The same optimistic-locking version the services keep: an API client holding
                # the old one is refused instead of overwriting this change.
                obj.version = current.version + 1
            super().save_model(request, obj, form, change)
            record_event(
                action="update" if change else "create",
                obj=obj,
                acting_user=request.user,
                before=before,
                # As stored (a decimal's places, a date's type), not as the form left it.
                after=snapshot(type(obj).objects.get(pk=obj.pk)),
                reason=admin_reason(request, form) or DEFAULT_REASON,
            )
            self.after_write(obj)

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_event(
                action="delete",
                obj=obj,
                acting_user=request.user,
                before=snapshot(obj),
                reason=admin_reason(request) or DEFAULT_REASON,
            )
            super().delete_model(request, obj)
            self.after_write(obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            objects = list(queryset)
            for obj in objects:
                record_event(
                    action="delete",
                    obj=obj,
                    acting_user=request.user,
                    before=snapshot(obj),
                    reason=admin_reason(request) or DEFAULT_REASON,
                )
            super().delete_queryset(request, queryset)
            for obj in objects:
                self.after_write(obj)
