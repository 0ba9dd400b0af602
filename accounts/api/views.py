"""API tokens: users create and revoke their own, administrators anyone's.

A token is revoked, not deleted (DELETE revokes it), so the audit log and the usage log keep
pointing at a row that says who owned it and when it stopped working.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.filtersets import ApiTokenFilterSet
from accounts.models import ApiToken
from zjai.api.permissions import HasRole
from zjai.api.views import ReadOnlyViewSet

from .serializers import ApiTokenCreatedSerializer, ApiTokenCreateSerializer, ApiTokenSerializer


@extend_schema_view(
    list=extend_schema(summary=_("Your API tokens (every user's, for administrators)")),
    retrieve=extend_schema(summary=_("An API token (never its key)")),
    create=extend_schema(
        summary=_("Create a token: the key is in this response only"),
        request=ApiTokenCreateSerializer,
        responses={201: ApiTokenCreatedSerializer},
        examples=[OpenApiExample("sync", value={"name": "nightly sync"}, request_only=True)],
    ),
    destroy=extend_schema(summary=_("Revoke a token: it stops working at once")),
)
class ApiTokenViewSet(mixins.CreateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet):
    """Tokens for `Authorization: Token <key>`. Any user with a role (auditors too: they read
    through the API) manages their own."""

    serializer_class = ApiTokenSerializer
    filterset_class = ApiTokenFilterSet
    permission_classes = [HasRole]
    # Never kept for an Idempotency-Key: the key is shown once and stored nowhere.
    answer_fields_not_kept = frozenset({"key"})
    search_fields = ["name", "user__username"]
    ordering_fields = ["id", "created_at", "last_used_at", "name"]
    ordering = ["-created_at", "-id"]

    def get_queryset(self) -> QuerySet:
        return ApiToken.objects.for_user(self.request.user).select_related(
            "user", "created_by", "revoked_by"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = ApiTokenCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        owner = data.validated_data.get("user", request.user)
        token, key = services.create_api_token(
            owner=owner, name=data.validated_data["name"], acting_user=request.user
        )
        token = self.get_queryset().get(pk=token.pk)
        token.key = key
        # The key must not be kept by any cache between the server and the client.
        return Response(
            ApiTokenCreatedSerializer(token).data,
            status=201,
            headers={"Cache-Control": "no-store"},
        )

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        services.revoke_api_token(self.get_object(), acting_user=request.user)
        return Response(status=204)
