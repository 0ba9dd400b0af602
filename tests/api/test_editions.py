"""/api/v1/editions/ and /api/v1/editions/compare/: an edition's digest, chain head and figures,
and two editions compared (docs/api.md, "Editions"). Every response is checked against the
schema by the client."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from reports.builders import AsOfReport
from reports.editions import edition_of
from targets.models import Target
from tests.api.fixtures import OWN_TARGET, World

PLAN = "zj-ai-2019-2022"


def test_an_edition_gives_its_digest_head_and_figures(world: World, as_user: Any) -> None:
    k = timezone.localtime().isoformat()
    url = f"/api/v1/editions/?plan={PLAN}&as_of=2021-06-30&known_at={k.replace('+', '%2B')}"
    body = as_user("auditor").get(url).json()
    target = Target.objects.get(code=OWN_TARGET)
    expected = edition_of(
        AsOfReport(target.plan, dt.date(2021, 6, 30), known_at=dt.datetime.fromisoformat(k))
    )
    assert body["digest"] == expected.digest
    assert body["head"] == {"seq": expected.head.seq, "hash": expected.head.hash}
    assert body["payload"] == expected.payload()
    figures = {row["target"]: row["values"] for row in body["figures"]}
    assert OWN_TARGET in figures and "current_value" in figures[OWN_TARGET]
    # The same query later gives the same answer.
    assert as_user("admin").get(url).json() == body


def test_compare_lists_the_differences_and_their_events(world: World, as_user: Any) -> None:
    last = AuditEvent.objects.order_by("-seq").first()
    assert last is not None
    before = (last.occurred_at - dt.timedelta(microseconds=1)).isoformat().replace("+", "%2B")
    url = (
        f"/api/v1/editions/compare/?as_of={timezone.localdate()}&known_at={before}"
        f"&against_as_of={timezone.localdate()}"
    )
    body = as_user("auditor").get(url).json()
    assert body["old"]["head"]["seq"] < body["new"]["head"]["seq"]
    events = [e["seq"] for e in body["events"]]
    assert events == sorted(events)
    for difference in body["differences"]:
        assert set(difference) == {"target", "field", "old", "new"}
        assert difference["old"] != difference["new"]
    same = as_user("auditor").get(
        "/api/v1/editions/compare/?as_of=2021-06-30&known_at=2021-07-01&against_known_at=2021-07-01"
    )
    assert same.json()["differences"] == [] and same.json()["events"] == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("", "as_of"),
        ("as_of=2021-02-30", "as_of"),
        ("as_of=2999-01-01", "as_of"),
        ("as_of=2021-06-30&known_at=2021-06-29", "known_at"),
        ("as_of=2021-06-30&known_at=2999-01-01", "known_at"),
        ("as_of=2021-06-30&known_at=2021-07-01T10:00:00", "known_at"),
        ("as_of=2021-06-30&known_at=soon", "known_at"),
        ("as_of=2021-06-30&known_at=0001-01-01T00:00:00%2B14:00", "known_at"),
        ("as_of=2021-06-30&known_at=9999-12-31T23:59:59-12:00", "known_at"),
        ("as_of=2021-06-30&known_at=%00", "known_at"),
        ("as_of=2021-06-30&plan=%00", "plan"),
        ("as_of=2021-06-30&plan=nope", "plan"),
        ("as_of=2021-06-30&colour=red", "colour"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(
    world: World, as_user: Any, query: str, field: str
) -> None:
    for path in ("/api/v1/editions/", "/api/v1/editions/compare/"):
        response = as_user("auditor").get(f"{path}?{query}")
        assert response.status_code == 400, (path, query, response.content)
        assert field in response.json()["errors"]


def test_only_auditors_and_administrators(world: World, as_user: Any) -> None:
    for caller, status in [("staff", 403), ("reviewer", 403), (None, 401)]:
        for path in ("/api/v1/editions/", "/api/v1/editions/compare/"):
            assert as_user(caller).get(f"{path}?as_of=2021-06-30").status_code == status
