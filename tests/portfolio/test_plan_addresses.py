"""The same target code in two plans: every address, API lookup and write names the right one."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.services import create_api_token
from targets.models import Measurement, Target
from tests.api.client import ApiClient
from tests.second_plan import SECOND, copy_plan
from tests.web import client_for

FIRST = "zj-ai-2019-2022"
CODE = "robots-in-service"


@pytest.fixture
def two_plans(plan: Any) -> tuple[Any, Any]:
    return plan, copy_plan(plan)


def api_for(user: Any) -> ApiClient:
    _token, key = create_api_token(owner=user, name="tests", acting_user=user)
    return ApiClient().use_token(key)


def test_target_pages_live_under_their_plan(two_plans, people):
    first, second = two_plans
    client = client_for(people["staff"])
    old = client.get(f"/plans/{FIRST}/targets/{CODE}/")
    new = client.get(f"/plans/{SECOND}/targets/{CODE}/")
    assert old.context["target"].plan == first
    assert new.context["target"].plan == second
    assert f'href="/plans/{SECOND}/targets/{CODE}/report/"' in new.content.decode()
    assert client.get(f"/plans/{SECOND}/targets/{CODE}/report/").status_code == 200
    assert client.get(f"/plans/no-such-plan/targets/{CODE}/").status_code == 404
    # The plan's tree and dashboard link to the plan's own target pages.
    tree = client.get(f"/plans/{SECOND}/tree/").content.decode()
    assert f'href="/plans/{SECOND}/targets/{CODE}/"' in tree
    assert f'href="/plans/{FIRST}/targets/' not in tree


def test_a_figure_reported_on_a_plans_page_belongs_to_that_plan(two_plans, people):
    _first, second = two_plans
    client = client_for(people["staff"])
    response = client.post(
        f"/plans/{SECOND}/targets/{CODE}/report/", {"value": "1234", "observed_on": "2024-06-30"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{SECOND}/targets/{CODE}/"
    assert Measurement.objects.get().target.plan == second


def test_old_addresses_redirect_to_the_first_plan_or_the_only_plan_with_the_code(two_plans, people):
    _first, second = two_plans
    client = client_for(people["staff"])
    response = client.get(f"/targets/{CODE}/?page=2")
    assert response.status_code == 302
    assert response["Location"] == f"/plans/{FIRST}/targets/{CODE}/?page=2"
    report = client.get(f"/targets/{CODE}/report/")
    assert report["Location"] == f"/plans/{FIRST}/targets/{CODE}/report/"
    # A form posted to the old address is posted again to the new one.
    posted = client.post(f"/targets/{CODE}/report/", {"value": "1", "observed_on": "2022-06-30"})
    assert posted.status_code == 307
    assert posted["Location"] == f"/plans/{FIRST}/targets/{CODE}/report/"
    # A code only the second plan has: its page.
    Target.objects.filter(plan=second, code=CODE).update(code="robots-2027")
    only = client.get("/targets/robots-2027/")
    assert only["Location"] == f"/plans/{SECOND}/targets/robots-2027/"
    assert client.get("/targets/no-such-target/").status_code == 404
    # Anonymous visitors are sent to sign in, not told where the target lives.
    from django.test import Client

    assert "/accounts/login/" in Client().get(f"/targets/{CODE}/")["Location"]


def test_an_old_address_shared_by_plans_other_than_the_first_is_404(two_plans, people):
    first, _second = two_plans
    copy_plan(
        first, "third", first.period_start.replace(year=2028), first.period_end.replace(year=2031)
    )
    Target.objects.filter(plan=first, code=CODE).update(code="robots-2022")
    response = client_for(people["staff"]).get(f"/targets/{CODE}/")
    assert response.status_code == 404


def test_the_api_looks_targets_up_by_plan_and_code(two_plans, people):
    api = api_for(people["staff"])
    new = api.get(f"/api/v1/targets/{SECOND}:{CODE}/")
    assert new.status_code == 200
    assert new.json()["plan"] == SECOND
    assert "Deprecation" not in new
    old = api.get(f"/api/v1/targets/{FIRST}:{CODE}/")
    assert old.json()["plan"] == FIRST
    # The bare code: the first plan's target, deprecated.
    plain = api.get(f"/api/v1/targets/{CODE}/")
    assert plain.json()["plan"] == FIRST
    assert plain["Deprecation"] == "true"
    assert api.get(f"/api/v1/targets/no-such-plan:{CODE}/").status_code == 404
    assert api.get(f"/api/v1/targets/{SECOND}:no-such-target/").status_code == 404
    history = api.get(f"/api/v1/targets/{SECOND}:{CODE}/history/")
    assert history.status_code == 200


def test_a_bare_code_shared_by_plans_other_than_the_first_is_400_naming_them(two_plans, people):
    first, _second = two_plans
    copy_plan(
        first, "third", first.period_start.replace(year=2028), first.period_end.replace(year=2031)
    )
    Target.objects.filter(plan=first, code=CODE).update(code="robots-2022")
    api = api_for(people["staff"])
    response = api.get(f"/api/v1/targets/{CODE}/")
    assert response.status_code == 400
    message = str(response.json()["errors"]["code"])
    assert SECOND in message and "third" in message
    created = api.post(
        "/api/v1/measurements/",
        {"target": CODE, "value": 1, "observed_on": "2024-06-30"},
        format="json",
    )
    assert created.status_code == 400, created.content
    errors = str(created.json()["errors"]["target"])
    assert "third" in errors and SECOND in errors
    assert not Measurement.objects.exists()


def test_a_figure_posted_to_the_api_names_its_plan(two_plans, people):
    first, second = two_plans
    api = api_for(people["staff"])
    created = api.post(
        "/api/v1/measurements/",
        {"target": f"{SECOND}:{CODE}", "value": 1234, "observed_on": "2024-06-30"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert Measurement.objects.get(pk=created.json()["id"]).target.plan == second
    plain = api.post(
        "/api/v1/measurements/",
        {"target": CODE, "value": 99, "observed_on": "2022-06-30"},
        format="json",
    )
    assert plain.status_code == 201, plain.content
    assert Measurement.objects.get(pk=plain.json()["id"]).target.plan == first
    assert (created.json()["plan"], plain.json()["plan"]) == (SECOND, FIRST)

    # The list filters by plan:code (or by plan); a bare code matches the code in every plan.
    def ids(**params: str) -> set[int]:
        return {m["id"] for m in api.get("/api/v1/measurements/", params).json()["results"]}

    assert ids(target=f"{SECOND}:{CODE}") == {created.json()["id"]}
    assert ids(target=f"{FIRST}:{CODE}") == {plain.json()["id"]}
    assert ids(plan=SECOND) == {created.json()["id"]}
    assert ids(target=CODE) == {created.json()["id"], plain.json()["id"]}
    unknown = api.post(
        "/api/v1/measurements/",
        {"target": f"no-such-plan:{CODE}", "value": 1, "observed_on": "2024-06-30"},
        format="json",
    )
    assert unknown.status_code == 400


def test_the_target_list_names_each_targets_plan(two_plans, people):
    html = client_for(people["staff"]).get("/targets/", {"q": CODE}).content.decode()
    assert f'href="/plans/{FIRST}/targets/{CODE}/"' in html
    assert f'href="/plans/{SECOND}/targets/{CODE}/"' in html
    assert f'<div class="muted small">{SECOND}</div>' in html
