"""Serializers of the plan as data: plans, responsible units, plan items (read-only)."""

from __future__ import annotations

from rest_framework import serializers

from plans.models import Plan, PlanItem, ResponsibleUnit
from zjai.api.fields import ReadOnlyModelSerializer, StrictSerializer


class PlanSerializer(ReadOnlyModelSerializer):
    class Meta:
        model = Plan
        fields = [
            "code",
            "title_zh",
            "title_en",
            "issuer_zh",
            "issuer_en",
            "issued_on",
            "period_start",
            "period_end",
            "source_note",
        ]


class ResponsibleUnitSerializer(ReadOnlyModelSerializer):
    aliases = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = ResponsibleUnit
        fields = ["code", "name_zh", "name_en", "kind", "city", "aliases"]


class UnitLinkSerializer(StrictSerializer):
    """A unit responsible for an item or a target, in the order the plan names them."""

    code = serializers.CharField(source="unit.code", read_only=True)
    is_lead = serializers.BooleanField(read_only=True)


class PlanItemSerializer(ReadOnlyModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    # DRF's serializer metaclass moves declared fields off the class, so this does not replace
    # Field.parent; the stubs cannot tell (djangorestframework-stubs issue 158).
    parent = serializers.CharField(  # type: ignore[assignment]
        source="parent.key", read_only=True, allow_null=True, default=None
    )
    units = UnitLinkSerializer(source="unit_links", many=True, read_only=True)

    class Meta:
        model = PlanItem
        fields = [
            "id",
            "plan",
            "key",
            "parent",
            "kind",
            "number",
            "title_zh",
            "title_en",
            "text_zh",
            "text_en",
            "order",
            "depth",
            "city",
            "units",
        ]
