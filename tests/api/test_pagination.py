"""Deep pages: found by their keys first (zjai.api.pagination), yet the same rows in the same
order as a plain OFFSET, whatever the ordering, and across the switch-over offset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.api.fixtures import World
from tests.web import figures
from zjai.api.pagination import DEFERRED_JOIN_OFFSET

ROWS = DEFERRED_JOIN_OFFSET + 120
SECTORS = ["robots", "chips", "software", "drones"]


@pytest.fixture
def many_enterprises(world: World) -> str:
    from enterprises.models import Enterprise

    # Names and dates repeat, so an ordering by them alone would not be total: the key must
    # break the ties the same way on both sides of the switch-over.
    Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"深页企业{i % 37:02d}",
            city="hangzhou" if i % 3 else "ningbo",
            sector=SECTORS[i % len(SECTORS)],
            recognised_on=dt.date(2020, 1, 1) + dt.timedelta(days=i % 11),
        )
        for i in range(ROWS)
    )
    return "/api/v1/enterprises/?search=深页企业"


def _ids(client: Any, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return [row["id"] for row in response.json()["results"]]


@pytest.mark.parametrize("ordering", ["id", "-name_zh", "city,-recognised_on", "sector"])
def test_deep_pages_match_the_plain_offset(
    many_enterprises: str, as_user: Any, ordering: str
) -> None:
    from enterprises.models import Enterprise

    client = as_user("staff")
    terms = [*ordering.split(","), "id"]
    expected = list(
        Enterprise.objects.filter(name_zh__startswith="深页企业")
        .order_by(*terms)
        .values_list("pk", flat=True)
    )
    assert len(expected) == ROWS
    pages = []
    # Pages on both sides of the switch-over, one straddling it, and a short last page.
    for offset in (0, DEFERRED_JOIN_OFFSET - 30, DEFERRED_JOIN_OFFSET, ROWS - 40):
        url = f"{many_enterprises}&ordering={ordering}&limit=60&offset={offset}"
        page = _ids(client, url)
        assert page == expected[offset : offset + 60], (ordering, offset)
        pages.append(page)
    assert len(pages[-1]) == 40


def test_a_deep_page_of_a_distinct_filter(world: World, as_user: Any) -> None:
    """Filtering figures by unit joins the target's units (DISTINCT): plain slicing there."""
    from targets.models import Measurement, Target

    # Days from 1990 on: none is the world's approved day (one approved figure per date).
    figures(
        Target.objects.get(code="robots-in-service"),
        world.user("reviewer"),
        ROWS,
        start=dt.date(1990, 1, 1),
    )
    client = as_user("admin")
    url = "/api/v1/measurements/?unit=econ-it&ordering=-id&limit=50"
    everything = client.get(url.replace("limit=50", "limit=500")).json()["count"]
    assert everything >= ROWS
    deep = _ids(client, f"{url}&offset={DEFERRED_JOIN_OFFSET + 10}")
    expected = list(
        Measurement.objects.filter(target__unit_links__unit__code="econ-it")
        .distinct()
        .order_by("-id")
        .values_list("pk", flat=True)
    )[DEFERRED_JOIN_OFFSET + 10 : DEFERRED_JOIN_OFFSET + 60]
    assert deep == expected
