"""Serializers of the project register (types and choices here; the rules in the services)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import Enterprise
from plans.models import ResponsibleUnit
from projects.models import Project
from projects.services import EDITABLE
from registers.api.serializers import DATING_KEYS, DatingFieldsMixin, PendingChangeFieldMixin
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
    StrictSlugRelatedField,
)


class ProjectSerializer(PendingChangeFieldMixin, ReadOnlyModelSerializer):
    owner_unit = serializers.CharField(
        source="owner_unit.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Project
        fields = [
            "id",
            *EDITABLE,
            "is_demo",
            "confirmed",
            "pending_change",
            "version",
            "created_at",
            "updated_at",
        ]


class ProjectWriteSerializer(DatingFieldsMixin, StrictModelSerializer):
    """What a client may set. `owner_unit` is an administrator's to set; for anyone else a new
    project belongs to their own unit."""

    enterprise = StrictPrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The enterprise's id."),
    )
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
        help_text=_("Why, for the audit log."),
    )

    class Meta:
        model = Project
        fields = [*EDITABLE, "edit_kind", "effective_from", "reason"]


class ProjectCreateSerializer(ProjectWriteSerializer):
    """What a client may set on a new project: the same fields, undated (a new entry has no
    earlier value to change or correct): `edit_kind` and `effective_from` are unknown here."""

    edit_kind = None  # type: ignore[assignment]
    effective_from = None  # type: ignore[assignment]

    class Meta(ProjectWriteSerializer.Meta):
        fields = [name for name in ProjectWriteSerializer.Meta.fields if name not in DATING_KEYS]
