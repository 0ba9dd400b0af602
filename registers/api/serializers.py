"""What the registers' API shows of a pending change, and what confirming or rejecting takes."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from registers.choices import EditKind
from registers.models import PendingChange
from registers.selectors import pending_change
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictChoiceField,
    StrictSerializer,
)


class PendingChangeSerializer(ReadOnlyModelSerializer):
    """A change awaiting confirmation: `kind` create (a new entry that counts once confirmed)
    or update (counted fields proposed, the entry's own fields still the confirmed values);
    `proposed` the proposed values, `previous` the confirmed ones they replace. An update is
    `edit_kind` change, from `effective_from`, or correction (no date)."""

    proposed_by = serializers.CharField(source="proposed_by.get_username", read_only=True)
    proposed = serializers.DictField(read_only=True)
    previous = serializers.DictField(read_only=True)

    class Meta:
        model = PendingChange
        fields = [
            "id",
            "kind",
            "edit_kind",
            "effective_from",
            "proposed",
            "previous",
            "proposed_by",
            "proposed_at",
            "reason",
            "batch",
        ]
        read_only_fields = fields


class PendingChangeFieldMixin(StrictSerializer):
    """`pending_change` of an entry: its change awaiting confirmation, or null."""

    pending_change = serializers.SerializerMethodField(
        help_text=_(
            "The change awaiting a second person's confirmation, or null. Until confirmed it "
            "counts toward no target; the entry's other fields are the confirmed values."
        )
    )

    @extend_schema_field(PendingChangeSerializer(allow_null=True))
    def get_pending_change(self, entry: models.Model) -> dict[str, Any] | None:
        change = pending_change(entry)
        return PendingChangeSerializer(change).data if change is not None else None


class DecisionSerializer(StrictSerializer):
    comment = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=_("Why, for the audit log; required to reject."),
    )


# The keys of a write that date it (registers.services.history.Dating), not the entry's fields.
DATING_KEYS = ("effective_from", "edit_kind")


class DatingFieldsMixin(StrictSerializer):
    """How a change of an existing entry's counted fields is dated: write-only, on PUT and
    PATCH. A new entry (POST) has no earlier value to change or correct: the registers' create
    serializers leave these fields out, so POST refuses them as unknown fields."""

    edit_kind = StrictChoiceField(
        choices=EditKind.choices,
        required=False,
        write_only=True,
        help_text=_(
            "change (default): the counted values changed on `effective_from`, and values as of "
            "earlier dates keep the old ones. correction: the old value was always wrong and is "
            "replaced wherever it held (needs a reason, takes no date). Only on PUT and PATCH."
        ),
    )
    effective_from = serializers.DateField(
        required=False,
        allow_null=True,
        write_only=True,
        help_text=_(
            "For a change: the day the new counted values hold from (null or absent: today). "
            "Not after today; an earlier day needs a reason. Only on PUT and PATCH."
        ),
    )
