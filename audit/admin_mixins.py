"""Makes Django admin writes leave the same audit events as every other write path."""

from django.db import transaction

from .services import record_event, snapshot


class AuditedAdminMixin:
    """Records create/update/delete with before and after, inside the admin's transaction."""

    def save_model(self, request, obj, form, change):
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            record_event(
                action="update" if change else "create",
                obj=obj,
                acting_user=request.user,
                before=before,
                after=snapshot(obj),
                reason=request.POST.get("_reason", "") or "via admin",
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            record_event(action="delete", obj=obj, acting_user=request.user, before=snapshot(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                record_event(
                    action="delete", obj=obj, acting_user=request.user, before=snapshot(obj)
                )
            super().delete_queryset(request, queryset)
