"""The project register through the API: writes through projects.services, filters."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import World


def test_admin_places_a_project_with_any_unit_and_enterprise(world: World, as_user: Any) -> None:
    response = as_user("admin").post(
        "/api/v1/projects/",
        {
            "name_zh": "宁波某智能工厂",
            "kind": "smart_factory",
            "level": "provincial",
            "status": "accepted",
            "city": "ningbo",
            "owner_unit": "talent-office",
            "enterprise": world.enterprises["other"],
            "planned_investment": 12000.5,
            "completed_investment": "8000",
            "start_date": "2020-01-01",
            "accepted_on": "2021-12-01",
        },
        format="json",
    )
    # Every project counts: accepted, awaiting confirmation by another person.
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["confirmed"] is False and body["pending_change"]["kind"] == "create"
    assert (body["owner_unit"], body["enterprise"]) == ("talent-office", world.enterprises["other"])
    assert (body["planned_investment"], body["completed_investment"]) == ("12000.50", "8000.00")


def test_staff_projects_belong_to_their_unit(world: World, as_user: Any) -> None:
    response = as_user("staff").post(
        "/api/v1/projects/",
        {"name_zh": "嘉兴项目", "kind": "major", "level": "city", "city": "jiaxing"},
        format="json",
    )
    assert response.json()["owner_unit"] == "econ-it"


def test_the_models_rules_come_back_as_errors(world: World, as_user: Any) -> None:
    client = as_user("staff")
    url = f"/api/v1/projects/{world.projects['own']}/"
    etag = client.get(url)["ETag"]
    no_date = client.patch(url, {"status": "accepted"}, format="json", HTTP_IF_MATCH=etag)
    assert no_date.status_code == 400
    before_start = client.patch(
        url,
        {"status": "accepted", "accepted_on": "2019-01-01"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert before_start.status_code == 400
    negative = client.patch(url, {"planned_investment": "-5"}, format="json", HTTP_IF_MATCH=etag)
    assert negative.status_code == 400
    assert list(negative.json()["errors"]) == ["planned_investment"]
    accepted = client.patch(
        url,
        {"status": "accepted", "accepted_on": "2022-05-20"},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    # A counted change: proposed (202), the confirmed status kept until a reviewer confirms.
    assert accepted.status_code == 202
    assert accepted.json()["status"] == "under_construction"
    assert accepted.json()["pending_change"]["proposed"] == {
        "status": "accepted",
        "accepted_on": "2022-05-20",
    }
    assert accepted.json()["version"] == int(etag.strip('"')) + 1


def test_project_filters(world: World, as_user: Any) -> None:
    client = as_user("staff")

    def ids(**params: Any) -> set[int]:
        response = client.get("/api/v1/projects/", params)
        assert response.status_code == 200, response.content
        return {p["id"] for p in response.json()["results"]}

    both = set(world.projects.values())
    assert ids(kind="smart_factory") == both
    assert ids(owner_unit="econ-it") == {world.projects["own"]}
    assert ids(level=["national", "city"]) == set()
    assert ids(status="under_construction", city="ningbo", year=2020) == both
    assert ids(search="项目own") == {world.projects["own"]}
    assert client.get("/api/v1/projects/", {"owner_unit": "nowhere"}).status_code == 400
