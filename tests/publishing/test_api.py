"""/api/v1/publications/: listed and read by auditors and administrators, published and
withdrawn by administrators (docs/api.md, "Publications"). Every response is checked against
the schema by the client."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from publishing.models import Publication
from tests.api.client import ApiClient
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db

PLAN = "zj-ai-2019-2022"
LIST = "/api/v1/publications/"


@pytest.fixture
def api(world):
    """api("admin") → a schema-validating client with that person's token."""
    from accounts.services import create_api_token

    def make(role: str) -> ApiClient:
        user = world[role]
        _token, key = create_api_token(owner=user, name="tests", acting_user=user)
        return ApiClient().use_token(key)

    return make


def detail(publication: Publication) -> str:
    return f"{LIST}{publication.pk}/"


def test_an_administrator_publishes_and_gets_201(secrets, api):
    response = api("admin").post(LIST, {"plan": PLAN, "as_of": AS_OF.isoformat()}, format="json")
    assert response.status_code == 201
    body = response.json()
    publication = Publication.objects.get()
    assert response["Location"] == detail(publication)
    assert response["ETag"] == '"1"'
    assert body["number"] == 1 and body["as_of"] == "2021-06-30"
    assert body["digest"] == publication.digest
    assert body["public_url"] == f"/public/{PLAN}/editions/1/"
    assert body["published_by"] == "boss" and body["is_live"] is True
    assert "content" not in body


def test_a_repeated_publish_is_a_400_and_writes_nothing(publication, api):
    client = api("admin")  # its token is audited too
    events = AuditEvent.objects.count()
    response = client.post(
        LIST, {"plan": PLAN, "as_of": AS_OF.isoformat()}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "already shows exactly this content" in response.json()["errors"]["as_of"][0]
    assert Publication.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"plan": PLAN, "as_of": "2099-01-01"}, "as_of"),
        ({"plan": PLAN, "as_of": "2021-06-30", "known_on": "2021-06-01"}, "known_on"),
        ({"plan": PLAN, "as_of": "2021-06-30", "known_on": "soon"}, "known_on"),
        ({"plan": "no-such-plan", "as_of": "2021-06-30"}, "plan"),
        ({"as_of": "2021-06-30"}, "plan"),
        ({"plan": PLAN, "as_of": "2021-06-30", "content": {}}, "content"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(secrets, api, body, field):
    response = api("admin").post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Publication.objects.exists()


@pytest.mark.parametrize("role", ["staff", "reviewer", "auditor"])
def test_only_administrators_publish(secrets, api, role):
    response = api(role).post(LIST, {"plan": PLAN, "as_of": AS_OF.isoformat()}, format="json")
    assert response.status_code == 403
    assert not Publication.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("admin", 200), ("auditor", 200)])
def test_administrators_and_auditors_list_and_read(publication, api, role, status):
    client = api(role)
    listed = client.get(LIST)
    assert listed.status_code == status
    rows = listed.json()["results"]
    assert [row["digest"] for row in rows] == [publication.digest]
    assert "content" not in rows[0]
    one = client.get(detail(publication))
    assert one.status_code == 200
    assert one.json()["public_url"] == f"/public/{PLAN}/editions/1/"
    assert one["ETag"] == f'"{publication.version}"'


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_may_not_list(publication, api, role):
    client = api(role)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(publication)).status_code == 403


def test_the_list_is_filtered_by_plan(publication, api):
    client = api("auditor")
    assert len(client.get(LIST, {"plan": PLAN}).json()["results"]) == 1
    assert client.get(LIST, {"plan": "another-plan"}).json()["results"] == []


def withdraw(client: ApiClient, publication: Publication, body: dict[str, Any], **headers):
    return client.post(f"{detail(publication)}withdraw/", body, format="json", **headers)


def test_an_administrator_withdraws_with_if_match(publication, api):
    response = withdraw(api("admin"), publication, {"reason": "数据有误"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    body = response.json()
    assert body["is_live"] is False and body["public_url"] is None
    assert body["withdrawn_by"] == "boss" and body["withdrawal_reason"] == "数据有误"
    assert response["ETag"] == '"2"'
    assert AuditEvent.objects.filter(
        object_type="publishing.publication", action="withdraw", reason="数据有误"
    ).exists()


def test_withdrawing_needs_if_match_and_the_current_version(publication, api):
    client = api("admin")
    assert withdraw(client, publication, {"reason": "x"}).status_code == 428
    assert withdraw(client, publication, {"reason": "x"}, HTTP_IF_MATCH='"7"').status_code == 412
    publication.refresh_from_db()
    assert publication.is_live and publication.version == 1


@pytest.mark.parametrize("body", [{}, {"reason": "   "}, {"reason": 3}])
def test_withdrawing_needs_a_reason(publication, api, body):
    response = withdraw(api("admin"), publication, body, HTTP_IF_MATCH='"1"')
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]
    publication.refresh_from_db()
    assert publication.is_live


def test_withdrawing_twice_is_a_400(publication, api):
    client = api("admin")
    assert withdraw(client, publication, {"reason": "x"}, HTTP_IF_MATCH='"1"').status_code == 200
    again = withdraw(
        client, publication, {"reason": "y"}, HTTP_IF_MATCH='"2"', HTTP_ACCEPT_LANGUAGE="en"
    )
    assert again.status_code == 400
    assert "already withdrawn" in again.json()["errors"]["reason"][0]


@pytest.mark.parametrize("role", ["staff", "reviewer", "auditor"])
def test_only_administrators_withdraw(publication, api, role):
    response = withdraw(api(role), publication, {"reason": "x"}, HTTP_IF_MATCH='"1"')
    assert response.status_code == 403
    publication.refresh_from_db()
    assert publication.is_live
