"""Task reports, milestones and supervision notices in the API.

Reads start from `for_user(user)` (another unit's draft is a 404). Every write goes through
taskreports.services with the acting user and the version from If-Match (412 when stale, 428
when missing), so the API follows the same rules as the browser and records the same events.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from enterprises.models import Enterprise
from projects.models import Project
from taskreports import services
from taskreports.filtersets import (
    MilestoneFilterSet,
    SupervisionNoticeFilterSet,
    TaskReportFilterSet,
)
from taskreports.models import (
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskEvidence,
    TaskReport,
)
from taskreports.rules import visible_milestones
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet

from .serializers import (
    ApproveReportSerializer,
    MilestoneCreateSerializer,
    MilestoneDoneSerializer,
    MilestoneSerializer,
    MilestoneWriteSerializer,
    NoticeCloseSerializer,
    NoticeReplySerializer,
    ReturnSerializer,
    SupervisionNoticeCreateSerializer,
    SupervisionNoticeSerializer,
    TaskReportCreateSerializer,
    TaskReportSerializer,
    TaskReportWriteSerializer,
)

REPORT_EXAMPLE = {
    "item": 42,
    "period_start": "2021-07-01",
    "status": "in_progress",
    "percent_complete": 60,
    "work_done": "完成3家企业智能化改造诊断",
    "next_steps": "四季度推进项目验收",
    "problems": "",
}


@extend_schema_view(
    list=extend_schema(summary=_("Task reports this user may see")),
    retrieve=extend_schema(summary=_("A task report, with its review rounds and evidence")),
    create=extend_schema(
        summary=_("Write a task report (a draft)"),
        request=TaskReportCreateSerializer,
        responses={201: TaskReportSerializer},
        examples=[OpenApiExample("quarter", value=REPORT_EXAMPLE, request_only=True)],
    ),
    partial_update=extend_schema(
        summary=_("Change a draft or returned task report"),
        description=_(
            "Staff and reviewers of the reporting unit, and administrators. A body that "
            "changes nothing answers 200 with the report as it was."
        ),
        request=TaskReportWriteSerializer,
        responses=TaskReportSerializer,
    ),
)
class TaskReportViewSet(VersionedMixin, mixins.CreateModelMixin, ReadOnlyViewSet):
    """Each responsible unit's report on a task per period: draft → submitted → approved |
    returned (→ submitted again)."""

    serializer_class = TaskReportSerializer
    filterset_class = TaskReportFilterSet
    search_fields = ["item__key", "work_done", "problems"]
    ordering_fields = ["id", "period_start", "created_at", "submitted_at", "reviewed_at"]
    ordering = ["-period_start", "id"]
    if_match_actions = frozenset({"partial_update", "submit", "approve", "return_"})

    def get_queryset(self) -> QuerySet:
        return (
            TaskReport.objects.for_user(self.request.user)
            .select_related("item__plan", "unit", "created_by", "submitted_by", "reviewed_by")
            .prefetch_related(
                Prefetch("enterprises", queryset=Enterprise.objects.only("pk")),
                Prefetch("projects", queryset=Project.objects.only("pk")),
                Prefetch("milestones_reached", queryset=Milestone.objects.only("pk")),
                Prefetch(
                    "rounds",
                    queryset=ReviewRound.objects.select_related(
                        "submitted_by", "reviewed_by"
                    ).order_by("number"),
                ),
                Prefetch(
                    "evidence",
                    queryset=TaskEvidence.objects.select_related("uploaded_by").order_by(
                        "uploaded_at", "pk"
                    ),
                ),
            )
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = TaskReportCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        unit = values.pop("unit", None) or getattr(request.user, "unit", None)
        if unit is None:
            raise ValidationError({"unit": [_("Name the reporting unit.")]})
        report = services.create_report(acting_user=request.user, unit=unit, **values)
        report = self.get_queryset().get(pk=report.pk)
        location = reverse("api:taskreport-detail", kwargs={"pk": report.pk})
        return self.object_response(report, status=201, headers={"Location": location})

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        report = self.get_object()
        version = self.expected_version()
        data = TaskReportWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        report = services.update_report(
            report, acting_user=request.user, expected_version=version, **data.validated_data
        )
        return self.object_response(self.get_queryset().get(pk=report.pk))

    def _act(self, service: Any, **arguments: Any) -> Response:
        report = self.get_object()
        version = self.expected_version()
        report = service(
            report, acting_user=self.request.user, expected_version=version, **arguments
        )
        return self.object_response(self.get_queryset().get(pk=report.pk))

    @extend_schema(summary=_("Submit a task report for review"), request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """draft or returned → submitted: a new review round for the lead unit's reviewers."""
        return self._act(services.submit_report)

    @extend_schema(
        summary=_("Approve a submitted task report"),
        request=ApproveReportSerializer,
        examples=[OpenApiExample("checked", value={"comment": "同意"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """submitted → approved: reviewers of the task's lead unit (or administrators), never
        one who created, changed or submitted the report."""
        data = ApproveReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.approve_report, comment=data.validated_data.get("comment", ""))

    @extend_schema(
        summary=_("Return a submitted task report to its unit"),
        request=ReturnSerializer,
        examples=[
            OpenApiExample("details", value={"comment": "请补充项目进度"}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        """submitted → returned with the reviewer's comment (required): the same reviewers as
        for approving."""
        data = ReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.return_report, comment=data.validated_data["comment"])


@extend_schema_view(
    list=extend_schema(summary=_("Milestones of the tasks")),
    retrieve=extend_schema(summary=_("A milestone")),
    create=extend_schema(
        summary=_("Add a milestone to a task"),
        request=MilestoneCreateSerializer,
        responses={201: MilestoneSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change a milestone"),
        request=MilestoneWriteSerializer,
        responses=MilestoneSerializer,
    ),
)
class MilestoneViewSet(VersionedMixin, mixins.CreateModelMixin, ReadOnlyViewSet):
    """Dated steps of the tasks, each owned by one of the task's units."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    search_fields = ["description"]
    ordering_fields = ["id", "due_on", "done_on"]
    ordering = ["due_on", "id"]
    if_match_actions = frozenset({"partial_update", "done"})

    def get_queryset(self) -> QuerySet:
        return visible_milestones(Milestone.objects.all(), self.request.user).select_related(
            "item__plan", "unit", "created_by"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MilestoneCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.create_milestone(acting_user=request.user, **data.validated_data)
        milestone = self.get_queryset().get(pk=milestone.pk)
        location = reverse("api:milestone-detail", kwargs={"pk": milestone.pk})
        return self.object_response(milestone, status=201, headers={"Location": location})

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        version = self.expected_version()
        data = MilestoneWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        milestone = services.update_milestone(
            milestone, acting_user=request.user, expected_version=version, **data.validated_data
        )
        return self.object_response(self.get_queryset().get(pk=milestone.pk))

    @extend_schema(summary=_("Mark a milestone done"), request=MilestoneDoneSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        milestone = self.get_object()
        version = self.expected_version()
        data = MilestoneDoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.mark_milestone_done(
            milestone,
            acting_user=request.user,
            done_on=data.validated_data.get("done_on"),
            expected_version=version,
        )
        return self.object_response(self.get_queryset().get(pk=milestone.pk))


@extend_schema_view(
    list=extend_schema(summary=_("Supervision notices this user may see")),
    retrieve=extend_schema(summary=_("A supervision notice")),
    create=extend_schema(
        summary=_("Issue a supervision notice to a unit"),
        request=SupervisionNoticeCreateSerializer,
        responses={201: SupervisionNoticeSerializer},
    ),
)
class SupervisionNoticeViewSet(VersionedMixin, mixins.CreateModelMixin, ReadOnlyViewSet):
    """Supervision notices (督办通知): issued, answered by the unit, closed by the issuer."""

    serializer_class = SupervisionNoticeSerializer
    filterset_class = SupervisionNoticeFilterSet
    search_fields = ["subject", "text"]
    ordering_fields = ["id", "issued_at", "reply_by"]
    ordering = ["-issued_at", "-id"]
    if_match_actions = frozenset({"reply", "close"})

    def get_queryset(self) -> QuerySet:
        return SupervisionNotice.objects.for_user(self.request.user).select_related(
            "plan", "unit", "issuing_unit", "issued_by", "replied_by", "closed_by"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = SupervisionNoticeCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.issue_notice(acting_user=request.user, **data.validated_data)
        notice = self.get_queryset().get(pk=notice.pk)
        location = reverse("api:supervisionnotice-detail", kwargs={"pk": notice.pk})
        return self.object_response(notice, status=201, headers={"Location": location})

    @extend_schema(summary=_("Answer a supervision notice"), request=NoticeReplySerializer)
    @action(detail=True, methods=["post"])
    def reply(self, request: Request, pk: str) -> Response:
        notice = self.get_object()
        version = self.expected_version()
        data = NoticeReplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.reply_notice(
            notice,
            acting_user=request.user,
            reply=data.validated_data["reply"],
            expected_version=version,
        )
        return self.object_response(self.get_queryset().get(pk=notice.pk))

    @extend_schema(summary=_("Close a supervision notice"), request=NoticeCloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        notice = self.get_object()
        version = self.expected_version()
        data = NoticeCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        notice = services.close_notice(
            notice,
            acting_user=request.user,
            comment=data.validated_data.get("comment", ""),
            expected_version=version,
        )
        return self.object_response(self.get_queryset().get(pk=notice.pk))
