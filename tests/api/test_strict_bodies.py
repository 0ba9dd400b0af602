"""Strict JSON bodies on every write endpoint, found from the router.

An unknown key was ignored (a typo in a PATCH succeeded and changed nothing). Now, on every
write endpoint the router has (a new one fails test_every_write_endpoint_is_reached until it
says here how to reach it):

- the request as a client would send it succeeds (so the refusals below are the body's doing);
- the same request with an unknown key is a 400 naming the key, and nothing is written;
- on the endpoints whose body is the resource (PUT, PATCH), the representation a GET returned
  is accepted back as it is; a read-only field changed in it is a 400 naming the field; and a
  stale If-Match is still a 412, not a 400 about the fields that have moved on since.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework import serializers

from tests.api.client import ApiClient, schema_dict
from tests.api.fixtures import OWN_TARGET, World, world_publication

WRITE_METHODS = {"post", "put", "patch", "delete"}
UNKNOWN = "no_such_field"


def write_endpoints() -> list[tuple[str, str]]:
    """(basename, action) of every write the router serves."""
    from zjai.api.urls import router

    found = []
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            for method, action in router.get_method_map(viewset, route.mapping).items():
                if method in WRITE_METHODS:
                    found.append((basename, action))
    return sorted(set(found))


@dataclass
class Call:
    """One request to a write endpoint, as a client would send it."""

    user: str
    method: str
    url: str
    body: dict[str, Any] = field(default_factory=dict)
    versioned: bool = False  # sends the If-Match of `read_url` (the object's URL)
    read_url: str = ""

    def send(self, client: ApiClient, body: dict[str, Any] | None = None, **headers: Any) -> Any:
        if self.versioned and "HTTP_IF_MATCH" not in headers:
            headers["HTTP_IF_MATCH"] = client.get(self.read_url or self.url)["ETag"]
        headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")  # the messages asserted below
        payload = self.body if body is None else body
        return getattr(client, self.method)(self.url, payload, format="json", **headers)


def figure(world: World, name: str, action: str = "") -> str:
    return f"/api/v1/measurements/{world.figures[name]}/{action + '/' if action else ''}"


def action_call(user: str, name: str, action: str, body: dict[str, Any]) -> Callable:
    return lambda w: Call(
        user, "post", figure(w, name, action), body, versioned=True, read_url=figure(w, name)
    )


def task_report(world: World, name: str, action: str = "") -> str:
    return f"/api/v1/task-reports/{world.task_reports[name]}/{action + '/' if action else ''}"


def report_action(user: str, name: str, action: str, body: dict[str, Any]) -> Callable:
    return lambda w: Call(
        user,
        "post",
        task_report(w, name, action),
        body,
        versioned=True,
        read_url=task_report(w, name),
    )


def notice_action(user: str, action: str, body: dict[str, Any]) -> Callable:
    url = "/api/v1/supervision-notices/{}/"
    return lambda w: Call(
        user,
        "post",
        url.format(w.notices["own"]) + f"{action}/",
        body,
        versioned=True,
        read_url=url.format(w.notices["own"]),
    )


ENTERPRISE = {
    "name_zh": "严格企业",
    "city": "hangzhou",
    "sector": "robots",
    "tier": "specialised",
    "recognised_on": "2021-05-01",
}
PROJECT = {
    "name_zh": "严格项目",
    "kind": "smart_factory",
    "level": "provincial",
    "status": "under_construction",
    "city": "ningbo",
    "start_date": "2021-03-01",
}
FIGURE = {"target": OWN_TARGET, "value": "1300", "observed_on": "2021-09-30", "note": "季报"}


def decision(register: str, world: World, action: str) -> Call:
    """A new entry the unit's staff propose (it counts once confirmed), decided by its reviewer:
    made here, inside the test's transaction, so the shared world keeps only confirmed entries."""
    from enterprises.services import create_enterprise
    from projects.services import create_project

    if register == "enterprise":
        entry = create_enterprise(acting_user=world.user("staff"), **ENTERPRISE)
    else:
        entry = create_project(acting_user=world.user("staff"), **PROJECT)
    url = f"/api/v1/{register}s/{entry.pk}/"
    body = {"comment": "核实" if action == "confirm" else "无认定文件"}
    return Call("reviewer", "post", f"{url}{action}/", body, versioned=True, read_url=url)


# How to reach each write endpoint's success path, as the user who may.
CALLS: dict[tuple[str, str], Callable[[World], Call]] = {
    ("measurement", "create"): lambda w: Call("staff", "post", "/api/v1/measurements/", FIGURE),
    ("measurement", "update"): lambda w: Call(
        "staff",
        "put",
        figure(w, "own_draft"),
        {"value": "1250", "observed_on": "2021-06-30", "note": "改"},
        versioned=True,
    ),
    ("measurement", "partial_update"): lambda w: Call(
        "staff", "patch", figure(w, "own_draft"), {"note": "改"}, versioned=True
    ),
    ("measurement", "submit"): action_call("staff", "own_draft", "submit", {}),
    ("measurement", "approve"): action_call("reviewer", "own_submitted", "approve", {}),
    ("measurement", "reject"): action_call(
        "reviewer", "own_submitted", "reject", {"comment": "来源?"}
    ),
    ("measurement", "withdraw"): action_call(
        "reviewer", "own_approved", "withdraw", {"reason": "口径调整"}
    ),
    ("enterprise", "create"): lambda w: Call("staff", "post", "/api/v1/enterprises/", ENTERPRISE),
    ("enterprise", "update"): lambda w: Call(
        "staff",
        "put",
        f"/api/v1/enterprises/{w.enterprises['own']}/",
        # The counted fields as confirmed (a change of one would await confirmation: 202).
        {**ENTERPRISE, "recognised_on": "2020-05-01", "name_en": "Strict"},
        versioned=True,
    ),
    ("enterprise", "partial_update"): lambda w: Call(
        "staff",
        "patch",
        f"/api/v1/enterprises/{w.enterprises['own']}/",
        {"name_en": "Strict"},
        versioned=True,
    ),
    ("project", "create"): lambda w: Call("staff", "post", "/api/v1/projects/", PROJECT),
    ("project", "update"): lambda w: Call(
        "staff",
        "put",
        f"/api/v1/projects/{w.projects['own']}/",
        {**PROJECT, "start_date": "2020-03-01", "name_en": "Strict"},
        versioned=True,
    ),
    ("project", "partial_update"): lambda w: Call(
        "staff",
        "patch",
        f"/api/v1/projects/{w.projects['own']}/",
        {"name_en": "Strict"},
        versioned=True,
    ),
    ("enterprise", "confirm"): lambda w: decision("enterprise", w, "confirm"),
    ("enterprise", "reject"): lambda w: decision("enterprise", w, "reject"),
    ("project", "confirm"): lambda w: decision("project", w, "confirm"),
    ("project", "reject"): lambda w: decision("project", w, "reject"),
    # The world's plan ended in 2022: its targets are closed.
    ("target", "reopen"): lambda w: Call(
        "admin", "post", f"/api/v1/targets/{OWN_TARGET}/reopen/", {"reason": "统计局更正"}
    ),
    ("target", "partial_update"): lambda w: Call(
        "admin",
        "patch",
        f"/api/v1/targets/{OWN_TARGET}/",
        {"definition_zh": "在役工业机器人台数", "reason": "补充定义"},
        versioned=True,
    ),
    ("token", "create"): lambda w: Call("staff", "post", "/api/v1/tokens/", {"name": "feed"}),
    ("publication", "create"): lambda w: Call(
        "admin", "post", "/api/v1/publications/", {"plan": "zj-ai-2019-2022", "as_of": "2021-09-30"}
    ),
    ("publication", "withdraw"): lambda w: Call(
        "admin",
        "post",
        f"/api/v1/publications/{world_publication(w).pk}/withdraw/",
        {"reason": "数据有误"},
        versioned=True,
        read_url=f"/api/v1/publications/{world_publication(w).pk}/",
    ),
    ("taskreport", "create"): lambda w: Call(
        "staff",
        "post",
        "/api/v1/task-reports/",
        {"item": w.items["own"], "period_start": "2022-01-01", "status": "in_progress"},
    ),
    ("taskreport", "partial_update"): lambda w: Call(
        "staff", "patch", task_report(w, "own_draft"), {"work_done": "改"}, versioned=True
    ),
    ("taskreport", "submit"): report_action("staff", "own_draft", "submit", {}),
    ("taskreport", "approve"): report_action("reviewer", "own_submitted", "approve", {}),
    ("taskreport", "return_"): report_action(
        "reviewer", "own_submitted", "return", {"comment": "请补充"}
    ),
    ("milestone", "create"): lambda w: Call(
        "staff",
        "post",
        "/api/v1/milestones/",
        {"item": w.items["own"], "unit": "econ-it", "due_on": "2022-06-30", "description": "验收"},
    ),
    ("milestone", "partial_update"): lambda w: Call(
        "staff",
        "patch",
        f"/api/v1/milestones/{w.milestones['own']}/",
        {"description": "调整"},
        versioned=True,
    ),
    ("milestone", "done"): lambda w: Call(
        "staff",
        "post",
        f"/api/v1/milestones/{w.milestones['own']}/done/",
        {},
        versioned=True,
        read_url=f"/api/v1/milestones/{w.milestones['own']}/",
    ),
    ("supervisionnotice", "create"): lambda w: Call(
        "reviewer",
        "post",
        "/api/v1/supervision-notices/",
        {
            "unit": "sci-tech",
            "item": w.items["own"],
            "subject": "请报送",
            "text": "请报送。",
            "reply_by": "2099-12-31",
        },
    ),
    ("supervisionnotice", "reply"): notice_action("staff", "reply", {"reply": "已报送"}),
    ("supervisionnotice", "close"): notice_action("reviewer", "close", {"comment": "办结"}),
    ("token", "destroy"): lambda w: Call(
        "staff", "delete", f"/api/v1/tokens/{w.token_ids['staff_spare']}/"
    ),
    ("notification", "read"): lambda w: Call(
        "staff", "post", f"/api/v1/notifications/{w.notice('staff')}/read/"
    ),
    ("notification", "read_all"): lambda w: Call(
        "staff", "post", "/api/v1/notifications/read-all/", {"kind": "due_soon"}
    ),
    ("notification", "email_settings"): lambda w: Call(
        "staff", "post", "/api/v1/notifications/email-settings/", {"email_kinds": ["submitted"]}
    ),
}
ENDPOINTS = write_endpoints()
REPRESENTATION_ENDPOINTS = [e for e in ENDPOINTS if e[1] in ("update", "partial_update")]


def audit_length() -> int:
    from audit.models import AuditEvent

    return AuditEvent.objects.count()


def test_every_write_endpoint_is_reached() -> None:
    assert len(ENDPOINTS) >= 15
    missing = sorted(set(ENDPOINTS) - set(CALLS))
    assert not missing, f"say in CALLS how to reach these write endpoints: {missing}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids="-".join)
def test_the_request_as_sent_succeeds(world: World, as_user: Any, endpoint: tuple) -> None:
    call = CALLS[endpoint](world)
    response = call.send(as_user(call.user))
    assert response.status_code < 300, response.content


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids="-".join)
def test_an_unknown_key_is_a_400_naming_it_and_writes_nothing(
    world: World, as_user: Any, endpoint: tuple
) -> None:
    call = CALLS[endpoint](world)
    client = as_user(call.user)
    before = audit_length()
    response = call.send(client, {**call.body, UNKNOWN: 1})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert list(errors) == [UNKNOWN]
    assert errors[UNKNOWN][0].startswith("Unknown field")
    assert audit_length() == before


def test_the_message_names_the_fields_that_are_accepted(world: World, as_user: Any) -> None:
    """The PATCH typo of the finding: "valeu" is refused, and the answer says what is taken."""
    call = CALLS[("measurement", "partial_update")](world)
    response = call.send(as_user("staff"), {"valeu": "1400"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "valeu": ["Unknown field. Fields accepted here: note, observed_on, value."]
    }
    chinese = call.send(as_user("staff"), {"valeu": "1400"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese.json()["errors"]["valeu"][0].startswith("未知字段")


def a_read_only_field(representation: dict[str, Any], writable: set[str]) -> tuple[str, Any]:
    """A field of the representation that cannot be written, and another value for it."""
    for name in ("created_at", "is_demo", "id", "code"):
        if name in representation and name not in writable:
            value = representation[name]
            if isinstance(value, bool):
                return name, not value
            if isinstance(value, int):
                return name, value + 1
            return name, "2000-01-01T00:00:00+08:00"
    raise AssertionError(f"no read-only field in {sorted(representation)}")


@pytest.mark.parametrize("endpoint", REPRESENTATION_ENDPOINTS, ids="-".join)
def test_a_representation_echoed_back_is_accepted_and_a_changed_read_only_field_is_not(
    world: World, as_user: Any, endpoint: tuple
) -> None:
    call = CALLS[endpoint](world)
    client = as_user(call.user)
    read = client.get(call.url)
    representation = read.json()
    etag = read["ETag"]

    # GET, change what may be changed, send it all back.
    echoed = {**representation, **call.body}
    accepted = call.send(client, echoed, HTTP_IF_MATCH=etag)
    assert accepted.status_code == 200, accepted.content

    fresh = client.get(call.url)
    name, other = a_read_only_field(fresh.json(), set(call.body) | {"reason"})
    before = audit_length()
    changed = call.send(client, {**fresh.json(), name: other}, HTTP_IF_MATCH=fresh["ETag"])
    assert changed.status_code == 400, changed.content
    assert list(changed.json()["errors"]) == [name]
    assert "read-only" in changed.json()["errors"][name][0]
    assert audit_length() == before

    # With the ETag read before the first change, the answer is the 412 that explains it all.
    stale = call.send(client, {**representation, **call.body}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412, stale.content


@pytest.mark.parametrize("endpoint", [e for e in ENDPOINTS if e[1] == "create"], ids="-".join)
def test_a_read_only_field_in_a_new_object_is_a_400_saying_so(
    world: World, as_user: Any, endpoint: tuple
) -> None:
    call = CALLS[endpoint](world)
    response = call.send(as_user(call.user), {**call.body, "id": 7})
    assert response.status_code == 400
    assert response.json()["errors"] == {"id": ["This field is read-only."]}


def test_unknown_keys_of_a_nested_object_are_named_with_their_path() -> None:
    from rest_framework.exceptions import ValidationError

    from zjai.api.errors import flatten_errors
    from zjai.api.fields import StrictSerializer

    class Child(StrictSerializer):
        code = serializers.CharField()

    class Parent(StrictSerializer):
        child = Child()
        children = Child(many=True)

    body = {"child": {"code": "a", "cdoe": "b"}, "children": [{"code": "a"}, {"x": 1, "code": "c"}]}
    serializer = Parent(data=body)
    with pytest.raises(ValidationError) as refused:
        serializer.is_valid(raise_exception=True)
    errors = flatten_errors(refused.value.detail)
    assert sorted(errors) == ["child.cdoe", "children.1.x"]


def test_every_api_serializer_is_strict() -> None:
    import importlib
    import inspect
    from pathlib import Path

    from tests.architecture import APPS, ROOT
    from zjai.api.fields import StrictInputMixin

    loose = []
    for app in APPS:
        for path in sorted((ROOT / app).glob("api/serializers*.py")):
            module = importlib.import_module(
                ".".join(Path(path.relative_to(ROOT)).with_suffix("").parts)
            )
            for name, cls in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(cls, serializers.BaseSerializer)
                    and cls.__module__ == module.__name__
                    and not issubclass(cls, StrictInputMixin)
                ):
                    loose.append(f"{module.__name__}.{name}")
    assert not loose, f"derive these from zjai.api.fields' strict bases: {loose}"


def test_the_schema_says_request_bodies_take_no_other_keys() -> None:
    schemas = schema_dict()["components"]["schemas"]
    requests = {name: s for name, s in schemas.items() if name.endswith("Request")}
    assert requests
    assert {
        name for name, s in requests.items() if s.get("additionalProperties") is not False
    } == set()
