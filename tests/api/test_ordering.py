"""`?ordering=` on every list: what the schema publishes (the fields, as an enum) is what the
list accepts, and an empty value is "no choice": the default order, as without the parameter."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.api.client import schema_dict
from tests.api.fixtures import OWN_TARGET, World, world_publication


def ordering_parameters() -> dict[str, dict[str, Any]]:
    """Every list of the schema that can be ordered: path → its `ordering` parameter."""
    found = {}
    for path, operations in schema_dict()["paths"].items():
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["name"] == "ordering":
                found[path] = parameter
    return found


LISTS = sorted(ordering_parameters())


def url_of(path: str) -> str:
    return path.replace("{code}", OWN_TARGET)


def test_every_list_can_be_ordered() -> None:
    assert LISTS == [
        "/api/v1/audit-events/",
        "/api/v1/enterprises/",
        "/api/v1/items/",
        "/api/v1/measurements/",
        "/api/v1/milestones/",
        "/api/v1/notifications/",
        "/api/v1/plans/",
        "/api/v1/projects/",
        "/api/v1/publications/",
        "/api/v1/rollups/",
        "/api/v1/supervision-notices/",
        "/api/v1/targets/",
        "/api/v1/targets/{code}/history/",
        "/api/v1/task-reports/",
        "/api/v1/tokens/",
        "/api/v1/units/",
    ]


@pytest.mark.parametrize("path", LISTS)
@pytest.mark.parametrize("blank", ["", ",", " ", " , ,"])
def test_an_empty_ordering_is_the_default_order(
    path: str, blank: str, world: World, as_user: Any
) -> None:
    client = as_user("admin")
    if path == "/api/v1/publications/":
        world_publication(world)  # the world publishes nothing until a test asks
    default = client.get(url_of(path))
    assert default.status_code == 200, default.content[:300]
    assert len(default.json()["results"]) >= 1
    response = client.get(url_of(path), {"ordering": blank})
    assert response.status_code == 200, response.content[:300]
    # The same rows in the same order (the links to the next page keep the parameter).
    assert response.json()["results"] == default.json()["results"]
    assert response.json()["count"] == default.json()["count"]


def test_the_schema_lists_each_lists_fields_as_an_enum() -> None:
    parameter = ordering_parameters()["/api/v1/enterprises/"]
    # A comma-separated array (form style, not exploded): ?ordering=city,-recognised_on
    assert (parameter["style"], parameter["explode"]) == ("form", False)
    assert parameter["schema"]["type"] == "array"
    item = parameter["schema"]["items"]
    enum, pattern = item["anyOf"][0]["enum"], item["anyOf"][1]["pattern"]
    fields = ["city", "id", "name_zh", "recognised_on", "sector", "tier", "updated_at"]
    assert enum == [term for field in fields for term in (field, f"-{field}")]
    # The pattern: the same terms with spaces around them, or a blank term (left out).
    for term in [*enum, " city ", "  -tier", "", "   "]:
        assert re.fullmatch(pattern, term), term
    for term in ["nope", "--id", "city,tier", "ci ty", "\tcity", "city\n", "id_"]:
        assert not re.fullmatch(pattern, term), term


def test_each_list_accepts_exactly_its_enum(world: World, as_user: Any) -> None:
    client = as_user("admin")
    for path, parameter in ordering_parameters().items():
        enum = parameter["schema"]["items"]["anyOf"][0]["enum"]
        everything = client.get(url_of(path), {"ordering": " , ".join(enum)})
        assert everything.status_code == 200, (path, everything.content[:300])
        unknown = client.get(url_of(path), {"ordering": f"{enum[0]},secret"})
        assert unknown.status_code == 400, path
        assert unknown.json()["errors"]["ordering"], path


def test_spaces_around_a_term_and_empty_terms_are_left_out(world: World, as_user: Any) -> None:
    client = as_user("admin")
    by_name = client.get("/api/v1/enterprises/", {"ordering": "-name_zh"}).json()
    assert client.get("/api/v1/enterprises/", {"ordering": " , -name_zh ,"}).json() == by_name
