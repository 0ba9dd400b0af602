"""Serializers of task reports, milestones and supervision notices.

Writes are validated here for shape only (types, required fields); every rule of the domain
(who may write, which period, one report per unit and period) is taskreports.services', so
the browser and the API give the same answers.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from enterprises.models import Enterprise
from plans.models import Plan, PlanItem, ResponsibleUnit
from projects.models import Project
from taskreports.choices import TaskStatus
from taskreports.models import (
    TEXT_MAX_LENGTH,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskEvidence,
    TaskReport,
)
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictChoiceField,
    StrictPrimaryKeyRelatedField,
    StrictSerializer,
    StrictSlugRelatedField,
)


class StrictIntegerField(serializers.IntegerField):
    """A whole number given as a JSON integer (not "5", not 5.0, not true)."""

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


def _username(field: str) -> serializers.CharField:
    return serializers.CharField(
        source=f"{field}.username", read_only=True, allow_null=True, default=None
    )


class ReviewRoundSerializer(ReadOnlyModelSerializer):
    """One submission and what the reviewer decided of it (every round stays)."""

    submitted_by = _username("submitted_by")
    reviewed_by = _username("reviewed_by")

    class Meta:
        model = ReviewRound
        fields = [
            "number",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "decision",
            "comment",
        ]


class TaskEvidenceSerializer(ReadOnlyModelSerializer):
    """An evidence file (downloaded in the browser, by those who may see the report)."""

    uploaded_by = _username("uploaded_by")

    class Meta:
        model = TaskEvidence
        fields = ["id", "original_name", "uploaded_by", "uploaded_at"]


class TaskReportSerializer(ReadOnlyModelSerializer):
    """A unit's report on a task for a period. `version` is also sent as the ETag header."""

    plan = serializers.CharField(source="item.plan.code", read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True)
    item_key = serializers.CharField(source="item.key", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    milestones_reached: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    enterprises: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    projects: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True
    )
    rounds = ReviewRoundSerializer(many=True, read_only=True)
    evidence = TaskEvidenceSerializer(many=True, read_only=True)
    created_by = _username("created_by")
    submitted_by = _username("submitted_by")
    reviewed_by = _username("reviewed_by")

    class Meta:
        model = TaskReport
        fields = [
            "id",
            "plan",
            "item",
            "item_key",
            "unit",
            "period_start",
            "period_end",
            "status",
            "percent_complete",
            "work_done",
            "next_steps",
            "problems",
            "milestones_reached",
            "enterprises",
            "projects",
            "state",
            "rounds",
            "evidence",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "first_submitted_at",
            "reviewed_by",
            "reviewed_at",
            "is_demo",
            "version",
        ]


def _text(help_text: Any) -> StrictCharField:
    return StrictCharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH, help_text=help_text
    )


class TaskReportWriteSerializer(StrictSerializer):
    """What a unit writes in its report: PATCH sends any part of it."""

    status = StrictChoiceField(choices=TaskStatus.choices, help_text=_("Where the work stands."))
    percent_complete = StrictIntegerField(
        required=False, allow_null=True, min_value=0, max_value=100
    )
    work_done = _text(_("Work done in the period."))
    next_steps = _text(_("Next steps."))
    problems = _text(_("Problems and support needed."))
    milestones_reached = StrictPrimaryKeyRelatedField(
        many=True, required=False, queryset=Milestone.objects.all()
    )
    enterprises = StrictPrimaryKeyRelatedField(
        many=True, required=False, queryset=Enterprise.objects.all()
    )
    projects = StrictPrimaryKeyRelatedField(
        many=True, required=False, queryset=Project.objects.all()
    )


class TaskReportCreateSerializer(TaskReportWriteSerializer):
    """A new draft report of a unit on a task for the period starting `period_start`."""

    item = StrictPrimaryKeyRelatedField(
        queryset=PlanItem.objects.all(), help_text=_("The task (plan item id).")
    )
    unit = StrictSlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        required=False,
        help_text=_("The reporting unit's code; by default the user's own unit."),
    )
    period_start = serializers.DateField(help_text=_("The first day of the reporting period."))


class ReturnSerializer(StrictSerializer):
    comment = StrictCharField(
        max_length=TEXT_MAX_LENGTH, help_text=_("Why the report is returned (required).")
    )


class ApproveReportSerializer(StrictSerializer):
    comment = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_MAX_LENGTH,
        help_text=_("The reviewer's comment."),
    )


class MilestoneSerializer(ReadOnlyModelSerializer):
    plan = serializers.CharField(source="item.plan.code", read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True)
    item_key = serializers.CharField(source="item.key", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    created_by = _username("created_by")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "plan",
            "item",
            "item_key",
            "unit",
            "due_on",
            "description",
            "done_on",
            "created_by",
            "created_at",
            "is_demo",
            "version",
        ]


class MilestoneWriteSerializer(StrictSerializer):
    unit = StrictSlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        help_text=_("The owning unit's code."),
    )
    due_on = serializers.DateField()
    description = StrictCharField(max_length=500)


class MilestoneCreateSerializer(MilestoneWriteSerializer):
    item = StrictPrimaryKeyRelatedField(
        queryset=PlanItem.objects.all(), help_text=_("The task (plan item id).")
    )


class MilestoneDoneSerializer(StrictSerializer):
    done_on = serializers.DateField(
        required=False, help_text=_("The day it was done; today by default.")
    )


class SupervisionNoticeSerializer(ReadOnlyModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    unit = serializers.CharField(source="unit.code", read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True, allow_null=True)
    issuing_unit = serializers.CharField(
        source="issuing_unit.code", read_only=True, allow_null=True, default=None
    )
    issued_by = _username("issued_by")
    replied_by = _username("replied_by")
    closed_by = _username("closed_by")

    class Meta:
        model = SupervisionNotice
        fields = [
            "id",
            "plan",
            "unit",
            "item",
            "period_start",
            "subject",
            "text",
            "reply_by",
            "state",
            "issued_by",
            "issuing_unit",
            "issued_at",
            "reply",
            "replied_by",
            "replied_at",
            "closed_by",
            "closed_at",
            "close_comment",
            "is_demo",
            "version",
        ]


class SupervisionNoticeCreateSerializer(StrictSerializer):
    unit = StrictSlugRelatedField(
        slug_field="code",
        queryset=ResponsibleUnit.objects.all(),
        help_text=_("The addressed unit's code."),
    )
    item = StrictPrimaryKeyRelatedField(
        queryset=PlanItem.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The task the notice is about (plan item id)."),
    )
    plan = StrictSlugRelatedField(
        slug_field="code",
        queryset=Plan.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The plan, when no task is named."),
    )
    period_start = serializers.DateField(required=False, allow_null=True)
    subject = StrictCharField(max_length=300)
    text = StrictCharField(max_length=TEXT_MAX_LENGTH)
    reply_by = serializers.DateField(help_text=_("The reply deadline."))


class NoticeReplySerializer(StrictSerializer):
    reply = StrictCharField(max_length=TEXT_MAX_LENGTH, help_text=_("The unit's answer."))


class NoticeCloseSerializer(StrictSerializer):
    comment = StrictCharField(
        required=False, allow_blank=True, max_length=TEXT_MAX_LENGTH, help_text=_("Why closed.")
    )
