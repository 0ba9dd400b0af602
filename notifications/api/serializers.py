"""Serializers of a user's notices and e-mail choices."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications.choices import NotificationKind
from notifications.models import Notification
from zjai.api.fields import ReadOnlyModelSerializer, StrictChoiceField, StrictSerializer


class NotificationSerializer(ReadOnlyModelSerializer):
    unit = serializers.CharField(source="unit.code", read_only=True, allow_null=True, default=None)
    is_read = serializers.SerializerMethodField(help_text=_("Whether it was marked read."))

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "url",
            "unit",
            "created_at",
            "read_at",
            "is_read",
        ]

    def get_is_read(self, notice: Notification) -> bool:
        return notice.read_at is not None


class NoBodySerializer(StrictSerializer):
    """An action that takes no body (an empty object, or none)."""


class ReadAllSerializer(StrictSerializer):
    kind = StrictChoiceField(
        choices=NotificationKind.choices,
        required=False,
        help_text=_("Only the notices of this kind; all when left out."),
    )


class ReadAllResultSerializer(StrictSerializer):
    marked = serializers.IntegerField(read_only=True, help_text=_("How many were marked read."))


class EmailSettingsSerializer(StrictSerializer):
    email_kinds = serializers.ListField(
        child=StrictChoiceField(choices=NotificationKind.choices),
        allow_empty=True,
        help_text=_(
            "The kinds of notice you also receive by e-mail; the others only in the inbox."
        ),
    )
