"""The enterprise register: read by every user with a role, written through its services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from enterprises import services
from enterprises.filtersets import EnterpriseFilterSet
from enterprises.models import Enterprise
from zjai.api.caching import SharedListCacheMixin
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet, changed_values

from .serializers import EnterpriseSerializer, EnterpriseWriteSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Enterprises of the register")),
    retrieve=extend_schema(summary=_("An enterprise")),
    create=extend_schema(
        summary=_("Add an enterprise"),
        request=EnterpriseWriteSerializer,
        responses={201: EnterpriseSerializer},
        examples=[
            OpenApiExample(
                "benchmark",
                value={
                    "name_zh": "杭州某智能科技有限公司",
                    "credit_code": "91330100799655058B",
                    "city": "hangzhou",
                    "sector": "robots",
                    "tier": "benchmark",
                    "recognised_on": "2021-03-01",
                    "recognised_by": "省经信厅",
                    "reason": "2021年第一批标杆企业",
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(
        summary=_("Change an enterprise (all fields)"),
        request=EnterpriseWriteSerializer,
        responses=EnterpriseSerializer,
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of an enterprise"),
        request=EnterpriseWriteSerializer,
        responses=EnterpriseSerializer,
    ),
)
class EnterpriseViewSet(
    VersionedMixin,
    SharedListCacheMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """AI enterprises, their tier (leading / benchmark / specialised) and when it was
    recognised. Staff and reviewers change the entries their unit manages; admins any."""

    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    search_fields = ["name_zh", "name_en", "credit_code"]
    ordering_fields = ["id", "name_zh", "city", "sector", "tier", "recognised_on", "updated_at"]
    # By id: stable across pages and served by the primary key's index at any size.
    ordering = ["id"]

    def get_queryset(self) -> QuerySet:
        return Enterprise.objects.for_user(self.request.user).select_related("owner_unit")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = EnterpriseWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        enterprise = services.create_enterprise(acting_user=request.user, reason=reason, **values)
        enterprise = self.get_queryset().get(pk=enterprise.pk)
        location = reverse("api:enterprise-detail", kwargs={"pk": enterprise.pk})
        return self.object_response(enterprise, status=201, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        enterprise = self.get_object()
        version = self.expected_version()
        data = EnterpriseWriteSerializer(
            enterprise, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        enterprise = services.update_enterprise(
            enterprise,
            acting_user=request.user,
            expected_version=version,
            reason=reason,
            **changed_values(enterprise, values),
        )
        return self.object_response(self.get_queryset().get(pk=enterprise.pk))
