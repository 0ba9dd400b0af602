"""The plan as data through the API: plans, responsible units, the items' tree."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import World


def test_the_plan_by_code(world: World, as_user: Any) -> None:
    body = as_user("staff").get("/api/v1/plans/zj-ai-2019-2022/").json()
    assert (body["period_start"], body["period_end"]) == ("2019-01-01", "2022-12-31")
    assert body["title_zh"].startswith("浙江省")


def test_units_filters(world: World, as_user: Any) -> None:
    client = as_user("staff")
    cities = client.get("/api/v1/units/", {"kind": "city_government", "limit": 500}).json()
    assert cities["count"] == 11
    assert client.get("/api/v1/units/", {"city": "ningbo"}).json()["results"][0]["code"] == (
        "ningbo-gov"
    )
    econ = client.get("/api/v1/units/econ-it/").json()
    assert econ["aliases"]  # the source spells the department several ways


def test_items_in_reading_order_with_their_units(world: World, as_user: Any) -> None:
    client = as_user("staff")
    body = client.get("/api/v1/items/", {"limit": 500}).json()
    orders = [item["order"] for item in body["results"]]
    assert orders == sorted(orders)
    assert body["count"] == 98
    led = client.get("/api/v1/items/", {"lead_unit": "talent-office"}).json()["results"]
    assert led
    for item in led:
        assert item["units"][0] == {"code": "talent-office", "is_lead": True}
    children = client.get("/api/v1/items/", {"parent": "II"}).json()["results"]
    assert children and all(item["parent"] == "II" for item in children)
    assert client.get("/api/v1/items/", {"kind": "column", "depth": 1}).status_code == 200
