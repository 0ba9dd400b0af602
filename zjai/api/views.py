"""Base viewsets of the API and the benchmark's bare view.

The defaults (authentication, permissions, filters, pagination, throttles, error handler)
are in REST_FRAMEWORK in settings, so a resource's viewset is the NetBox three lines: queryset,
serializer_class, filterset_class. What varies is the lookup of one object, done here.

Every viewset of the API derives from ReadOnlyViewSet, the write viewsets too (with DRF's
mixins added), so what every write needs is here once: one transaction per write with its
Idempotency-Key and the truth about its commit (zjai.api.writes), and the object a write reads
remembered, so that a body echoing its read-only fields can be compared with it
(zjai.api.fields.StrictInputMixin).
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest, JsonResponse
from rest_framework import viewsets
from rest_framework.exceptions import NotFound

from .parsers import JSONParser
from .writes import WritesInOneTransactionMixin

# Ids are bigints; a longer string of digits cannot name a row, and PostgreSQL would refuse it.
MAX_ID_DIGITS = 18

_M = TypeVar("_M", bound=Model)


class ReadOnlyViewSet(WritesInOneTransactionMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve; `get_queryset` starts from the model's `for_user(user)`. With DRF's
    create/update/destroy mixins, the base of the write viewsets too."""

    #: The object get_object last returned: what a write changes.
    object_read: Any = None

    # Codes may contain dots or other characters: let the lookup decide, not the URL pattern,
    # so an odd value is a JSON 404 from the API rather than Django's HTML page.
    lookup_value_regex = "[^/]+"
    # JSON bodies only; one nested too deeply is a 400 like any other bad JSON.
    parser_classes = [JSONParser]

    def get_object(self) -> Any:
        if self.lookup_field in ("pk", "id", "seq"):
            value = self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")
            if not (value.isascii() and value.isdigit()) or len(value) > MAX_ID_DIGITS:
                raise NotFound()
        self.object_read = super().get_object()
        return self.object_read


def lookup_or_404(queryset: QuerySet[_M], **lookup: Any) -> _M:
    obj = queryset.filter(**lookup).first()
    if obj is None:
        raise NotFound()
    return obj


def bench_constant(request: HttpRequest) -> JsonResponse:
    """A bare Django view with a constant JSON body: the benchmark's ceiling (bench/api_bench.py).

    Mounted only when ZJAI_BENCH_VIEWS is set, so production never serves it.
    """
    return JsonResponse({"status": "ok", "plan": "zj-ai-2019-2022", "targets": 15})


def changed_values(obj: Model, values: dict[str, Any]) -> dict[str, Any]:
    """Only the fields whose value differs from the object's.

    A PUT sends every field; passing the unchanged ones to a service would make it refuse a
    change nobody asked for (a staff member "changing" the managing unit to the one it has).
    """
    return {name: value for name, value in values.items() if getattr(obj, name) != value}
