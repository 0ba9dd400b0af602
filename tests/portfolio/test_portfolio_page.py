"""The portfolio page: every plan with its period, issuer, state and headline progress."""

import datetime as dt

from targets.services import recompute_progress
from tests.second_plan import SECOND, copy_plan
from tests.web import assert_same_queries, client_for

FIRST = "zj-ai-2019-2022"


def test_every_plan_with_its_state_and_progress(plan, people):
    second = copy_plan(plan)
    recompute_progress(dt.date(2021, 12, 31))
    recompute_progress(dt.date(2023, 1, 31))
    client = client_for(people["auditor"])
    response = client.get("/plans/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = {row["plan"].code: row for row in response.context["rows"]}
    assert list(rows) == [SECOND, FIRST]  # newest first
    old, new = rows[FIRST], rows[SECOND]
    assert old["state_label"] == "已结束" and new["state_label"] == "实施中"
    # The first plan's roll-up as of its newest computed date: every target final by then.
    assert old["summary"].as_of == dt.date(2023, 1, 31)
    assert old["achieved"] + old["missed"] == old["summary"].targets
    assert old["running"] == 0
    assert new["summary"].plan == second
    assert plan.title_zh in html and second.title_zh in html
    assert plan.issuer_zh in html
    assert f'href="/plans/{FIRST}/"' in html
    assert f'href="/plans/{SECOND}/tree/"' in html
    assert 'href="/plans/" aria-current="page"' in html


def test_the_portfolio_page_in_english(plan, people):
    copy_plan(plan)
    client = client_for(people["staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/plans/"})
    html = client.get("/plans/").content.decode()
    assert "in force" in html and "ended" in html
    assert plan.title_en in html
    assert "Progress has not been computed yet." in html


def test_the_portfolio_page_costs_the_same_for_one_plan_or_five(plan, people):
    client = client_for(people["auditor"])
    recompute_progress(dt.date(2022, 12, 31))
    # A remembered choice, so that finding the default plan costs the same either way.
    client.get(f"/?plan={FIRST}")

    def grow():
        for year in range(2023, 2027):
            copy_plan(plan, f"plan-{year}", dt.date(year, 1, 1), dt.date(year + 3, 12, 31))
        recompute_progress(dt.date(2024, 12, 31))

    assert_same_queries(client, "/plans/", grow)
