"""Makes Django admin writes leave the same audit events as every other write path."""

from django import forms
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .services import record_event, snapshot

REASON_FIELD = "audit_reason"


class AuditedAdminMixin:
    """Records create/update/delete with before and after, inside the admin's transaction.

    Every change form gets a "reason for the change" field, stored as the event's reason;
    `reason_required = True` makes it mandatory when an existing object is changed (targets and
    figures: DESIGN.md asks for a reason for changes to both).
    """

    reason_required = False

    def touched_targets(self, obj) -> list[int]:
        """Targets whose progress the change may move, recomputed after commit (as the service
        functions do); none by default."""
        return []

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = kwargs.get("form", self.form)
        required = bool(self.reason_required and obj is not None)
        field = forms.CharField(
            label=_("reason for the change"),
            required=required,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            help_text=_("Kept in the audit trail with the change."),
        )
        kwargs["form"] = type(f"Audited{base.__name__}", (base,), {REASON_FIELD: field})
        return super().get_form(request, obj, change=change, **kwargs)

    @staticmethod
    def _reason(request, form=None) -> str:
        reason = ""
        if form is not None and hasattr(form, "cleaned_data"):
            reason = (form.cleaned_data.get(REASON_FIELD) or "").strip()
        return reason or request.POST.get("_reason", "").strip()

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
                reason=self._reason(request, form) or "via admin",
            )
            self._schedule(obj)

    def _schedule(self, obj) -> None:
        from targets.services import schedule_recompute

        schedule_recompute(self.touched_targets(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_event(
                action="delete",
                obj=obj,
                acting_user=request.user,
                before=snapshot(obj),
                reason=self._reason(request) or "via admin",
            )
            super().delete_model(request, obj)
            self._schedule(obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            objects = list(queryset)
            for obj in objects:
                record_event(
                    action="delete",
                    obj=obj,
                    acting_user=request.user,
                    before=snapshot(obj),
                    reason=self._reason(request) or "via admin",
                )
            super().delete_queryset(request, queryset)
            for obj in objects:
                self._schedule(obj)
