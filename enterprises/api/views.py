"""The enterprise register: read by every user with a role, written through its services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from enterprises import services
from enterprises.filtersets import EnterpriseFilterSet
from enterprises.models import Enterprise
from registers.api.serializers import DecisionSerializer
from registers.api.views import RegisterViewSet

from .serializers import EnterpriseCreateSerializer, EnterpriseSerializer, EnterpriseWriteSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Enterprises of the register")),
    retrieve=extend_schema(summary=_("An enterprise")),
    create=extend_schema(
        summary=_("Add an enterprise"),
        request=EnterpriseCreateSerializer,
        responses={201: EnterpriseSerializer, 202: EnterpriseSerializer},
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
        responses={200: EnterpriseSerializer, 202: EnterpriseSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of an enterprise"),
        request=EnterpriseWriteSerializer,
        responses={200: EnterpriseSerializer, 202: EnterpriseSerializer},
    ),
    confirm=extend_schema(
        summary=_("Confirm the pending change of an enterprise"),
        request=DecisionSerializer,
        responses=EnterpriseSerializer,
        examples=[OpenApiExample("checked", value={"comment": "已核对"}, request_only=True)],
    ),
    reject=extend_schema(
        summary=_("Reject the pending change of an enterprise"),
        request=DecisionSerializer,
        responses={200: EnterpriseSerializer, 204: None},
        examples=[OpenApiExample("source", value={"comment": "请附认定文件"}, request_only=True)],
    ),
)
class EnterpriseViewSet(RegisterViewSet):
    """AI enterprises, their tier (leading / benchmark / specialised) and when it was
    recognised. Staff and reviewers change the entries their unit manages; admins any."""

    serializer_class = EnterpriseSerializer
    create_serializer_class = EnterpriseCreateSerializer
    write_serializer_class = EnterpriseWriteSerializer
    create_service = staticmethod(services.create_enterprise)
    update_service = staticmethod(services.update_enterprise)
    confirm_service = staticmethod(services.confirm_enterprise_change)
    reject_service = staticmethod(services.reject_enterprise_change)
    detail_route = "api:enterprise-detail"
    filterset_class = EnterpriseFilterSet
    search_fields = ["name_zh", "name_en", "credit_code"]
    ordering_fields = ["id", "name_zh", "city", "sector", "tier", "recognised_on", "updated_at"]
    # By id: stable across pages and served by the primary key's index at any size.
    ordering = ["id"]

    def get_queryset(self) -> QuerySet:
        return Enterprise.objects.for_user(self.request.user).select_related("owner_unit")
