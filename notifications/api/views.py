"""A user's own notices: list, read one, mark read, and the e-mail choices.

Everyone with a role has an inbox (auditors too: marking their own notice read changes no
data), and sees only their own: another person's notice is a 404, administrators included.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from notifications import services
from notifications.filtersets import NotificationFilterSet
from notifications.models import Notification
from zjai.api.permissions import HasRole
from zjai.api.views import ReadOnlyViewSet

from .serializers import (
    EmailSettingsSerializer,
    NoBodySerializer,
    NotificationSerializer,
    ReadAllResultSerializer,
    ReadAllSerializer,
)


@extend_schema_view(
    list=extend_schema(summary=_("Your notices (your own only)")),
    retrieve=extend_schema(summary=_("One of your notices")),
)
class NotificationViewSet(ReadOnlyViewSet):
    """Your inbox: `unread=true` and `kind=` filter it; newest first unless `ordering` says."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    permission_classes = [HasRole]
    search_fields = ["subject", "body"]
    ordering_fields = ["id", "created_at", "read_at", "kind"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return Notification.objects.for_user(self.request.user).select_related("unit")

    @extend_schema(summary=_("Mark one notice read"), request=NoBodySerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str) -> Response:
        """Marking it read again changes nothing (its first `read_at` stays)."""
        notice = self.get_object()
        NoBodySerializer(data=request.data).is_valid(raise_exception=True)
        services.mark_read(notice, acting_user=request.user)
        return Response(NotificationSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(
        summary=_("Mark all your notices read"),
        request=ReadAllSerializer,
        responses=ReadAllResultSerializer,
        examples=[OpenApiExample("submitted", value={"kind": "submitted"}, request_only=True)],
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        data = ReadAllSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.mark_all_read(
            acting_user=request.user, kind=data.validated_data.get("kind")
        )
        return Response({"marked": count})

    @extend_schema(
        methods=["GET"],
        summary=_("The kinds of notice you receive by e-mail"),
        request=None,
        responses=EmailSettingsSerializer,
    )
    @extend_schema(
        methods=["POST"],
        summary=_("Choose the kinds of notice you receive by e-mail"),
        request=EmailSettingsSerializer,
        responses=EmailSettingsSerializer,
        examples=[
            OpenApiExample("reviews only", value={"email_kinds": ["submitted"]}, request_only=True)
        ],
    )
    @action(
        detail=False,
        methods=["get", "post"],
        url_path="email-settings",
        filter_backends=[],
        pagination_class=None,
    )
    def email_settings(self, request: Request) -> Response:
        """Every kind comes by e-mail unless you leave it out here; the inbox has them all.
        POST replaces the choice as a whole (no version: the last choice sent is the one kept)."""
        if request.method == "POST":
            data = EmailSettingsSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            services.set_email_kinds(
                acting_user=request.user, kinds=data.validated_data["email_kinds"]
            )
        kinds = services.email_kinds_of(request.user)
        ordered = [kind for kind in Notification.Kind.values if kind in kinds]
        return Response({"email_kinds": ordered})
