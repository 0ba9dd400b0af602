"""Editions in the API: the query that names one (or two), and what is answered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from zjai.api.fields import StrictCharField, StrictSerializer, StrictSlugField

from ..editions import EditionError, check_edition, parse_known_on

KNOWN_AT_HELP = _(
    "A date YYYY-MM-DD (the end of that day, Asia/Shanghai) or an ISO datetime with its "
    "offset. Default: now. Not in the future, not before the day `as_of` describes."
)


def _known_at(attrs: dict[str, Any], as_of_key: str, known_key: str) -> None:
    text = attrs.get(known_key) or ""
    now_or_instant: dt.datetime | None = None
    try:
        if text:
            now_or_instant = parse_known_on(text)
            check_edition(attrs[as_of_key], now_or_instant)
        else:
            check_edition(attrs[as_of_key], _now())
    except EditionError as exc:
        key = known_key if text else as_of_key
        raise serializers.ValidationError({key: [str(exc)]}) from None
    attrs[known_key] = now_or_instant


def _now() -> dt.datetime:
    from django.utils import timezone

    return timezone.now()


class EditionQuerySerializer(StrictSerializer):
    plan = StrictSlugField(
        required=False, max_length=64, help_text=_("Plan code (default: the latest plan).")
    )
    as_of = serializers.DateField(help_text=_("The date the report describes."))
    known_at = StrictCharField(required=False, max_length=40, help_text=KNOWN_AT_HELP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _known_at(attrs, "as_of", "known_at")
        return attrs


class CompareQuerySerializer(EditionQuerySerializer):
    against_as_of = serializers.DateField(
        required=False, help_text=_("The date of the edition compared with (default: as_of).")
    )
    against_known_at = StrictCharField(required=False, max_length=40, help_text=KNOWN_AT_HELP)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        attrs.setdefault("against_as_of", attrs["as_of"])
        _known_at(attrs, "against_as_of", "against_known_at")
        return attrs


class ChainHeadSerializer(StrictSerializer):
    seq = serializers.IntegerField(help_text=_("Sequence number of the last event at K."))
    hash = serializers.CharField(help_text=_("Its hash (64 hex digits)."))


class EditionSerializer(StrictSerializer):
    plan = serializers.CharField()
    as_of = serializers.DateField()
    known_at = serializers.DateTimeField(help_text=_("K, the instant the report is as known at."))
    digest = serializers.CharField(help_text=_("SHA-256 of the edition's tables (CSV)."))
    head = ChainHeadSerializer(help_text=_("The audit chain's head at K."))
    payload = serializers.CharField(help_text=_("What the PDF's QR code encodes."))


class TargetFiguresSerializer(StrictSerializer):
    target = serializers.CharField()
    values = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text=_("Each column of the targets table, as the CSV export writes it."),
    )


class EditionWithFiguresSerializer(EditionSerializer):
    figures = TargetFiguresSerializer(many=True)


class DifferenceSerializer(StrictSerializer):
    target = serializers.CharField()
    field = serializers.CharField()
    old = serializers.CharField(allow_blank=True)
    new = serializers.CharField(allow_blank=True)


class ExplainingEventSerializer(StrictSerializer):
    seq = serializers.IntegerField()
    occurred_at = serializers.DateTimeField()
    actor = serializers.CharField()
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object = serializers.CharField(allow_blank=True)


class ComparisonSerializer(StrictSerializer):
    old = EditionSerializer()
    new = EditionSerializer()
    differences = DifferenceSerializer(many=True)
    events = ExplainingEventSerializer(many=True)
