"""Publications in the API (docs/api.md, "Publications"): the list and each publication for
administrators and the readers of the audit log; publishing an edition and withdrawing a
publication for administrators, through publishing.services (audited like the pages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from zjai.api.conditional import VersionedMixin
from zjai.api.permissions import HasRole
from zjai.api.views import ReadOnlyViewSet

from .. import rules, services
from ..filtersets import PublicationFilterSet
from ..models import Publication
from .serializers import PublicationSerializer, PublicationWithdrawalSerializer, PublishSerializer


class MayListPublications(BasePermission):
    """Administrators and the readers of the audit log (rules.may_list_publications)."""

    message = _("Only auditors and administrators may read the publications.")

    def has_permission(self, request: Request, view: Any) -> bool:
        return rules.may_list_publications(request.user)


@extend_schema_view(
    list=extend_schema(summary=_("Every publication of every plan, newest first")),
    retrieve=extend_schema(summary=_("A publication")),
)
class PublicationViewSet(VersionedMixin, ReadOnlyViewSet):
    """Each publication made one edition of a plan public: the plan as of `as_of` as known at
    `known_at`, named by its digest. A withdrawn one keeps its row: who, when and why."""

    serializer_class = PublicationSerializer
    filterset_class = PublicationFilterSet
    permission_classes = [HasRole, MayListPublications]
    search_fields: list[str] = []
    ordering_fields = ["published_at", "as_of", "number"]
    ordering = ["-published_at", "-id"]
    if_match_actions = frozenset({"withdraw"})

    def get_queryset(self) -> QuerySet:
        return Publication.objects.select_related("plan", "published_by", "withdrawn_by").defer(
            "content"
        )

    @extend_schema(
        summary=_("Publish an edition"),
        request=PublishSerializer,
        responses={201: PublicationSerializer},
        examples=[
            OpenApiExample(
                "quarter",
                value={"plan": "zj-ai-2019-2022", "as_of": "2021-06-30"},
                request_only=True,
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Administrators only (403 for anyone else). 400 with the field and the reason for a
        date in the future, an instant before the date, a draft plan, or content identical to
        the plan's newest live publication (a repeated request publishes nothing)."""
        # The right before the body (403 before 400); the service asks again.
        if not rules.may_publish(request.user):
            raise PermissionDenied(_("Only administrators publish editions."))
        data = PublishSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        publication = services.publish(
            plan=data.validated_data["plan"],
            as_of=data.validated_data["as_of"],
            known_at=data.validated_data["known_on"],
            acting_user=request.user,
        )
        publication = self.get_queryset().get(pk=publication.pk)
        location = reverse("api:publication-detail", kwargs={"pk": publication.pk})
        return self.object_response(publication, status=201, headers={"Location": location})

    @extend_schema(
        summary=_("Withdraw a publication"),
        request=PublicationWithdrawalSerializer,
        responses=PublicationSerializer,
        examples=[OpenApiExample("error", value={"reason": "数据有误"}, request_only=True)],
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """The public no longer sees it; the row stays, with who withdrew it, when and why.
        Administrators only; If-Match with the publication's ETag (428 without, 412 when
        stale); 400 when already withdrawn."""
        if not rules.may_withdraw(request.user):
            raise PermissionDenied(_("Only administrators withdraw publications."))
        publication = self.get_object()
        version = self.expected_version()
        data = PublicationWithdrawalSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.withdraw(
            publication,
            acting_user=request.user,
            reason=data.validated_data["reason"],
            version=version,
        )
        return self.object_response(self.get_queryset().get(pk=publication.pk))
