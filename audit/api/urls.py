"""Routes of the audit trail, registered on the one router in zjai.api.urls."""

from .views import AuditEventViewSet

routes = [("audit-events", AuditEventViewSet, "audit-event")]
