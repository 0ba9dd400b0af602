"""Serializers of API tokens. The key appears in one response only: the one that creates it."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import ApiToken, User
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictSerializer,
    StrictSlugRelatedField,
)


class ApiTokenSerializer(ReadOnlyModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    revoked_by = serializers.CharField(
        source="revoked_by.username", read_only=True, allow_null=True, default=None
    )
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "user",
            "is_active",
            "created_at",
            "created_by",
            "last_used_at",
            "revoked_at",
            "revoked_by",
        ]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    # Not read_only, which the schema would mark required: a replayed answer (sent with the
    # same Idempotency-Key, `Idempotent-Replayed: true`) has no key, since none is kept.
    key = serializers.CharField(
        required=False,
        help_text=_(
            "The key, shown this once: only its digest is stored. Send it as "
            "`Authorization: Token <key>`. Absent from a replayed answer (Idempotent-Replayed: "
            "true): the key is kept nowhere, so revoke that token and create another."
        ),
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]


class ApiTokenCreateSerializer(StrictSerializer):
    name = StrictCharField(
        max_length=100, help_text=_("What the token is for, e.g. 'nightly sync'.")
    )
    user = StrictSlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        help_text=_("Whose token (administrators only); yourself when left out."),
    )
