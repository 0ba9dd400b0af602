"""The audit trail, read-only, for auditors and administrators (DESIGN.md §1)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view

from audit.filtersets import AuditEventFilterSet
from audit.models import AuditEvent
from zjai.api.permissions import AuditorsAndAdmins, HasRole
from zjai.api.views import ReadOnlyViewSet

from .serializers import AuditEventSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Audit events, newest first")),
    retrieve=extend_schema(summary=_("One audit event, by its sequence number")),
)
class AuditEventViewSet(ReadOnlyViewSet):
    """Who changed what, when and why, with the values before and after. Events are appended
    by the service functions and never change; `seq` has no gaps."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilterSet
    permission_classes = [HasRole, AuditorsAndAdmins]
    lookup_field = "seq"
    search_fields = ["actor_label", "object_repr", "reason"]
    ordering_fields = ["seq", "occurred_at"]
    ordering = ["-seq"]

    def get_queryset(self) -> QuerySet:
        return AuditEvent.objects.select_related("actor")
