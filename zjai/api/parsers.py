"""Bodies the API refuses with a 4xx, never a 500, however they are built.

DRF's JSONParser lets Python's RecursionError out of a body nested too deeply (`[[[[…]]]]`),
and DRF reads a body through `request.body`, which raises Django's RequestDataTooBig past
DATA_UPLOAD_MAX_MEMORY_SIZE (checked against Content-Length, before anything is read). Neither
is an APIException, so both ended as 500s. Here they become:

- a body nested too deeply for the decoder: 400 `parse_error`, like any other bad JSON;
- a body over DATA_UPLOAD_MAX_MEMORY_SIZE: 413 `request_too_large` (the viewsets' base class,
  zjai.api.views.ReadOnlyViewSet, turns RequestDataTooBig into RequestTooLarge).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers, status


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "request_too_large"


def request_too_large() -> RequestTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return RequestTooLarge(
        _("The request body is too large: at most %(limit)s.") % {"limit": filesizeformat(limit)}
    )


class JSONParser(parsers.JSONParser):
    """DRF's JSONParser, with a body nested too deeply answered as bad JSON (400)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(
                _("JSON parse error - the body is nested too deeply.")
            ) from None
