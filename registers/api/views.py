"""The registers' viewset (enterprises, projects): read by every user with a role, written
through the register's own create and update services, with a reason and If-Match.

A write that moves a target is a proposal (registers.services): the answer is 202 Accepted with
the entry as it now is, its `pending_change` showing what awaits confirmation; a write that
changed only other fields (or nothing) is 200 (201 for a new entry that counts nowhere). A
second person confirms or rejects with POST …/{id}/confirm/ or …/{id}/reject/ and If-Match.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import Model, QuerySet
from django.urls import reverse
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from audit.api.caching import SharedListCacheMixin
from registers.selectors import attach_pending, with_proposal
from zjai.api.conditional import VersionedMixin
from zjai.api.views import ReadOnlyViewSet, changed_values

from .serializers import DATING_KEYS, DecisionSerializer

# The actions that need If-Match besides the updates.
DECISIONS = frozenset({"confirm", "reject"})


def write_status(entry: Model, done: int) -> int:
    """202 when the write proposed (or amended) a change that awaits confirmation, else `done`."""
    return 202 if getattr(entry, "proposal", None) is not None else done


class RegisterViewSet(
    VersionedMixin,
    SharedListCacheMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ReadOnlyViewSet,
):
    """A subclass names its write serializer, its services and its detail route; the rules
    (who may write which entry, what a valid entry is, who confirms, the audit event, the
    recompute) are the services', the same the browser's forms call."""

    # POST takes the create serializer (no dating), PUT and PATCH the write serializer.
    create_serializer_class: type[serializers.Serializer]
    write_serializer_class: type[serializers.Serializer]
    # staticmethod(services.create_…), staticmethod(services.update_…), and the decisions
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    confirm_service: Callable[..., Model]
    reject_service: Callable[..., Model | None]
    detail_route: str  # e.g. "api:enterprise-detail"
    if_match_actions = frozenset({"update", "partial_update", *DECISIONS})

    def get_object(self) -> Any:
        entry = super().get_object()
        attach_pending([entry])
        return entry

    def paginate_queryset(self, queryset: QuerySet | Sequence[Any]) -> list[Any] | None:
        page = super().paginate_queryset(queryset)
        if page is not None:
            attach_pending(page)
        return page

    def _validated(self, serializer: serializers.Serializer) -> tuple[dict[str, Any], str]:
        serializer.is_valid(raise_exception=True)
        values = dict(serializer.validated_data)
        return values, values.pop("reason", "")

    def _fresh(self, entry: Model) -> Any:
        fresh = self.get_queryset().get(pk=entry.pk)
        attach_pending([fresh])
        return fresh

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        values, reason = self._validated(self.create_serializer_class(data=request.data))
        entry = self.create_service(acting_user=request.user, reason=reason, **values)
        location = reverse(self.detail_route, kwargs={"pk": entry.pk})
        return self.object_response(
            self._fresh(entry), status=write_status(entry, 201), headers={"Location": location}
        )

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entry = self.get_object()
        version = self.expected_version()
        # Compared with what the entry shows its proposer: the counted fields as proposed.
        shown = with_proposal(entry)
        values, reason = self._validated(
            self.write_serializer_class(
                shown, data=request.data, partial=kwargs.get("partial", False)
            )
        )
        dating = {name: values.pop(name) for name in DATING_KEYS if name in values}
        entry = self.update_service(
            entry,
            acting_user=request.user,
            expected_version=version,
            reason=reason,
            **dating,
            **changed_values(shown, values),
        )
        return self.object_response(self._fresh(entry), status=write_status(entry, 200))

    def _decide(self, service: Callable[..., Model | None]) -> Response:
        entry = self.get_object()
        version = self.expected_version()
        data = DecisionSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        kept = service(
            entry,
            acting_user=self.request.user,
            expected_version=version,
            comment=data.validated_data.get("comment", ""),
        )
        if kept is None:  # a rejected new entry left the register
            return Response(status=204)
        return self.object_response(self._fresh(kept))

    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Confirm the entry's pending change: it counts from now on. A reviewer of the managing
        unit or an administrator, never its proposer (403)."""
        return self._decide(self.confirm_service)

    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        """Reject the entry's pending change, with a comment: the confirmed values stay (200); a
        new entry is removed from the register (204)."""
        return self._decide(self.reject_service)
