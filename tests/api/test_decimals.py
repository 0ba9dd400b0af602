"""Issue 18 through the API: the largest value of each decimal field a client writes is taken
and returned exactly, sent as a string or as a JSON number; one more digit is a 400 naming the
field and its range (the 9999999999999999 the fuzzer sent was a 500 on SQLite); the schema
publishes the same range."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.client import schema_dict
from tests.api.fixtures import OWN_TARGET, World

FIGURE_RANGE = "请输入 -99999999999.9999 到 99999999999.9999 之间的数。"
INVESTMENT_RANGE = "请输入 0 到 9999999999999.99 之间的数。"
INVESTMENTS = ("planned_investment", "completed_investment")
PROJECT = {"name_zh": "大项目", "kind": "major", "level": "city", "city": "jiaxing"}


def post_figure(client: Any, value: Any) -> Any:
    return client.post(
        "/api/v1/measurements/",
        {"target": OWN_TARGET, "value": value, "observed_on": "2022-03-31"},
        format="json",
    )


@pytest.mark.parametrize("value", ["99999999999.9999", 99999999999.9999])
def test_the_largest_figure_is_taken_and_returned_exactly(
    world: World, as_user: Any, value: Any
) -> None:
    client = as_user("staff")
    created = post_figure(client, value)
    assert created.status_code == 201, created.content
    assert created.json()["value"] == "99999999999.9999"
    again = client.get(f"/api/v1/measurements/{created.json()['id']}/")
    assert again.json()["value"] == "99999999999.9999"


@pytest.mark.parametrize(
    "value", ["100000000000", 100000000000, "9999999999999999", 9999999999999999, 1e16]
)
def test_one_more_digit_of_a_figure_is_a_400_naming_the_field_and_range(
    world: World, as_user: Any, value: Any
) -> None:
    refused = post_figure(as_user("staff"), value)
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"value": [FIGURE_RANGE]}


def test_a_draft_edited_past_the_range_is_a_400_too(world: World, as_user: Any) -> None:
    client = as_user("staff")
    created = post_figure(client, "1")
    url = f"/api/v1/measurements/{created.json()['id']}/"
    refused = client.patch(
        url, {"value": "-100000000000"}, format="json", HTTP_IF_MATCH=created["ETag"]
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"value": [FIGURE_RANGE]}


def test_the_largest_investments_are_taken_and_returned_exactly(world: World, as_user: Any) -> None:
    created = as_user("staff").post(
        "/api/v1/projects/",
        {
            **PROJECT,
            "planned_investment": "9999999999999.99",
            "completed_investment": 9999999999999.99,
        },
        format="json",
    )
    assert created.status_code == 202, created.content  # a new project awaits confirmation
    body = as_user("staff").get(f"/api/v1/projects/{created.json()['id']}/").json()
    assert [body[name] for name in INVESTMENTS] == ["9999999999999.99"] * 2


@pytest.mark.parametrize("field", INVESTMENTS)
@pytest.mark.parametrize("value", ["10000000000000", 10000000000000, "-0.01"])
def test_an_investment_out_of_range_is_a_400_naming_the_field_and_range(
    world: World, as_user: Any, field: str, value: Any
) -> None:
    client = as_user("staff")
    refused = client.post("/api/v1/projects/", {**PROJECT, field: value}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {field: [INVESTMENT_RANGE]}
    url = f"/api/v1/projects/{world.projects['own']}/"
    etag = client.get(url)["ETag"]
    changed = client.patch(url, {field: value}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 400
    assert changed.json()["errors"] == {field: [INVESTMENT_RANGE]}


@pytest.mark.parametrize(
    ("component", "field", "low", "high", "pattern"),
    [
        *(
            (name, "value", -99999999999.9999, 99999999999.9999, r"^-?\d{0,11}(?:\.\d{0,4})?$")
            for name in ("MeasurementCreateRequest", "PatchedMeasurementWriteRequest")
        ),
        *(
            (name, field, 0, 9999999999999.99, r"^\d{0,13}(?:\.\d{0,2})?$")
            for name in ("ProjectWriteRequest", "PatchedProjectWriteRequest")
            for field in INVESTMENTS
        ),
    ],
)
def test_the_schema_publishes_each_fields_range(
    component: str, field: str, low: float, high: float, pattern: str
) -> None:
    as_string, as_number = schema_dict()["components"]["schemas"][component]["properties"][field][
        "oneOf"
    ]
    assert as_string["pattern"] == pattern
    assert (as_number["minimum"], as_number["maximum"]) == (low, high)
