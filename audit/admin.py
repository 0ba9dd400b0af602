from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import history
from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended by the service functions, never edited. The list says
    who and what in words (audit.history, as the history pages do); the filters, the search
    and an event's own page keep the codes as recorded."""

    list_display = ("seq", "occurred_at", "who", "what", "object_type", "object_repr")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_repr", "object_id", "request_id")
    date_hierarchy = "occurred_at"

    @admin.display(description=_("who"), ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        return history.actor_text(event.actor_label)

    @admin.display(description=_("what"), ordering="action")
    def what(self, event: AuditEvent) -> str:
        return history.sentence(event, history.model_of(event.object_type))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
