"""The one error shape, preconditions (ETag, If-Match, If-None-Match), throttling, and junk.

Every response here also passes through the schema-validating client, so each error is
checked against its documented shape as well as against the assertions below.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.cache import cache

from tests.api.client import ApiClient, schema_dict
from tests.api.fixtures import OWN_TARGET, World


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) <= {"status", "code", "detail", "errors", "request_id"}
    assert body["status"] == status
    assert body["code"] == code
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    return body


def figure_url(world: World, name: str) -> str:
    return f"/api/v1/measurements/{world.figures[name]}/"


# --- each status in the one shape ---------------------------------------------------------------


def test_400_names_each_field(world: World, as_user: Any) -> None:
    response = as_user("staff").post(
        "/api/v1/measurements/",
        {"target": "no-such-target", "value": "abc", "observed_on": "2021-02-30"},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert set(body["errors"]) == {"target", "value", "observed_on"}


def test_400_from_the_service_names_the_field_too(world: World, as_user: Any) -> None:
    """Rules the serializer cannot know (a future date) come from targets.services."""
    response = as_user("staff").post(
        "/api/v1/measurements/",
        {"target": OWN_TARGET, "value": "1", "observed_on": "2099-01-01"},
        format="json",
    )
    body = assert_error(response, 400, "invalid")
    assert list(body["errors"]) == ["observed_on"]
    assert body["detail"] == body["errors"]["observed_on"][0]


def test_400_for_malformed_json(world: World, as_user: Any) -> None:
    response = as_user("staff").generic(
        "POST", "/api/v1/measurements/", b'{"value": 12', content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize(
    "header", [None, "Token", "Token not-a-key", "Bearer abc", "Token a b", "Token \u00e9t\u00e9"]
)
def test_401_without_valid_credentials(world: World, header: str | None) -> None:
    client = ApiClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/targets/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    body = response.json()
    assert body["code"] in ("not_authenticated", "authentication_failed")


def test_403_404_409_shapes(world: World, as_user: Any) -> None:
    staff = as_user("staff")
    assert_error(staff.get("/api/v1/audit-events/"), 403, "permission_denied")
    assert_error(staff.get(figure_url(world, "other_draft")), 404, "not_found")
    approved = staff.get(figure_url(world, "own_approved"))
    response = staff.post(
        figure_url(world, "own_approved") + "submit/", HTTP_IF_MATCH=approved["ETag"]
    )
    body = assert_error(response, 409, "conflict")
    assert "草稿" in body["detail"]  # Chinese by default, like the browser…
    english = staff.post(
        figure_url(world, "own_approved") + "submit/",
        HTTP_IF_MATCH=approved["ETag"],
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "draft" in english.json()["detail"]  # …and in English on request


def test_404_for_any_unknown_api_address_is_json(world: World, as_user: Any) -> None:
    client = as_user("staff")
    for path in ("/api/v1/nothing/", "/api/v2/", "/api/v1/targets", "/api/v1/measurements/x/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == "not_found"
    assert "/api/v1/targets/" in client.get("/api/v1/targets").json()["detail"]


def test_415_for_a_body_that_is_not_json(world: World, as_user: Any) -> None:
    response = as_user("staff").generic(
        "POST",
        "/api/v1/enterprises/",
        "name_zh=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert_error(response, 415, "unsupported_media_type")


# --- ETag, If-Match, If-None-Match --------------------------------------------------------------


def test_etag_is_the_version_and_if_none_match_answers_304(world: World, as_user: Any) -> None:
    client = as_user("staff")
    url = figure_url(world, "own_draft")
    first = client.get(url)
    assert first["ETag"] == f'"{first.json()["version"]}"'
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH='"999"').status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=f"W/{first['ETag']}").status_code == 304


@pytest.mark.parametrize(
    "path", ["measurements/{own_draft}/", "enterprises/{own}/", "projects/{own}/"]
)
def test_a_change_without_if_match_is_428_and_changes_nothing(
    path: str, world: World, as_user: Any
) -> None:
    url = "/api/v1/" + path.format(own_draft=world.figures["own_draft"], own=_own(path, world))
    client = as_user("staff")
    before = client.get(url).json()
    body = {"note": "x"} if "measurements" in path else {"name_en": "Changed"}
    if "projects" in path:
        body = {"name_en": "Changed"}
    response = client.patch(url, body, format="json")
    assert_error(response, 428, "precondition_required")
    assert_error(
        client.patch(url, body, format="json", HTTP_IF_MATCH="*"), 428, "precondition_required"
    )
    assert client.get(url).json() == before


def _own(path: str, world: World) -> int:
    return world.enterprises["own"] if path.startswith("enterprises") else world.projects["own"]


@pytest.mark.parametrize("stale", ['"0"', '"abc"', 'W/"1"'])
def test_a_stale_if_match_is_412_with_the_current_etag_and_changes_nothing(
    stale: str, world: World, as_user: Any
) -> None:
    from audit.models import AuditEvent

    client = as_user("staff")
    url = figure_url(world, "own_draft")
    current = client.get(url)
    client.patch(url, {"note": "first"}, format="json", HTTP_IF_MATCH=current["ETag"])
    events = AuditEvent.objects.count()
    before = client.get(url).json()
    response = client.patch(url, {"note": "second"}, format="json", HTTP_IF_MATCH=stale)
    assert_error(response, 412, "precondition_failed")
    assert response["ETag"] == f'"{before["version"]}"'
    assert client.get(url).json() == before
    assert AuditEvent.objects.count() == events


def test_actions_need_if_match_too(world: World, as_user: Any) -> None:
    client = as_user("staff")
    url = figure_url(world, "own_draft") + "submit/"
    assert_error(client.post(url), 428, "precondition_required")
    assert_error(client.post(url, HTTP_IF_MATCH='"7"'), 412, "precondition_failed")


ONE_ENTITY_TAG = r'^(?:W/)?"([^"]*)"$'


def test_every_write_needing_if_match_publishes_the_pattern_of_one_entity_tag() -> None:
    needs_if_match, answers_428 = set(), set()
    for path, operations in schema_dict()["paths"].items():
        for method, operation in operations.items():
            if "428" in operation["responses"]:
                answers_428.add((method, path))
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "If-Match":
                    assert parameter["in"] == "header" and parameter["required"], (method, path)
                    assert parameter["schema"] == {"type": "string", "pattern": ONE_ENTITY_TAG}
                    needs_if_match.add((method, path))
                if parameter["name"] == "If-None-Match":
                    etag = operation["responses"]["200"]["headers"]["ETag"]["schema"]
                    assert etag == {"type": "string", "pattern": '^"[0-9]+"$'}, (method, path)
    # PUT and PATCH of three resources, four figure actions, confirm and reject of two registers;
    # PATCH of task reports and milestones, three report actions, done, reply and close;
    # withdrawing a publication; PATCH of a target's metadata
    assert len(needs_if_match) == 24
    assert needs_if_match == answers_428


@pytest.mark.parametrize(
    ("if_match", "status"),
    [
        ("*", 428),
        ('"1", "2"', 428),
        ("3", 428),
        ('"3', 428),
        ('W/ "3"', 428),
        ('w/"3"', 428),
        ('"0"', 412),
        ('W/"0"', 412),
        ('  "0"\t', 412),
        ('"abc"', 412),
        ('""', 412),
    ],
)
def test_if_match_outside_the_published_pattern_is_428_inside_it_412(
    if_match: str, status: int, world: World, as_user: Any
) -> None:
    # Servers drop the spaces and tabs around a header's value before anything reads it.
    assert bool(re.fullmatch(ONE_ENTITY_TAG, if_match.strip(" \t"))) == (status == 412)
    response = as_user("staff").patch(
        figure_url(world, "own_draft"), {"note": "x"}, format="json", HTTP_IF_MATCH=if_match
    )
    code = {412: "precondition_failed", 428: "precondition_required"}[status]
    assert_error(response, status, code)


def test_every_single_object_answer_of_an_editable_resource_has_its_etag(
    world: World, as_user: Any
) -> None:
    client = as_user("staff")
    created = client.post(
        "/api/v1/enterprises/", {"name_zh": "新企业", "city": "lishui"}, format="json"
    )
    assert created.status_code == 201
    assert created["ETag"] == '"1"'
    assert created["Location"] == f"/api/v1/enterprises/{created.json()['id']}/"
    changed = client.patch(
        created["Location"], {"sector": "drones"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert changed["ETag"] == '"2"'


# --- throttling ---------------------------------------------------------------------------------


def test_429_per_user_with_retry_after(world: World, as_user: Any, settings: Any) -> None:
    cache.clear()
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/minute", "write": "1/minute"},
    }
    staff, admin = as_user("staff"), as_user("admin")
    for _ in range(3):
        assert staff.get("/api/v1/plans/").status_code == 200
    response = staff.get("/api/v1/plans/")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0
    assert admin.get("/api/v1/plans/").status_code == 200  # another user has their own count
    cache.clear()
    ok = admin.post("/api/v1/tokens/", {"name": "one"}, format="json")
    assert ok.status_code == 201
    assert_error(admin.post("/api/v1/tokens/", {"name": "two"}, format="json"), 429, "throttled")
    cache.clear()


# --- junk never reaches the server as a 500 -----------------------------------------------------

PROJECT = '{"name_zh": "x", "kind": "major", "level": "city", "city": "hangzhou", '
ENTERPRISE = '{"name_zh": "x", "city": "hangzhou", '
JUNK_BODIES: list[str] = [
    "[]",
    '"text"',
    "null",
    "1",
    '{"value": 1e400}',
    '{"value": -1e400}',
    '{"value": 1' + "0" * 5000 + "}",
    '{"value": "' + "1" * 5000 + '"}',
    '{"value": {"nested": [1, {"x": null}]}}',
    '{"value": true}',
    '{"value": NaN}',
    '{"observed_on": 20210101}',
    '{"observed_on": "9999-12-31"}',
    '{"observed_on": "0001-01-01"}',
    '{"target": ["robots-in-service"]}',
    '{"target": "robots\\u0000-in-service"}',
    '{"note": "\\u0000"}',
    '{"name_zh": 12, "city": "hangzhou"}',
    '{"name_zh": "x", "city": "atlantis"}',
    ENTERPRISE + '"credit_code": "913300000000000000"}',
    ENTERPRISE + '"tier": "leading"}',
    ENTERPRISE + '"recognised_on": "2020-01-01", "revoked_on": "2019-01-01", "status": "revoked"}',
    ENTERPRISE + '"owner_unit": 5}',
    PROJECT + '"enterprise": 1' + "0" * 30 + "}",
    PROJECT + '"enterprise": "1"}',
    PROJECT + '"planned_investment": -1}',
    PROJECT + '"planned_investment": 1e20}',
    '{"name_zh": "x", "kind": "zeppelin", "level": "city", "city": "hangzhou"}',
    PROJECT + '"status": "accepted"}',
    '{"comment": ["x"]}',
    '{"reason": null}',
    '{"name": "\\ud800"}',
]


@pytest.mark.parametrize(
    "path",
    [
        "measurements/",
        "measurements/{draft}/",
        "measurements/{draft}/submit/",
        "measurements/{submitted}/reject/",
        "measurements/{approved}/withdraw/",
        "enterprises/",
        "enterprises/{enterprise}/",
        "projects/",
        "projects/{project}/",
        "tokens/",
    ],
)
def test_junk_bodies_are_refused_with_a_4xx(path: str, world: World, as_user: Any) -> None:
    from enterprises.models import Enterprise
    from projects.models import Project
    from targets.models import Measurement

    ids = {
        "draft": world.figures["own_draft"],
        "submitted": world.figures["own_submitted"],
        "approved": world.figures["own_approved"],
        "enterprise": world.enterprises["own"],
        "project": world.projects["own"],
    }
    url = "/api/v1/" + path.format(**ids)
    client = as_user("admin")
    for body in JUNK_BODIES:
        headers = {}
        if "{" in path:
            model = {"m": Measurement, "e": Enterprise, "p": Project}[path[0]]
            key = path.split("{")[1].split("}")[0]
            headers["HTTP_IF_MATCH"] = f'"{model.objects.get(pk=ids[key]).version}"'
        method = "PATCH" if path.endswith("}/") else "POST"
        response = client.generic(method, url, body, content_type="application/json", **headers)
        # 202: taken as a proposal that awaits confirmation (registers)
        assert 400 <= response.status_code < 500 or response.status_code in (200, 201, 202), (
            body,
            response.status_code,
            response.content[:300],
        )


JUNK_QUERIES = [
    "limit=abc",
    "limit=0",
    "limit=501",
    "limit=-1",
    "limit=" + "9" * 40,
    "offset=" + "9" * 40,
    "offset=-5",
    "ordering=--id",
    "ordering=nope",
    "search=%00",
    "city=%00",
    "city=atlantis",
    "city=",
    "tier=",
    "recognised_year=99999999999",
    "recognised_year=2020.5",
    "recognised_year=1e5",
    "recognised_after=2020-02-30",
    "recognised_after=01/02/2020",
    "is_demo=maybe",
    "is_demo=1",
    "q=%00",
]


@pytest.mark.parametrize("query", JUNK_QUERIES)
def test_junk_query_parameters_are_a_400(query: str, world: World, as_user: Any) -> None:
    response = as_user("staff").get(f"/api/v1/enterprises/?{query}")
    assert_error(response, 400, "invalid")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/measurements/99999999999999999999999/",
        "/api/v1/measurements/-1/",
        "/api/v1/measurements/%00/",
        "/api/v1/targets/%00/",
        "/api/v1/targets/%00/history/",
        "/api/v1/targets/a.b/",
        "/api/v1/plans/%E2%80%8B/",
        "/api/v1/audit-events/1e3/",
        "/api/v1/items/0x10/",
    ],
)
def test_junk_in_the_path_is_a_404(path: str, world: World, as_user: Any) -> None:
    assert_error(as_user("admin").get(path), 404, "not_found")


def test_integer_filters_are_bounded(world: World, as_user: Any) -> None:
    client = as_user("staff")
    assert client.get("/api/v1/items/?depth=70000").status_code == 400
    assert client.get("/api/v1/items/?depth=1").status_code == 200
    assert client.get("/api/v1/projects/?year=2020").status_code == 200


# --- the schema and its documentation -----------------------------------------------------------


def test_schema_is_valid_openapi_with_every_error_documented(world: World, as_user: Any) -> None:
    from openapi_spec_validator import validate

    response = as_user("staff").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, (path, method)
                assert content["examples"], (path, method, status)
            if "{" in path:
                assert "404" in operation["responses"], (path, method)
            if method in ("put", "patch") or path.endswith(("submit/", "approve/", "reject/")):
                assert {"412", "428"} <= set(operation["responses"]), (path, method)
                names = {p["name"] for p in operation["parameters"]}
                assert "If-Match" in names, (path, method)


def test_schema_and_docs_need_a_signed_in_user(world: World) -> None:
    assert ApiClient().get("/api/schema/").status_code == 401
    assert ApiClient().get("/api/docs/").status_code in (401, 403)


def test_swagger_ui_is_served_from_installed_packages(world: World, as_user: Any) -> None:
    html = as_user("staff").get("/api/docs/").content.decode()
    assert "swagger-ui" in html
    assert "drf_spectacular_sidecar" in html
    for cdn in ("cdn.jsdelivr", "unpkg.com", "cdnjs", "googleapis"):
        assert cdn not in html


# --- the browser's session --------------------------------------------------------------------


def test_session_reads_work_and_writes_need_the_csrf_token(world: World) -> None:
    client = ApiClient(enforce_csrf_checks=True)
    client.force_login(world.user("staff"))
    assert client.get("/api/v1/targets/").status_code == 200
    response = client.post("/api/v1/tokens/", {"name": "from the browser"}, format="json")
    body = assert_error(response, 403, "permission_denied")
    assert "CSRF" in body["detail"]
