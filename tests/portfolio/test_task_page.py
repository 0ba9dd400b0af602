"""A task's page, and the task statuses on the plan tree and the dashboard: what each role
sees of the reports, never another unit's draft."""

import datetime as dt
import re

import pytest

from tests.taskreports.read_fixtures import (
    AFTER_Q2,
    Q1,
    Q2,
    consolidated,
    item,
    milestone,
    report,
)
from tests.web import client_for, count_queries

URL = "/plans/zj-ai-2019-2022/tasks/II.1.1/"


@pytest.fixture
def reports(plan, people):
    """II.1.1: sci-tech leads, econ-it takes part."""
    return {
        "sci_q1": report("II.1.1", "sci-tech", Q1, status="in_progress", percent=20),
        "econ_q1": report(
            "II.1.1", "econ-it", Q1, status="behind", submitted_on=dt.date(2019, 5, 1)
        ),
        "sci_q2": report(
            "II.1.1",
            "sci-tech",
            Q2,
            state="submitted",
            status="completed",
            work_done="科技厅已报送",
        ),
        "econ_q2": report("II.1.1", "econ-it", Q2, state="draft", work_done="经信厅草稿内容"),
        "milestone": milestone("II.1.1", "sci-tech", dt.date(2019, 6, 30), "发布开放平台"),
        "done": milestone(
            "II.1.1", "econ-it", dt.date(2019, 3, 31), "出台政策", done_on=dt.date(2019, 3, 1)
        ),
        "consolidated": consolidated(
            "II.1.1", Q1, "in_progress", people["reviewer_sci"], "牵头单位汇总"
        ),
    }


def english(user):
    """A client that reads the pages in English (the Chinese catalogue of the new strings is
    merged centrally)."""
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_the_task_page_shows_units_statuses_per_period_and_milestones(reports, people):
    response = english(people["auditor"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    page = response.context["page"]
    assert page.item.key == "II.1.1"
    # Lead unit first, marked.
    assert [link.unit.code for link in page.links][:2] == ["sci-tech", "econ-it"]
    assert re.search(r"★</span> <a [^>]*>Provincial Department of Science and Technology</a>", html)
    # Status now: the consolidated report of Q1 (Q2 has nothing approved yet).
    assert page.status.status == "in_progress" and page.status.consolidated
    assert "牵头单位汇总" in html and "in progress" in html
    # Every unit's report per period, linked to its page; the late one flagged.
    assert f'href="/tasks/reports/{reports["sci_q2"].pk}/"' in html
    q1 = next(tp for tp in page.periods if tp.period.start == Q1)
    assert [row.late for row in q1.rows] == [False, True]
    assert '<span class="overdue">late</span>' in html
    # The overdue milestone is flagged; the one done is not.
    assert [(m.description, overdue) for m, overdue in page.milestones] == [
        ("出台政策", False),
        ("发布开放平台", True),
    ]
    assert "⚠ overdue" in html


def test_nobody_sees_another_units_draft_on_the_task_page(reports, people):
    own = client_for(people["staff"]).get(URL).content.decode()
    assert "经信厅草稿内容" in own
    for who in ("staff_sci", "reviewer_sci", "staff_talent"):
        html = client_for(people[who]).get(URL).content.decode()
        assert "经信厅草稿内容" not in html, who
        assert f"/tasks/reports/{reports['econ_q2'].pk}/" not in html, who
    # The lead unit sees the submitted report; another unit only the approved ones.
    assert "科技厅已报送" in client_for(people["reviewer_sci"]).get(URL).content.decode()
    talent = client_for(people["staff_talent"]).get(URL).content.decode()
    assert "科技厅已报送" not in talent
    assert f"/tasks/reports/{reports['sci_q1'].pk}/" in talent


def test_the_write_link_for_the_items_units_in_a_reporting_period(reports, people, monkeypatch):
    monkeypatch.setattr("taskreports.selectors.today", lambda: AFTER_Q2)
    pk = item("II.1.1").pk
    link = f"/tasks/reports/new/?item={pk}&amp;period=2019-07-01"
    assert link in client_for(people["staff"]).get(URL).content.decode()
    assert link in client_for(people["staff_sci"]).get(URL).content.decode()
    assert link not in client_for(people["staff_talent"]).get(URL).content.decode()
    assert link not in client_for(people["auditor"]).get(URL).content.decode()


def test_only_reported_items_have_a_task_page(plan, people):
    client = client_for(people["staff"])
    assert client.get("/plans/zj-ai-2019-2022/tasks/II.1/").status_code == 404  # a group
    assert client.get("/plans/zj-ai-2019-2022/tasks/NOPE/").status_code == 404
    assert client.get("/plans/no-such-plan/tasks/II.1.1/").status_code == 404
    assert client_for(people["norole"]).get(URL).status_code == 403


def test_the_task_page_costs_the_same_queries_whatever_the_number_of_reports(plan, people):
    client = client_for(people["reviewer"])
    before, _ = count_queries(client, URL)
    report("II.1.1", "sci-tech", Q1)
    report("II.1.1", "econ-it", Q2, state="submitted")
    report("II.1.1", "drc", Q2)
    milestone("II.1.1", "sci-tech", dt.date(2019, 6, 30), "m")
    consolidated("II.1.1", Q2, "behind", people["reviewer_sci"])
    after, _ = count_queries(client, URL)
    assert before == after


def test_the_tree_shows_each_tasks_status_linked_to_its_page(reports, people):
    report("II.2.1", "econ-it", Q2, status="behind")
    milestone("II.2.1", "econ-it", dt.date(2019, 6, 30), "逾期的里程碑")
    response = english(people["staff_talent"]).get("/plan/")
    html = response.content.decode()
    assert 'href="/plans/zj-ai-2019-2022/tasks/II.2.1/"' in html
    assert 'href="/plans/zj-ai-2019-2022/tasks/II.1.1/"' in html
    assert "behind" in html and "not reported" in html
    assert "⚠ 1 overdue milestone" in html
    # A group counts its tasks by status.
    roots = response.context["roots"]
    part = next(node for node in roots if node.item.key == "II")
    counts = {key: count for key, _, count in part.task_counts}
    assert counts["behind"] == 1 and counts["in_progress"] == 1


def test_the_dashboard_counts_tasks_by_status_and_overdue_milestones(reports, people):
    report("II.2.1", "econ-it", Q2, status="behind")
    response = english(people["staff"]).get("/")
    assert response.status_code == 200
    tasks = response.context["tasks"]
    counts = {key: count for key, _, count in tasks.plan_count_list()}
    assert counts == {
        "not_started": 0,
        "in_progress": 1,
        "completed": 0,
        "behind": 1,
        "suspended": 0,
        "not_reported": 67,
    }
    assert tasks.overdue_total == 1
    html = response.content.decode()
    assert "Tasks by status" in html and "1 overdue milestone" in html
    assert 'href="/plans/zj-ai-2019-2022/supervision/"' in html
