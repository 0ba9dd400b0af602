"""The audit trail as the API returns it: every field, the hashes included, so an auditor can
verify the chain from an export."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from audit.models import AuditEvent
from zjai.api.fields import ReadOnlyModelSerializer

JSON_OBJECT = {"type": "object", "additionalProperties": True, "nullable": True}


@extend_schema_field(JSON_OBJECT)
class JsonObjectField(serializers.JSONField):
    """The fields an event changed: {"state": "approved", …} (only those that changed)."""


class AuditEventSerializer(ReadOnlyModelSerializer):
    actor = serializers.CharField(
        source="actor.username", read_only=True, allow_null=True, default=None
    )
    before = JsonObjectField(read_only=True)
    after = JsonObjectField(read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "seq",
            "occurred_at",
            "actor",
            "actor_label",
            "request_id",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "reason",
            "prev_hash",
            "hash",
        ]
