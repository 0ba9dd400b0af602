"""The project register: read by every user with a role, written through its services."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from projects import services
from projects.filtersets import ProjectFilterSet
from projects.models import Project
from zjai.api.caching import SharedListCacheMixin
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet, changed_values

from .serializers import ProjectSerializer, ProjectWriteSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Projects of the register")),
    retrieve=extend_schema(summary=_("A project")),
    create=extend_schema(
        summary=_("Add a project"),
        request=ProjectWriteSerializer,
        responses={201: ProjectSerializer},
        examples=[
            OpenApiExample(
                "smart factory",
                value={
                    "name": "宁波某汽车零部件智能工厂",
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
        responses=ProjectSerializer,
    ),
    partial_update=extend_schema(
        summary=_("Change some fields of a project"),
        request=ProjectWriteSerializer,
        responses=ProjectSerializer,
    ),
)
class ProjectViewSet(
    VersionedMixin,
    SharedListCacheMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """Major projects, demonstration projects, smart factories, first sets, platforms, bases.
    Staff and reviewers change the projects their unit is responsible for; admins any."""

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    search_fields = ["name", "name_en"]
    ordering_fields = [
        "id",
        "name",
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
        return Project.objects.for_user(self.request.user).select_related("unit")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ProjectWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        project = services.create_project(acting_user=request.user, reason=reason, **values)
        project = self.get_queryset().get(pk=project.pk)
        location = reverse("api:project-detail", kwargs={"pk": project.pk})
        return self.object_response(project, status=201, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        project = self.get_object()
        version = self.expected_version()
        data = ProjectWriteSerializer(
            project, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason", "")
        project = services.update_project(
            project,
            acting_user=request.user,
            expected_version=version,
            reason=reason,
            **changed_values(project, values),
        )
        return self.object_response(self.get_queryset().get(pk=project.pk))
