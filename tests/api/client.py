"""A test client that checks every API response against the published OpenAPI schema.

Every request a test makes through `ApiClient` has its response validated by openapi-core
against the schema drf-spectacular generates (the same document /api/schema/ serves): status
code documented for the operation, content type, body and declared headers. A test that gets a
response the schema does not describe fails, whatever it asserts itself, so the schema cannot
drift from what the API does (STYLE.md, after Zulip).
"""

from __future__ import annotations

import functools
import json
from typing import Any

import jsonschema
from django.http import HttpResponse
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from openapi_core import OpenAPI
from openapi_core.contrib.django import DjangoOpenAPIRequest, DjangoOpenAPIResponse
from openapi_core.templating.paths.exceptions import PathNotFound
from rest_framework.test import APIClient

API_PREFIX = "/api/v1/"


@functools.cache
def schema_dict() -> dict[str, Any]:
    """The schema as /api/schema/ serves it, as plain JSON data."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(schema, renderer_context={}))


@functools.cache
def openapi() -> OpenAPI:
    return OpenAPI.from_dict(schema_dict())


class _Request(DjangoOpenAPIRequest):
    """Matched against the schema's paths by the request path (not Django's route regex)."""

    @property
    def path_pattern(self) -> None:  # type: ignore[override]
        return None


class SchemaMismatch(AssertionError):
    pass


def _reasons(exc: BaseException | None) -> list[str]:
    """The schema errors behind openapi-core's exception, however deeply chained."""
    reasons: list[str] = []
    while exc is not None:
        for error in getattr(exc, "schema_errors", None) or []:
            path = "/".join(str(p) for p in getattr(error, "absolute_path", []))
            reasons.append(f"{path}: {getattr(error, 'message', error)}")
        if not getattr(exc, "schema_errors", None):
            reasons.append(repr(exc))
        exc = exc.__cause__ or exc.__context__
    return reasons


def validate(response: HttpResponse) -> None:
    request = response.wsgi_request
    if not request.path.startswith(API_PREFIX):
        return
    try:
        openapi().validate_response(_Request(request), DjangoOpenAPIResponse(response))
    except PathNotFound:
        # An address the schema does not have (a test of unknown paths): it must still answer
        # with a documented error body.
        assert response.status_code == 404, response.content[:500]
        jsonschema.validate(response.json(), schema_dict()["components"]["schemas"]["Error"])
    except Exception as exc:
        details = "; ".join(_reasons(exc))
        raise SchemaMismatch(
            f"{request.method} {request.get_full_path()} → {response.status_code} does not match "
            f"the OpenAPI schema: {exc!r} {details}\nbody: {response.content[:2000]!r}"
        ) from exc


class ApiClient(APIClient):
    """APIClient whose every /api/v1/ response is validated against the schema."""

    def request(self, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().request(*args, **kwargs)
        validate(response)
        return response

    def use_token(self, key: str | None) -> ApiClient:
        self.credentials(**({"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}))
        return self
