"""The global search (/search/?q=…): what it finds, grouped by kind, and that each group shows
only what the reader may read — never another unit's new entry awaiting confirmation, draft
figure or draft task report; the same number of queries whatever it finds."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enterprises.services import create_enterprise
from plans.models import PlanItem, ResponsibleUnit
from projects.models import Project
from targets.models import Target
from taskreports.models import TaskReport
from tests.web import client_for, credit_code, figures

URL = "/search/"
ROBOTS = "/plans/zj-ai-2019-2022/targets/robots-in-service/"


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def search(user, text: str):
    response = english(user).get(URL, {"q": text})
    assert response.status_code == 200
    return response


def results(response, kind: str) -> str:
    """The HTML of one group of results ("" when the group found nothing)."""
    html = response.content.decode()
    start = html.find(f'id="results-{kind}"')
    if start < 0:
        return ""
    return html[start : html.find("</section>", start)]


def draft_report(unit_code: str, author, text: str) -> TaskReport:
    """A unit's draft report on a task it is responsible for."""
    unit = ResponsibleUnit.objects.get(code=unit_code)
    item = PlanItem.objects.filter(units=unit, kind="task").order_by("order").first()
    return TaskReport.objects.create(
        item=item,
        unit=unit,
        period_start=dt.date(2021, 4, 1),
        period_end=dt.date(2021, 6, 30),
        status="in_progress",
        state="draft",
        work_done=text,
        created_by=author,
        created_at=dt.datetime(2021, 6, 25, 10, tzinfo=dt.UTC),
    )


def test_a_target_is_found_by_a_chinese_word_of_its_title(people):
    # 在役工业机器人: the target's Chinese title in the plan file (data, not a translation).
    found = results(search(people["staff"], "工业机器人"), "targets")
    assert f'href="{ROBOTS}"' in found
    assert "robots-in-service" in found


def test_plan_items_are_found_by_their_text_and_units_by_name(people):
    response = search(people["staff"], "城市大脑")
    assert "城市大脑" in results(response, "items")
    units = results(search(people["staff"], "sci-tech"), "units")
    assert f'href="{reverse("targets:list")}?unit=sci-tech"' in units


def test_an_enterprise_is_found_by_part_of_its_credit_code(people):
    code = credit_code(4242)
    enterprise = create_enterprise(
        acting_user=people["staff"], name_zh="之江数智", city="hangzhou", credit_code=code
    )
    assert enterprise.confirmed  # no tier: nothing to confirm
    for part in (code[6:14], code[6:14].lower(), code):
        found = results(search(people["staff_sci"], part), "enterprises")
        assert f'href="/enterprises/{enterprise.pk}/"' in found, part
        assert "之江数智" in found


def test_a_project_is_found_by_its_number_and_by_its_name(people):
    # A number of one character is too short to search: a project with a longer one.
    project = Project.objects.create(
        pk=4711, name_zh="未来工厂示范项目", kind="smart_factory", level="provincial", city="ningbo"
    )
    by_number = results(search(people["reviewer"], str(project.pk)), "projects")
    assert f'href="/projects/{project.pk}/"' in by_number
    by_name = results(search(people["reviewer"], "工厂示范"), "projects")
    assert f'href="/projects/{project.pk}/"' in by_name


def test_another_units_new_entry_awaiting_confirmation_is_never_found(people):
    pending = create_enterprise(
        acting_user=people["staff"],
        name_zh="待确认智能企业",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 3, 1),
    )
    assert not pending.confirmed
    href = f'href="/enterprises/{pending.pk}/"'
    # Its own unit, administrators and auditors find it; another unit's people do not.
    for who in ("staff", "reviewer", "admin", "auditor"):
        assert href in results(search(people[who], "待确认智能"), "enterprises"), who
    for who in ("staff_sci", "reviewer_sci", "staff_talent"):
        response = search(people[who], "待确认智能")
        assert href not in response.content.decode(), who
        assert results(response, "enterprises") == ""


def test_another_units_draft_task_report_is_never_found(people):
    report = draft_report("econ-it", people["staff"], "【检索】本单位草稿进展")
    href = f'href="/tasks/reports/{report.pk}/"'
    assert href in results(search(people["staff"], "本单位草稿"), "task_reports")
    assert href in results(search(people["auditor"], "本单位草稿"), "task_reports")
    for who in ("staff_sci", "reviewer_sci", "staff_talent"):
        assert href not in search(people[who], "本单位草稿").content.decode(), who
    # Once approved it is everyone's to read, and to find.
    TaskReport.objects.filter(pk=report.pk).update(state="approved")
    assert href in results(search(people["staff_sci"], "本单位草稿"), "task_reports")


def test_another_units_draft_figure_never_shows(people):
    robots = Target.objects.get(code="robots-in-service")
    (draft,) = figures(robots, people["staff"], 1, state="draft")
    draft.note = "草稿数据说明甲乙"
    draft.save()
    response = search(people["staff_sci"], "草稿数据说明甲乙")
    html = response.content.decode()
    assert f"/figures/{draft.pk}/" not in html
    assert "草稿数据说明甲乙</a>" not in html
    assert 'id="search-summary"' in html and ">0 results" in html.replace("\n", "")


def test_one_character_or_nothing_asks_for_more_and_queries_nothing(people):
    client = english(people["staff"])
    with CaptureQueriesContext(connection) as empty:
        blank = client.get(URL)
    with CaptureQueriesContext(connection) as one:
        short = client.get(URL, {"q": " 智 "})
    assert short.status_code == blank.status_code == 200
    assert 'id="search-too-short"' in short.content.decode()
    assert "Type at least 2 characters" in short.content.decode()
    assert 'id="search-too-short"' not in blank.content.decode()
    assert len(one.captured_queries) == len(empty.captured_queries)


def test_the_same_number_of_queries_whatever_it_finds(people):
    client = english(people["staff"])
    for i in range(25):
        Project.objects.create(
            name_zh=f"智能项目{i}", kind="smart_factory", level="city", city="hangzhou"
        )
    with CaptureQueriesContext(connection) as nothing:
        client.get(URL, {"q": "没有这样的词语"})
    with CaptureQueriesContext(connection) as plenty:
        response = client.get(URL, {"q": "智能"})
    assert len(nothing.captured_queries) == len(plenty.captured_queries), [
        q["sql"] for q in plenty.captured_queries
    ]
    projects = results(response, "projects")
    # Capped at 20 rows, the total counted, the rest one link away on the filtered list.
    assert projects.count("<li>") == 20
    assert 'class="count-badge">25<' in projects.replace(" ", "")
    assert f'href="{reverse("projects:list")}?q=%E6%99%BA%E8%83%BD"' in projects


def test_the_top_bar_has_the_search_box_and_anonymous_visitors_sign_in_first(people, client):
    page = english(people["staff"]).get("/").content.decode()
    assert f'action="{URL}"' in page and 'name="q"' in page
    response = client.get(URL, {"q": "机器人"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client_for(people["norole"]).get(URL, {"q": "机器人"}).status_code == 403


def test_odd_input_is_searched_as_text_never_a_500(people):
    # A NUL character (PostgreSQL refuses it), LIKE's wildcards, digits that are not ASCII,
    # a number too large for an id, a very long text.
    for text in ("机器\x00人", "%_", "²³", "１２", "9" * 30, "机器人" * 100):
        response = search(people["staff"], text)
        assert 'id="search-summary"' in response.content.decode(), text
    assert ">0 results" in search(people["staff"], "%_").content.decode().replace("\n", "")
