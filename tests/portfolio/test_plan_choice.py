"""Two plans side by side: which one the dashboard, the tree, the export and the top bar show."""

import datetime as dt

import pytest
from django.utils import timezone

from plans.choice import plan_in_force
from plans.models import Plan
from reports.models import Export
from targets.models import Target
from targets.services import recompute_progress
from tests.second_plan import SECOND, copy_plan
from tests.web import client_for

FIRST = "zj-ai-2019-2022"


@pytest.fixture
def two_plans(plan):
    return plan, copy_plan(plan)


def test_the_plan_in_force_is_the_default(two_plans, people):
    _first, second = two_plans
    response = client_for(people["staff"]).get("/")
    assert response.status_code == 200
    assert response.context["plan"] == second  # today (2026) lies in 2023–2027
    assert second.title_zh in response.content.decode()


def test_an_ended_plan_is_the_default_only_when_no_plan_is_in_force(plan, monkeypatch):
    assert plan_in_force() == plan  # the 2019–2022 plan has ended, none other has started
    later = copy_plan(plan, "later", dt.date(2099, 1, 1), dt.date(2100, 12, 31))
    assert plan_in_force() == plan  # a plan not yet started is not the default either
    Plan.objects.filter(pk=later.pk).update(period_start=timezone.localdate())
    assert plan_in_force().code == "later"


def test_the_address_names_the_plan_and_is_remembered(two_plans, people):
    first, second = two_plans
    client = client_for(people["staff"])
    assert client.get("/?plan=" + FIRST).context["plan"] == first
    # Chosen once, kept: the plain dashboard and the tree now show the first plan.
    assert client.get("/").context["plan"] == first
    tree = client.get("/plan/")
    assert tree.context["plan"] == first
    assert first.title_zh in tree.content.decode()
    assert client.get(f"/plans/{SECOND}/").context["plan"] == second
    assert client.get(f"/plans/{SECOND}/tree/").context["plan"] == second
    assert client.get("/").context["plan"] == second


def test_an_unknown_plan_is_404(two_plans, people):
    client = client_for(people["staff"])
    assert client.get("/?plan=no-such-plan").status_code == 404
    assert client.get("/plans/no-such-plan/").status_code == 404
    assert client.get("/plans/no-such-plan/tree/").status_code == 404
    assert client.get("/plan/?plan=no-such-plan").status_code == 404
    assert client.post("/plan-choice/", {"plan": "nope", "next": "/"}).status_code == 404


def test_the_switcher_lists_every_plan_and_remembers_the_choice(two_plans, people):
    first, second = two_plans
    client = client_for(people["staff"])
    html = client.get("/plan/").content.decode()
    assert 'id="plan-switch"' in html
    assert f'<option value="{FIRST}"' in html
    assert f'<option value="{SECOND}" selected' in html
    # On the targets list too: every signed-in page carries it.
    assert 'id="plan-switch"' in client.get("/targets/").content.decode()

    response = client.post("/plan-choice/", {"plan": FIRST, "next": "/plan/"})
    assert response.status_code == 302
    assert response["Location"] == "/plan/"
    assert client.get("/plan/").context["plan"] == first
    assert f'<option value="{FIRST}" selected' in client.get("/").content.decode()

    # From a page under another plan, to the same page of the chosen plan (else its
    # dashboard); a ?plan= in the page's address does not undo the choice; an address off the
    # site is not followed.
    moved = client.post("/plan-choice/", {"plan": SECOND, "next": f"/plans/{FIRST}/tree/"})
    assert moved["Location"] == f"/plans/{SECOND}/tree/"
    target = f"/plans/{FIRST}/targets/robots-in-service/report/"
    moved = client.post("/plan-choice/", {"plan": SECOND, "next": target})
    assert moved["Location"] == f"/plans/{SECOND}/targets/robots-in-service/report/"
    Target.objects.filter(plan=second, code="ent-leading").delete()
    moved = client.post(
        "/plan-choice/", {"plan": SECOND, "next": f"/plans/{FIRST}/targets/ent-leading/"}
    )
    assert moved["Location"] == f"/plans/{SECOND}/"
    moved = client.post("/plan-choice/", {"plan": SECOND, "next": f"/?plan={FIRST}&as_of=x"})
    assert moved["Location"] == "/?as_of=x"
    assert client.get("/").context["plan"] == second
    away = client.post("/plan-choice/", {"plan": SECOND, "next": "https://evil.example/"})
    assert away["Location"] == "/"


def test_the_dashboard_shows_the_chosen_plans_progress(two_plans, people):
    first, second = two_plans
    recompute_progress(dt.date(2022, 12, 31))
    client = client_for(people["auditor"])
    old = client.get(f"/plans/{FIRST}/")
    assert old.context["summary"].plan == first
    assert old.context["as_of"] == dt.date(2022, 12, 31)
    assert {row["target"].plan_id for row in old.context["headline"]} == {first.pk}
    new = client.get(f"/plans/{SECOND}/")
    assert {row["target"].plan_id for row in new.context["headline"]} == {second.pk}


def test_the_browser_export_is_of_the_chosen_plan(two_plans, people):
    first, second = two_plans
    client = client_for(people["auditor"])
    page = client.get("/reports/?plan=" + FIRST)
    assert first.title_zh in page.content.decode()
    client.post("/reports/", {"format": "csv", "as_of": "2022-12-31"})
    assert Export.objects.get().plan == first
    client.post("/plan-choice/", {"plan": SECOND, "next": "/reports/"})
    client.post("/reports/", {"format": "csv", "as_of": "2026-06-30"})
    assert Export.objects.order_by("-pk").first().plan == second


def test_the_compare_page_compares_editions_of_the_chosen_plan(two_plans, people):
    client = client_for(people["auditor"])
    query = {"as_of": "2024-06-30", "against_as_of": "2024-12-31"}
    new = client.get("/reports/compare/", query)
    assert new.status_code == 200
    assert new.context["result"].old.plan == SECOND  # the plan in force
    old = client.get("/reports/compare/", {**query, "plan": FIRST})
    assert (old.context["result"].old.plan, old.context["result"].new.plan) == (FIRST, FIRST)


def test_the_top_bar_s_targets_and_figures_are_those_of_the_plan_shown(two_plans, people):
    first, second = two_plans
    client = client_for(people["staff"])
    page = client.get(f"/plans/{FIRST}/").content.decode()
    assert f'href="/targets/?plan={FIRST}"' in page and f'href="/figures/?plan={FIRST}"' in page
    listed = client.get(f"/targets/?plan={FIRST}").context["page"].object_list
    assert {t.plan for t in listed} == {first}
    # The second plan chosen: the top bar lists its targets.
    page = client.get(f"/plans/{second.code}/").content.decode()
    assert f'href="/targets/?plan={second.code}"' in page
    listed = client.get(f"/targets/?plan={second.code}").context["page"].object_list
    assert listed and {t.plan for t in listed} == {second}
    # A plan draft is never the default, even in force.
    Plan.objects.filter(pk=second.pk).update(is_draft=True)
    assert plan_in_force() == first


def test_the_switcher_names_a_plans_years_once(two_plans, people):
    first, _second = two_plans
    html = client_for(people["staff"]).get("/plan/").content.decode()
    # The plan's title already says its years: they are not added a second time.
    assert f'<option value="{FIRST}">{first.title_zh}</option>' in html
    first.title_zh = "浙江省人工智能行动计划"
    first.save(update_fields=["title_zh"])
    html = client_for(people["staff"]).get("/plan/").content.decode()
    assert f'<option value="{FIRST}">浙江省人工智能行动计划 (2019–2022)</option>' in html
