"""ETag, If-Match and If-None-Match for the resources people edit (figures, register entries).

Each editable model has a `version` that its service function increments inside the row lock.
The ETag is that version; a change must send it back in If-Match, and the service compares it
inside the lock, so two clients that read version 3 cannot both write: the second gets 412 and
nothing it sent is applied. A change without If-Match is refused with 428 rather than accepted
blindly, because accepting it is exactly how updates get lost.
"""

from __future__ import annotations

import re
from typing import Any

from rest_framework.request import Request
from rest_framework.response import Response

from zjai.versioned import Versioned

from .errors import PreconditionRequired

# One entity tag, strong or weak: "3" or W/"3" (RFC 9110 8.8.3), once the spaces and tabs
# around a header's value are dropped. Lists and * are not accepted on purpose: the point of
# If-Match here is to name the one version the client read. The schema publishes this pattern
# for If-Match (zjai.api.schema), so it is written the way JSON Schema reads it too.
ENTITY_TAG_PATTERN = r'^(?:W/)?"([^"]*)"$'
ENTITY_TAG = re.compile(ENTITY_TAG_PATTERN)
# What this API sends as ETag: the version, a whole number.
OUR_ETAG_PATTERN = r'^"[0-9]+"$'


def etag_for(obj: Versioned) -> str:
    return f'"{obj.version}"'


def parse_entity_tag(header: str) -> str | None:
    match = ENTITY_TAG.fullmatch(header.strip(" \t"))
    return match.group(1) if match else None


def expected_version(request: Request) -> int:
    """The version named by If-Match; 428 when it is missing or not an entity tag.

    A version that cannot be current (not a number) is returned as 0, which no object has, so
    the service answers 412 from inside the lock like for any other stale version.
    """
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired()
    tag = parse_entity_tag(header)
    if tag is None:
        raise PreconditionRequired(
            'If-Match must be one entity tag as sent in ETag, such as "3" (not * or a list).'
        )
    if not (tag.isascii() and tag.isdigit()) or len(tag) > 12:
        return 0
    return int(tag)


def not_modified(request: Request, etag: str) -> bool:
    """True when If-None-Match names the current ETag (or is *): answer 304."""
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    if header.strip() == "*":
        return True
    current = etag.strip('"')
    for part in header.split(","):
        tag = parse_entity_tag(part)
        if tag is not None and tag == current:
            return True
    return False


class VersionedMixin:
    """For viewsets of versioned models: ETag on every single-object answer, 304 on
    If-None-Match, and `self.expected_version()` for the writes that need If-Match.

    `if_match_actions` names the actions that require If-Match; the schema reads it too.
    """

    versioned = True
    if_match_actions: frozenset[str] = frozenset({"update", "partial_update"})

    def expected_version(self) -> int:
        return expected_version(self.request)  # type: ignore[attr-defined]

    def object_response(self, obj: Versioned, status: int = 200, **kwargs: Any) -> Response:
        serializer = self.get_serializer(obj)  # type: ignore[attr-defined]
        response = Response(serializer.data, status=status, **kwargs)
        response["ETag"] = etag_for(obj)
        return response

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        etag = etag_for(obj)
        if not_modified(request, etag):
            return Response(status=304, headers={"ETag": etag})
        return self.object_response(obj)
