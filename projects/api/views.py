"""The project register: read by every user with a role, written through its services."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from projects import services
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from registers.api.serializers import DecisionSerializer
from registers.api.views import RegisterViewSet

from .serializers import ProjectCreateSerializer, ProjectSerializer, ProjectWriteSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Projects of the register")),
    retrieve=extend_schema(summary=_("A project")),
    create=extend_schema(
        summary=_("Add a project"),
        request=ProjectCreateSerializer,
        responses={201: ProjectSerializer, 202: ProjectSerializer},
        examples=[
            OpenApiExample(
                "smart factory",
                value={
                    "name_zh": "宁波某汽车零部件智能工厂",
                    "kind": "smart_factory",
                    "level": "provincial",
                    "status": "under_construction",
                    "city": "ningbo",
                    "planned_investment": "12000.00",
                    "start_date": "2021-04-01",
                },
                request_only=True,
            )
        ],
    ),
    update=extend_schema(
        summary=_("Change a project (all fields)"),
        request=ProjectWriteSerializer,
        responses={200: ProjectSerializer, 202: ProjectSerializer},
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of a project"),
        request=ProjectWriteSerializer,
        responses={200: ProjectSerializer, 202: ProjectSerializer},
    ),
    confirm=extend_schema(
        summary=_("Confirm the pending change of a project"),
        request=DecisionSerializer,
        responses=ProjectSerializer,
        examples=[OpenApiExample("checked", value={"comment": "已核对"}, request_only=True)],
    ),
    reject=extend_schema(
        summary=_("Reject the pending change of a project"),
        request=DecisionSerializer,
        responses={200: ProjectSerializer, 204: None},
        examples=[OpenApiExample("source", value={"comment": "请附认定文件"}, request_only=True)],
    ),
)
class ProjectViewSet(RegisterViewSet):
    """Major projects, demonstration projects, smart factories, first sets, platforms, bases.
    Staff and reviewers change the projects their unit is responsible for; admins any."""

    serializer_class = ProjectSerializer
    create_serializer_class = ProjectCreateSerializer
    write_serializer_class = ProjectWriteSerializer
    create_service = staticmethod(services.create_project)
    update_service = staticmethod(services.update_project)
    confirm_service = staticmethod(services.confirm_project_change)
    reject_service = staticmethod(services.reject_project_change)
    detail_route = "api:project-detail"
    filterset_class = ProjectFilterSet
    search_fields = ["name_zh", "name_en"]
    ordering_fields = [
        "id",
        "name_zh",
        "kind",
        "level",
        "status",
        "city",
        "start_date",
        "accepted_on",
        "planned_investment",
        "updated_at",
    ]
    ordering = ["id"]

    def get_queryset(self) -> QuerySet:
        return Project.objects.for_user(self.request.user).select_related("owner_unit")
