"""One filterset for the audit trail: the API's audit-events list (and any browser view of it)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor__username", label=_("user name"))
    actor_label = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("actor (user, job or command)")
    )
    unit = django_filters.CharFilter(field_name="actor__unit__code", label=_("actor's unit"))
    object_type = django_filters.CharFilter(label=_("object type, e.g. targets.measurement"))
    object_id = django_filters.CharFilter(label=_("object id"))
    action = django_filters.CharFilter(label=_("action, e.g. approve"))
    request_id = django_filters.CharFilter(label=_("request id"))
    occurred_after = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__gte", label=_("on or after (date)")
    )
    occurred_before = django_filters.DateFilter(
        field_name="occurred_at", lookup_expr="date__lte", label=_("on or before (date)")
    )

    class Meta:
        model = AuditEvent
        fields = [
            "actor",
            "actor_label",
            "unit",
            "object_type",
            "object_id",
            "action",
            "request_id",
            "occurred_after",
            "occurred_before",
        ]
