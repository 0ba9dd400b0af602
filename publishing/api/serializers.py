"""Publications as the API returns them (never their content: the public pages and the open
data serve it), and the bodies of publishing and withdrawing."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans.models import Plan
from reports.editions import EditionError, check_edition, parse_known_on
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictSerializer,
    StrictSlugRelatedField,
)

from ..forms import REASON_MAX_LENGTH
from ..links import public_path
from ..models import Publication


class PublicationSerializer(ReadOnlyModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    published_by = serializers.CharField(source="published_by.username", read_only=True)
    withdrawn_by = serializers.CharField(
        source="withdrawn_by.username", read_only=True, allow_null=True, default=None
    )
    is_live = serializers.BooleanField(
        read_only=True, help_text=_("True while the public sees it; false once withdrawn.")
    )
    public_url = serializers.SerializerMethodField(
        help_text=_("Its public page (a path on this site); null once withdrawn.")
    )

    class Meta:
        model = Publication
        fields = [
            "id",
            "plan",
            "number",
            "as_of",
            "known_at",
            "digest",
            "audit_head",
            "content_digest",
            "published_by",
            "published_at",
            "is_live",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "version",
            "public_url",
        ]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_public_url(self, obj: Publication) -> str | None:
        return public_path(obj)


class PublishSerializer(StrictSerializer):
    plan = StrictSlugRelatedField(
        slug_field="code",
        queryset=Plan.objects.filter(is_draft=False),
        help_text=_("The plan's code; a draft plan is never published."),
    )
    as_of = serializers.DateField(help_text=_("The date the edition describes."))
    known_on = StrictCharField(
        required=False,
        max_length=40,
        help_text=_(
            "A date YYYY-MM-DD (the end of that day, Asia/Shanghai) or an ISO datetime with "
            "its offset. Default: now. Not in the future, not before `as_of`."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        text = attrs.get("known_on") or ""
        known_at = None
        try:
            if text:
                known_at = parse_known_on(text)
                check_edition(attrs["as_of"], known_at)
            else:
                from django.utils import timezone

                check_edition(attrs["as_of"], timezone.now())
        except EditionError as exc:
            raise serializers.ValidationError(
                {"known_on" if text else "as_of": [str(exc)]}
            ) from None
        attrs["known_on"] = known_at
        return attrs


class PublicationWithdrawalSerializer(StrictSerializer):
    reason = StrictCharField(
        max_length=REASON_MAX_LENGTH,
        help_text=_("Why the public no longer sees the publication (required)."),
    )
