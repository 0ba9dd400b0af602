"""The registers' viewset (enterprises, projects): read by every user with a role, written
through the register's own create and update services, with a reason and If-Match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.urls import reverse
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api.caching import SharedListCacheMixin
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet, changed_values


class RegisterViewSet(
    VersionedMixin,
    SharedListCacheMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """A subclass names its write serializer, its services and its detail route; the rules
    (who may write which entry, what a valid entry is, the audit event, the recompute) are the
    services', the same the browser's forms call."""

    write_serializer_class: type[serializers.Serializer]
    # staticmethod(services.create_…) and staticmethod(services.update_…)
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    detail_route: str  # e.g. "api:enterprise-detail"

    def _validated(self, serializer: serializers.Serializer) -> tuple[dict[str, Any], str]:
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        return values, values.pop("reason", "")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values, reason = self._validated(self.write_serializer_class(data=request.data))
        entry = self.create_service(acting_user=request.user, reason=reason, **values)
        entry = self.get_queryset().get(pk=entry.pk)
        location = reverse(self.detail_route, kwargs={"pk": entry.pk})
        return self.object_response(entry, status=201, headers={"Location": location})

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        version = self.expected_version()
        values, reason = self._validated(
            self.write_serializer_class(
                entry, data=request.data, partial=kwargs.get("partial", False)
            )
        )
        entry = self.update_service(
            entry,
            acting_user=request.user,
            expected_version=version,
            reason=reason,
            **changed_values(entry, values),
        )
        return self.object_response(self.get_queryset().get(pk=entry.pk))
