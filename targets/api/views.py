"""Targets with their latest progress, their history, and the figures reported against them.

Reads start from `for_user(user)` (another unit's draft is a 404). Every write goes through
targets.services with the acting user and the version from If-Match, so the API follows the
same rules as the browser, records the same audit events and cannot lose an update.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, TypeVar, cast

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api.caching import SharedListCacheMixin
from targets import services
from targets.filtersets import (
    MeasurementFilterSet,
    ProgressFilterSet,
    RollupFilterSet,
    TargetFilterSet,
)
from targets.lookup import AmbiguousCode, find_target
from targets.models import (
    FigureReview,
    Measurement,
    MeasurementEditor,
    Progress,
    RollupProgress,
    Target,
    TargetUnit,
)
from targets.rules import may_change_targets, may_reopen_target
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet, changed_values

from .serializers import (
    ApproveSerializer,
    MeasurementCreateSerializer,
    MeasurementSerializer,
    MeasurementWriteSerializer,
    ProgressSerializer,
    ReopenSerializer,
    ReviewSerializer,
    RollupSerializer,
    TargetMetadataSerializer,
    TargetSerializer,
    WithdrawSerializer,
)


def target_unit_links() -> Prefetch:
    return Prefetch(
        "unit_links", queryset=TargetUnit.objects.select_related("unit").order_by("order", "pk")
    )


def with_latest_progress_id(queryset: QuerySet) -> QuerySet:
    """Targets annotated with the id of their newest Progress row.

    One index lookup per target on (target, as_of), inside the targets' own query; the rows
    are then read by id (attach_latest_progress). Filtering the Progress table by "as_of is
    the newest for its target" instead would test every row of every target's history.
    """
    newest = Progress.objects.filter(target=OuterRef("pk")).order_by("-as_of").values("pk")[:1]
    return queryset.annotate(latest_progress_id=Subquery(newest))


class TargetOnPage(Protocol):
    """A target of a list page: annotated with the id of its newest Progress row
    (with_latest_progress_id), then given that row (attach_latest_progress)."""

    latest_progress_id: int | None
    latest_progress: list[Progress]


Row = TypeVar("Row")


def attach_latest_progress(targets: list[TargetOnPage]) -> list[TargetOnPage]:
    """Read the newest Progress rows of a page of targets in one query (`latest_progress`)."""
    rows = Progress.objects.in_bulk(
        [t.latest_progress_id for t in targets if t.latest_progress_id is not None]
    )
    for target in targets:
        row = rows.get(target.latest_progress_id)
        target.latest_progress = [row] if row is not None else []
    return targets


def target_by_reference(queryset: QuerySet[Target], reference: str) -> tuple[Target, bool]:
    """The target `plan:code` (or a bare code: targets.lookup) names, and whether the bare,
    deprecated form named it; 404 when none, 400 naming the plans when the bare code is
    ambiguous."""
    try:
        found = find_target(queryset, reference)
    except AmbiguousCode as exc:
        raise ValidationError(
            {
                "code": [
                    _(
                        "Several plans have the target %(code)s (%(plans)s): name it as "
                        "plan:code, e.g. %(example)s."
                    )
                    % {
                        "code": exc.code,
                        "plans": ", ".join(exc.plans),
                        "example": f"{exc.plans[-1]}:{exc.code}",
                    }
                ]
            }
        ) from None
    if found.target is None:
        raise NotFound()
    return found.target, found.plain


@extend_schema_view(
    list=extend_schema(summary=_("Targets with their latest progress")),
    retrieve=extend_schema(summary=_("A target with its latest progress")),
    partial_update=extend_schema(
        summary=_("Change a target's metadata"),
        description=_(
            "The metadata texts (definition, computation, data source, limitations, in Chinese "
            "and English), with a reason: administrators only (403 for anyone else), with the "
            "version in If-Match, audited. A change of a text sets `metadata_updated_at`; a body "
            "that changes nothing answers 200 with the target as it was. The rest of a target "
            "is the plan file's."
        ),
        request=TargetMetadataSerializer,
        responses=TargetSerializer,
        examples=[
            OpenApiExample(
                "source",
                value={"data_source_zh": "省经济和信息化厅统计数据", "reason": "补充数据来源"},
                request_only=True,
            )
        ],
    ),
)
class TargetViewSet(VersionedMixin, SharedListCacheMixin, ReadOnlyViewSet):
    """The plan's quantitative targets, by code, each with its latest computed progress."""

    if_match_actions = frozenset({"partial_update"})

    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    lookup_field = "code"
    search_fields = ["code", "title_zh", "title_en"]
    ordering_fields = ["code", "order", "deadline", "target_value"]
    ordering = ["plan_id", "order", "code"]

    def get_queryset(self) -> QuerySet:
        if self.action == "history":
            return Progress.objects.all()
        return with_latest_progress_id(
            Target.objects.for_user(self.request.user)
            .select_related("plan", "item", "verdict")
            .prefetch_related(target_unit_links())
        )

    def paginate_queryset(self, queryset: QuerySet[Any, Row] | Sequence[Row]) -> list[Row] | None:
        page = super().paginate_queryset(queryset)
        if page is not None and self.action == "list":
            # The list's rows are get_queryset's targets, with_latest_progress_id.
            attach_latest_progress(cast("list[TargetOnPage]", page))
        return page

    def get_object(self) -> Target:
        # A target (history, the one action reading Progress rows, never gets here).
        target, plain = target_by_reference(self.get_queryset(), self.kwargs["code"])
        self.deprecated_lookup = plain
        self.check_object_permissions(self.request, target)
        # What a PATCH may echo back unchanged (zjai.api.fields.StrictInputMixin).
        self.object_read = target
        return target

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if getattr(self, "deprecated_lookup", False):
            # The bare code (docs/api.md, "Targets of several plans"): still served, for the
            # first plan, for one deprecation period.
            response["Deprecation"] = "true"
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """PATCH only: a target has no PUT, its other fields being the plan file's."""
        target = self.get_object()
        # The right before the version and the body (403 before 428, 412 and 400); the service
        # asks again inside its lock.
        if not may_change_targets(request.user):
            raise PermissionDenied(_("Only an administrator may change a target."))
        version = self.expected_version()
        data = TargetMetadataSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        target = services.update_target(
            target,
            acting_user=request.user,
            reason=reason,
            expected_version=version,
            **changed_values(target, values),
        )
        return self.object_response(self.get_object())

    @extend_schema(
        summary=_("A target's progress over time"),
        responses=ProgressSerializer(many=True),
    )
    @action(
        detail=True,
        methods=["get"],
        filterset_class=ProgressFilterSet,
        ordering_fields=["as_of"],
        ordering=["-as_of"],
        search_fields=[],
    )
    def history(self, request: Request, code: str) -> Response:
        """One row per computation date, newest first; `from` and `to` bound the dates."""
        target, self.deprecated_lookup = target_by_reference(
            Target.objects.for_user(request.user), code
        )
        rows = self.filter_queryset(Progress.objects.filter(target=target))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ProgressSerializer(page, many=True).data)

    @extend_schema(
        summary=_("Reopen a closed target"),
        request=ReopenSerializer,
        responses=TargetSerializer,
        examples=[
            OpenApiExample("corrected", value={"reason": "统计局更正2022年数据"}, request_only=True)
        ],
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, code: str) -> Response:
        """Remove a closed target's frozen verdict, with a reason (required): administrators
        only (403 for anyone else), audited. The recompute that follows closes it again, judged
        on the figures known then (docs/progress.md, "Closing and frozen verdicts"); 409 when
        the target is not closed."""
        target = self.get_object()
        # The right before the body (403 before 400); the service asks again inside its lock.
        if not may_reopen_target(request.user):
            raise PermissionDenied(_("Only an administrator may reopen a closed target."))
        data = ReopenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.reopen_target(
            target, acting_user=request.user, reason=data.validated_data["reason"]
        )
        return Response(
            TargetSerializer(self.get_object(), context=self.get_serializer_context()).data
        )


MEASUREMENT_ACTIONS = frozenset({"submit", "approve", "reject", "withdraw"})
EDIT_DESCRIPTION = _(
    "Staff of the reporting unit (`unit`) and administrators; another unit responsible for "
    "the target gets 403, whatever version If-Match names. Whoever changes the figure may "
    "no longer approve or reject it. A body that changes nothing (the same values, or no "
    "editable field) answers 200 with the figure as it was: no new version, no audit event."
)


@extend_schema_view(
    list=extend_schema(summary=_("Figures this user may see")),
    retrieve=extend_schema(summary=_("A figure")),
    create=extend_schema(
        summary=_("Report a figure (a draft)"),
        request=MeasurementCreateSerializer,
        responses={201: MeasurementSerializer},
        examples=[
            OpenApiExample(
                "robots",
                value={
                    "target": "robots-in-service",
                    "value": "121000",
                    "observed_on": "2022-03-31",
                    "note": "省统计局一季度快报",
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(
        summary=_("Change a draft or rejected figure"),
        description=EDIT_DESCRIPTION,
        request=MeasurementWriteSerializer,
        responses=MeasurementSerializer,
    ),
    partial_update=extend_schema(
        summary=_("Change part of a draft or rejected figure"),
        description=EDIT_DESCRIPTION,
        request=MeasurementWriteSerializer,
        responses=MeasurementSerializer,
    ),
)
class MeasurementViewSet(
    VersionedMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """Figures reported for targets: draft → submitted → approved | rejected (→ withdrawn)."""

    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    search_fields = ["target__code", "note", "review_comment"]
    ordering_fields = ["id", "observed_on", "created_at", "submitted_at", "reviewed_at", "value"]
    ordering = ["-observed_on", "-id"]
    if_match_actions = frozenset({"update", "partial_update", *MEASUREMENT_ACTIONS})

    def get_queryset(self) -> QuerySet:
        return (
            Measurement.objects.for_user(self.request.user)
            .select_related(
                "target__plan", "unit", "created_by", "submitted_by", "reviewed_by", "withdrawn_by"
            )
            .prefetch_related(
                Prefetch(
                    "editor_links",
                    queryset=MeasurementEditor.objects.select_related("user").order_by("pk"),
                ),
                Prefetch(
                    "rounds",
                    queryset=FigureReview.objects.select_related(
                        "submitted_by", "reviewed_by"
                    ).order_by("number"),
                ),
            )
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = MeasurementCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        measurement = services.create_measurement(acting_user=request.user, **data.validated_data)
        measurement = self.get_queryset().get(pk=measurement.pk)
        location = reverse("api:measurement-detail", kwargs={"pk": measurement.pk})
        return self.object_response(measurement, status=201, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        measurement = self.get_object()
        version = self.expected_version()
        data = MeasurementWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        measurement = services.update_measurement(
            measurement, acting_user=request.user, expected_version=version, **data.validated_data
        )
        return self.object_response(self.get_queryset().get(pk=measurement.pk))

    def _act(self, service: Any, **arguments: Any) -> Response:
        measurement = self.get_object()
        version = self.expected_version()
        measurement = service(
            measurement, acting_user=self.request.user, expected_version=version, **arguments
        )
        return self.object_response(self.get_queryset().get(pk=measurement.pk))

    @extend_schema(summary=_("Submit a draft for review"), request=None)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """draft → submitted. Staff of the unit that reported the figure (another unit
        responsible for the target may not), and administrators."""
        return self._act(services.submit_measurement)

    @extend_schema(
        summary=_("Approve a submitted figure"),
        request=ApproveSerializer,
        examples=[
            OpenApiExample("checked", value={"comment": "核对无误"}, request_only=True),
            OpenApiExample(
                "replacing",
                value={"comment": "统计局修订", "supersede": 41},
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        """submitted → approved: the figure counts from now on. Reviewers of the target's lead
        unit (or admins), never for a figure they created, edited or submitted (`edited_by`).
        If a figure is already approved for the same target and date, `supersede` (true or
        that figure's id) confirms replacing it; without it the answer is 409 naming it."""
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(
            services.approve_measurement,
            comment=data.validated_data.get("comment", ""),
            supersede=data.validated_data.get("supersede", False),
        )

    @extend_schema(
        summary=_("Reject a submitted figure"),
        request=ReviewSerializer,
        examples=[OpenApiExample("source", value={"comment": "请附统计局来源"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """submitted → rejected, with the reviewer's comment (required). The same reviewers as
        for approving: never one who created, edited or submitted the figure."""
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(
            services.reject_measurement, comment=data.validated_data.get("comment", "")
        )

    @extend_schema(
        summary=_("Withdraw an approved figure"),
        request=WithdrawSerializer,
        examples=[OpenApiExample("revised", value={"reason": "统计口径调整"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """approved → withdrawn, with a reason: it stops counting from now on."""
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._act(services.withdraw_measurement, reason=data.validated_data["reason"])


@extend_schema_view(
    list=extend_schema(summary=_("Roll-ups of the plan, its items and its units")),
    retrieve=extend_schema(summary=_("One roll-up")),
)
class RollupViewSet(ReadOnlyViewSet):
    """Progress of the plan, each plan item and each responsible unit as of each computed date.
    A roll-up whose targets are all past their deadline has no pace band (`band` is null): its
    achieved and missed counts and final score say how it ended."""

    serializer_class = RollupSerializer
    filterset_class = RollupFilterSet
    ordering_fields = ["as_of", "scope"]
    ordering = ["-as_of", "scope", "pk"]

    def get_queryset(self) -> QuerySet:
        return RollupProgress.objects.for_user(self.request.user).select_related(
            "plan", "item", "unit"
        )
