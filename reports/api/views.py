"""Editions, read-only, for auditors and administrators (docs/api.md, "Editions"): the report
of a plan as of a date as known at an instant, summed up by its digest and the audit chain's
head at that instant, with each target's figures; and two editions compared."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from zjai.api.permissions import AuditorsAndAdmins, HasRole
from zjai.api.schema import ApiAutoSchema

from ..builders import AsOfReport
from ..editions import (
    Edition,
    EditionError,
    compare,
    edition_of,
    event_row,
    report_for,
    target_figures,
)
from .serializers import (
    CompareQuerySerializer,
    ComparisonSerializer,
    EditionQuerySerializer,
    EditionWithFiguresSerializer,
)


def _edition(edition: Edition) -> dict[str, Any]:
    return {
        "plan": edition.plan,
        "as_of": edition.as_of,
        "known_at": edition.known_at,
        "digest": edition.digest,
        "head": {"seq": edition.head.seq, "hash": edition.head.hash},
        "payload": edition.payload(),
    }


def _report(plan: str | None, as_of: Any, known_at: Any, now: Any) -> AsOfReport:
    try:
        return report_for(plan, as_of, known_at, now)
    except EditionError as exc:  # the plan: validated dates leave only it to fail
        raise ValidationError({"plan": [str(exc)]}) from None


class EditionSchema(ApiAutoSchema):
    """`list` answers one edition, not a list of them."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


class EditionViewSet(viewsets.GenericViewSet):
    """An edition is the report as of `as_of` as known at `known_at`: the same two give the
    same figures, digest and head forever."""

    permission_classes = [HasRole, AuditorsAndAdmins]
    schema = EditionSchema()
    serializer_class = EditionWithFiguresSerializer
    # One computed answer per query, not a list of rows: no filters, no pages.
    filter_backends: list[Any] = []
    pagination_class = None

    @extend_schema(
        summary=_("One edition of the report: its digest, chain head and figures"),
        parameters=[EditionQuerySerializer],
        responses=EditionWithFiguresSerializer,
    )
    def list(self, request: Request) -> Response:
        query = EditionQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        report = _report(data.get("plan"), data["as_of"], data["known_at"], timezone.now())
        body = _edition(edition_of(report))
        body["figures"] = [
            {"target": code, "values": values} for code, values in target_figures(report).items()
        ]
        return Response(EditionWithFiguresSerializer(body).data)

    @extend_schema(
        summary=_("Two editions compared: what differs and the events that explain it"),
        parameters=[CompareQuerySerializer],
        responses=ComparisonSerializer,
    )
    @action(detail=False, methods=["get"])
    def compare(self, request: Request) -> Response:
        query = CompareQuerySerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        data = query.validated_data
        now = timezone.now()
        plan = data.get("plan")
        result = compare(
            _report(plan, data["as_of"], data["known_at"], now),
            _report(plan, data["against_as_of"], data["against_known_at"], now),
        )
        body = {
            "old": _edition(result.old),
            "new": _edition(result.new),
            "differences": [vars(d) for d in result.differences],
            "events": [event_row(e) for e in result.events],
        }
        return Response(ComparisonSerializer(body).data)
