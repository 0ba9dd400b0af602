"""Serializers of the enterprise register.

The write serializer checks types and choices only; enterprises.services.create_enterprise and
update_enterprise run the model's full validation (credit code check character, dates, the
database constraints) so the browser, the import and the API give the same messages.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import Enterprise
from enterprises.services import EDITABLE
from plans.models import ResponsibleUnit
from registers.api.serializers import DATING_KEYS, DatingFieldsMixin, PendingChangeFieldMixin
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictModelSerializer,
    StrictSlugRelatedField,
)


class EnterpriseSerializer(PendingChangeFieldMixin, ReadOnlyModelSerializer):
    owner_unit = serializers.CharField(
        source="owner_unit.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Enterprise
        fields = [
            "id",
            *EDITABLE,
            "plan_key",
            "is_demo",
            "confirmed",
            "pending_change",
            "version",
            "created_at",
            "updated_at",
        ]


class EnterpriseWriteSerializer(DatingFieldsMixin, StrictModelSerializer):
    """What a client may set. `owner_unit` is an administrator's to set; for anyone else a new
    entry belongs to their own unit."""

    owner_unit = StrictSlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The managing unit's code (administrators only)."),
    )
    reason = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        write_only=True,
        help_text=_(
            "Why, for the audit log (e.g. the document that recognised the tier); required "
            "when the change revokes the recognition (status: revoked)."
        ),
    )

    class Meta:
        model = Enterprise
        fields = [*EDITABLE, "edit_kind", "effective_from", "reason"]


class EnterpriseCreateSerializer(EnterpriseWriteSerializer):
    """What a client may set on a new enterprise: the same fields, undated (a new entry has no
    earlier value to change or correct): `edit_kind` and `effective_from` are unknown here."""

    edit_kind = None  # type: ignore[assignment]
    effective_from = None  # type: ignore[assignment]

    class Meta(EnterpriseWriteSerializer.Meta):
        fields = [name for name in EnterpriseWriteSerializer.Meta.fields if name not in DATING_KEYS]
