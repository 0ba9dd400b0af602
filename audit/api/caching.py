"""Shared caching of list pages that every user sees alike, keyed by the data's version.

The data's version is the audit chain's length (audit.models.AuditChainHead.seq): every write
to the data appends an audit event in its own transaction, whatever the path (the service
functions, the admin, the plan loader, seed_demo, and each progress recompute, which leaves
one event per plan). So a page computed at version N is still right for as long as the chain
has N events, and reading N is one primary-key lookup, where building the page costs several
queries and a serialization.

Only lists that are the same for every signed-in user use it (the plan, units, items, targets
and the registers: their `for_user` is "everything"); figures, tokens and the audit log, whose
visibility depends on the user, are computed on every request. Authentication, permissions and
throttling run as usual on a cached page: only the queries and serialization are saved. Entries
also expire after LIST_CACHE_TTL seconds, a bound on staleness should a write ever bypass the
audit trail. With several gunicorn workers, point CACHE_URL at Redis so they share entries.
While that Redis cannot be reached the cache misses and keeps nothing (zjai/cache.py), so every
list is computed as if uncached: slower, never an error.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBase
from rest_framework import mixins
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from audit.models import AuditChainHead

LIST_CACHE_TTL = 300


def data_version() -> int:
    """The number of audit events: it grows with every write to the data."""
    return AuditChainHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


class SharedListCacheMixin(mixins.ListModelMixin):
    """`list` served from the cache while the data's version is unchanged (see above).

    The JSON body is cached as rendered, so a hit is sent without rendering it again; a
    client that asked for another representation (the browsable API) gets it from the data.
    """

    basename: str

    def list_cache_key(self, request: Request) -> str:
        params = request.query_params
        query = sorted((k, v) for k in params for v in params.getlist(k))
        # The page's next/previous links are absolute: they depend on the address asked.
        raw = repr((request.scheme, request.get_host(), request.path, query))
        digest = hashlib.sha256(raw.encode()).hexdigest()
        return f"api-list:{self.basename}:{data_version()}:{digest}"

    # A hit is a plain HttpResponse with the stored JSON. DRF takes any HttpResponseBase from
    # a handler (APIView.finalize_response); the stubs narrow ListModelMixin.list to Response.
    def list(  # type: ignore[override]
        self, request: Request, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        key = self.list_cache_key(request)
        body = cache.get(key)
        if body is not None:
            if isinstance(request.accepted_renderer, JSONRenderer):
                return HttpResponse(body, content_type="application/json")
            return Response(json.loads(body))
        response = super().list(request, *args, **kwargs)
        if response.status_code == 200:
            cache.set(key, JSONRenderer().render(response.data), LIST_CACHE_TTL)
        return response
