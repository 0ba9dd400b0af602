"""The history a person reads, on the target page, the register pages and the auditor's page:
field labels, choice labels, names instead of keys, yes/no, dates in the reader's language,
numbers without trailing zeros, the person with their unit or the program in words, and one
sentence per kind of event; never the codes the audit trail stores.

Asserted in English (the language cookie, as a reader who chose English); the Chinese of the
sentences is in the catalogue (tests asserting Chinese are marked so in their names)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit import history
from audit.context import acting_as
from audit.services import record_event
from enterprises.models import Enterprise
from enterprises.services import (
    confirm_enterprise_change,
    create_enterprise,
    revoke_enterprise,
    update_enterprise,
)
from plans.models import Plan, ResponsibleUnit
from targets import services
from targets.models import Target
from tests.web import client_for, count_queries, credit_code

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ROOT = Path(__file__).resolve().parents[2]
# What the audit trail stores, which a reader must never see as such.
RAW = [
    "gte",
    "set_units",
    "command:",
    "load_action_plan</",
    "job:",
    "wenzhou",
    "[]",
    "[1",
    "True",
    "False",
    ".0000",
]


@pytest.fixture
def plan(db):
    """The plan as `load_action_plan` loads it: its events name the command as the actor."""
    from portfolio.services import load_plan
    from tests.conftest import _plan_spec

    with acting_as("command:load_action_plan"):
        return load_plan(_plan_spec()).plan


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def history_of(client: Client, url: str) -> str:
    """The history section of a page."""
    html = client.get(url).content.decode()
    start = html.index('<section aria-labelledby="history-heading">')
    return html[start : html.index("</section>", start)]


def in_english(client: Client) -> Client:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def english_client(user) -> Client:
    return in_english(client_for(user))


def assert_no_raw_codes(section: str, *extra: str) -> None:
    for code in [*RAW, *extra]:
        assert code not in section, f"{code!r} shown raw:\n{section}"


def unit_names(target: Target, language: str) -> list[str]:
    return [
        getattr(link.unit, f"name_{language}") or link.unit.name_zh
        for link in target.unit_links.select_related("unit")
    ]


def change(label: str, after: str, before: str | None = None) -> str:
    """A change as the template writes it."""
    was = f"<del>{before}</del> → " if before is not None else ""
    return f'<span class="muted">{label}:</span> {was}<ins>{after}</ins>'


def test_a_targets_history_reads_as_sentences_with_names(people):
    robots = Target.objects.get(code="robots-in-service")
    people["staff"].first_name, people["staff"].last_name = "Lin", "Wang"
    people["staff"].save()
    figure = services.create_measurement(
        target=robots,
        value="120000",
        observed_on=dt.date(2022, 6, 30),
        acting_user=people["staff"],
        evidence=SimpleUploadedFile("季报.pdf", PDF),
    )
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    services.approve_measurement(figure, acting_user=people["reviewer"], comment="同意")
    plan = Plan.objects.get(pk=robots.plan_id)
    econ = ResponsibleUnit.objects.get(code="econ-it")
    lead = robots.unit_links.select_related("unit").get(is_lead=True).unit
    url = f"/plans/zj-ai-2019-2022/targets/{robots.code}/"

    english = history_of(english_client(people["auditor"]), url)
    # Who: the loader in words, a person by name with their unit.
    assert "the plan loader (command load_action_plan)" in english
    assert f"Lin Wang ({econ.name_en})" in english
    assert f"reviewer1 ({econ.name_en})" in english  # no full name: the user name
    # What: one sentence per kind of event.
    assert "Loaded from the plan file" in english
    assert "Set the responsible units" in english
    for words in ("Created", "Submitted for review", "Approved"):
        assert f'<span class="sentence">{words}</span>' in english
    # The fields: labels, choice labels, names for keys, yes/no, numbers, dates, files.
    assert change("comparator", "at least") in english
    assert change("plan", plan.title_en) in english
    assert change("plan", str(plan.pk)) not in english
    assert ", ".join(unit_names(robots, "en")) in english
    assert f"{lead.name_en} (lead)" in english
    assert change("headline target", "yes") in english
    assert change("target value", "150,000") in english  # not 150000.0000
    assert change("value", "120,000") in english
    assert change("date described", "30 Jun 2022") in english  # the language's date format
    assert change("deadline", "31 Dec 2022") in english
    assert "季报" in english and "evidence/" not in english  # the file's name, not its path
    assert_no_raw_codes(english, "规划文件加载命令", "2022-06-30")


def test_the_chinese_history_reads_as_chinese(people):
    """Asserts Chinese: the sentences' Chinese comes from the catalogue (po/hist.json)."""
    robots = Target.objects.get(code="robots-in-service")
    figure = services.submit_measurement(
        services.create_measurement(
            target=robots,
            value="120000",
            observed_on=dt.date(2022, 6, 30),
            acting_user=people["staff"],
        ),
        acting_user=people["staff"],
    )
    services.approve_measurement(figure, acting_user=people["reviewer"])
    lead = robots.unit_links.select_related("unit").get(is_lead=True).unit
    chinese = history_of(
        client_for(people["auditor"]), f"/plans/zj-ai-2019-2022/targets/{robots.code}/"
    )
    assert "规划文件加载命令" in chinese and "由规划文件加载" in chinese
    assert "设定责任单位" in chinese
    assert "提交审核" in chinese and "审核通过" in chinese
    econ = ResponsibleUnit.objects.get(code="econ-it")
    assert f"staff1（{econ.name_zh}）" in chinese  # a person with their unit
    assert change("比较方式", "不少于") in chinese
    assert f"{lead.name_zh}（牵头）" in chinese
    assert "、".join(unit_names(robots, "zh")) in chinese
    assert change("期限", "2022年12月31日") in chinese
    assert_no_raw_codes(chinese, "Loaded", "the plan loader")


def test_setting_the_units_reads_as_the_units_names(people):
    """A person setting a target's units, and an older event that kept the units' keys
    (`[] → [1]`): both read as the units' names."""
    robots = Target.objects.get(code="robots-in-service")
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    services.set_target_units(
        robots, links=[(sci, True), (econ, False)], acting_user=people["admin"], reason="调整"
    )
    record_event(
        action="set_units",
        obj=robots,
        acting_user=people["admin"],
        before={"units": []},
        after={"units": [econ.pk]},
    )
    english = history_of(
        english_client(people["auditor"]), f"/plans/zj-ai-2019-2022/targets/{robots.code}/"
    )
    assert f"{sci.name_en} (lead), {econ.name_en}" in english
    assert change("responsible units", econ.name_en) in english
    assert f"admin1 ({econ.name_en})" in english
    assert_no_raw_codes(english)


def test_a_register_entrys_history_reads_with_labels_and_names(people):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    enterprise = create_enterprise(
        acting_user=people["staff"],
        name_zh="瓯江智能",
        city="wenzhou",
        credit_code=credit_code(4242),
    )
    enterprise = update_enterprise(
        enterprise, acting_user=people["staff"], tier="leading", recognised_on=dt.date(2021, 3, 1)
    )
    # Four eyes: each counted change is written once the unit's reviewer confirms it.
    enterprise = confirm_enterprise_change(enterprise, acting_user=people["reviewer"])
    revoke_enterprise(
        enterprise, revoked_on=dt.date(2022, 1, 5), acting_user=people["staff"], reason="复核"
    )
    confirm_enterprise_change(enterprise, acting_user=people["reviewer"])
    url = f"/enterprises/{enterprise.pk}/"

    english = history_of(english_client(people["staff"]), url)
    assert change("city", "Wenzhou") in english
    assert change("managing unit", econ.name_en or econ.name_zh) in english
    assert change("tier", "leading enterprise") in english
    assert change("recognised on", "1 Mar 2021") in english
    assert change("status", str(Enterprise.Status.REVOKED.label), "active") in english
    for words in ("Created", "Changed", "Proposed a change awaiting confirmation"):
        assert f'<span class="sentence">{words}</span>' in english
    assert "Confirmed the proposed change" in english
    assert_no_raw_codes(english, "温州", "有效", ">leading<", "2021-03-01")

    # The choice labels and field labels the models carry, in Chinese.
    chinese = history_of(client_for(people["staff"]), url)
    assert change("城市", "温州") in chinese
    assert change("管理单位", econ.name_zh) in chinese
    assert change("状态", "已撤销", "有效") in chinese
    assert_no_raw_codes(chinese, "active", "revoked", "leading")


def test_the_auditors_page_shows_the_same_history_and_the_state_by_label(people):
    enterprise = create_enterprise(
        acting_user=people["staff"], name_zh="瓯江智能", city="wenzhou", credit_code=credit_code(7)
    )
    client = english_client(people["auditor"])
    text = client.get(f"/reports/history/enterprise/{enterprise.pk}/").content.decode()
    assert 'aria-labelledby="history-heading"' in text
    assert change("city", "Wenzhou") in text  # the event
    assert '<th scope="row">city</th><td>Wenzhou</td>' in text  # the state on the date
    assert "wenzhou" not in text
    robots = Target.objects.get(code="robots-in-service")
    page = client.get(f"/reports/history/target/{robots.pk}/").content.decode()
    assert "the plan loader (command load_action_plan)" in page
    assert '<th scope="row">target value</th><td>150,000</td>' in page
    assert_no_raw_codes(page[page.index("<main") :])


def test_every_kind_of_event_the_apps_record_has_a_sentence():
    """Each action an app records (`record_event(action=…)`, read from the sources) reads as a
    sentence of the table, or, for `set_<field>`, as "Set the <field>"; never as its code."""
    recorded: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "record_event(" not in source or (path.name == "services.py" and "audit" in path.parts):
            continue
        for line in re.findall(r"\baction\s*=\s*(.+)", source):
            recorded.update(re.findall(r'"([a-z_]+)"', line))
    assert {"create", "set_units", "submit", "approve", "return", "revoke", "seed_demo"} <= (
        recorded
    )
    # A recompute reads as its counts (its sentence is built, not looked up).
    known = {"recompute", *history.ACTIONS, *(action for _kind, action in history.OBJECT_ACTIONS)}
    missing = {a for a in recorded if a not in known and not a.startswith("set_")}
    assert not missing, f"actions without a sentence: {sorted(missing)}"


def test_unknown_kinds_and_programs_read_as_words(people):
    robots = Target.objects.get(code="robots-in-service")
    with acting_as("job:something_new"):
        odd = record_event(action="frobnicate", obj=robots, after={"weight": "2.5000"})
    with acting_as("command:load_action_plan"):
        via = record_event(action="set_predecessor", obj=robots, acting_user=people["admin"])
    with acting_as("job:recompute_all"):
        summary = record_event(
            action="recompute",
            obj=robots.plan,
            after={"as_of": "2022-06-30", "targets": 1500},
            diff=False,
        )
    from django.utils import translation

    with translation.override("en"):
        first, second, third = history.history_entries([odd, via, summary])
    assert (first.actor, first.sentence) == ("a background job", "Recorded a change")
    assert [(c.label, c.after) for c in first.changes] == [("weight in roll-ups", "2.5")]
    econ = ResponsibleUnit.objects.get(code="econ-it")
    assert second.actor == (
        f"admin1 ({econ.name_en}), through the plan loader (command load_action_plan)"
    )
    assert second.sentence == "Set the predecessor"
    assert third.actor == "the nightly recompute"
    assert third.sentence == "Recomputed the progress of 1,500 targets as of 30 Jun 2022"


def test_names_are_read_once_per_model_however_many_events(people):
    """A register page's history resolves its keys with one query per model: as many queries
    with two events as with twenty, each naming another unit."""
    units = list(ResponsibleUnit.objects.order_by("pk")[:5])
    enterprise = create_enterprise(
        acting_user=people["admin"], name_zh="测试", city="hangzhou", credit_code=credit_code(9)
    )
    client = client_for(people["auditor"])
    url = f"/enterprises/{enterprise.pk}/"
    update_enterprise(enterprise, acting_user=people["admin"], owner_unit=units[0])
    # A proposed change and its withdrawal: the history shows those events too.
    enterprise = update_enterprise(enterprise, acting_user=people["admin"], city="ningbo")
    update_enterprise(enterprise, acting_user=people["admin"], city="hangzhou")
    before, _ = count_queries(client, url)
    for unit in units[1:]:
        enterprise = Enterprise.objects.get(pk=enterprise.pk)
        update_enterprise(enterprise, acting_user=people["admin"], owner_unit=unit)
        enterprise = Enterprise.objects.get(pk=enterprise.pk)
        update_enterprise(enterprise, acting_user=people["admin"], city="ningbo")
        enterprise = Enterprise.objects.get(pk=enterprise.pk)
        update_enterprise(enterprise, acting_user=people["admin"], city="hangzhou")
    after, _ = count_queries(client, url)
    assert before == after
    section = history_of(client, url)
    for unit in units:
        assert unit.name_zh in section


def test_a_history_page_with_many_events_by_many_people_has_a_fixed_number_of_queries(people):
    """The target page (ten events a page) and the auditor's page (every event) read every
    person, unit and key of the events they show in one query per model: as many queries with
    five figures' events as with twenty-five, made by two people."""
    robots = Target.objects.get(code="robots-in-service")
    makers = [people[r] for r in ("staff", "admin")]

    def figures(count: int, start: int) -> None:
        for i in range(count):
            who = makers[i % 2]
            figure = services.create_measurement(
                target=robots,
                value=str(1000 + start + i),
                observed_on=dt.date(2021, 1, 1) + dt.timedelta(days=start + i),
                acting_user=who,
            )
            services.submit_measurement(figure, acting_user=who)

    figures(5, 0)
    client = client_for(people["auditor"])
    target_page = f"/plans/zj-ai-2019-2022/targets/{robots.code}/"
    auditors_page = f"/reports/history/target/{robots.pk}/"
    client.get(target_page)  # the session's first page reads what later pages find cached
    few = (count_queries(client, target_page)[0], count_queries(client, auditors_page)[0])
    figures(20, 5)
    many = (count_queries(client, target_page)[0], count_queries(client, auditors_page)[0])
    assert many == few, f"queries with 5 figures {few}, with 25 {many}"
    assert many[1] <= 30, many


def test_the_api_keeps_the_codes(people):
    """API clients read the trail's machine values: the action and the codes as recorded."""
    robots = Target.objects.get(code="robots-in-service")
    client = client_for(people["auditor"])
    body = client.get(
        "/api/v1/audit-events/",
        {"object_type": "targets.target", "object_id": robots.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    ).json()
    rows = body.get("results", body)
    assert {row["action"] for row in rows} >= {"create", "set_units"}
    created = next(row for row in rows if row["action"] == "create")
    assert created["actor_label"] == "command:load_action_plan"
    assert created["after"]["comparator"] == "gte"


def test_the_admins_list_of_events_says_who_and_what_in_words(people):
    """The Django admin's list of the trail: who and what in words, like the history pages;
    the action filter keeps the codes."""
    people["admin"].is_staff = people["admin"].is_superuser = True  # as the admin site wants
    people["admin"].save(update_fields=["is_staff", "is_superuser"])
    client = english_client(people["admin"])
    page = client.get("/admin/audit/auditevent/", {"action": "set_units"})
    assert page.status_code == 200
    html = page.content.decode()
    rows = html[html.index('id="result_list"') :]
    assert "the plan loader (command load_action_plan)" in rows
    assert "Set the responsible units" in rows
    assert "command:load_action_plan" not in rows


def test_a_task_reports_history_reads_as_its_review(people):
    """A task report on the auditor's page: submitted, returned for revision with its round,
    an evidence file added by its name; the unit's people by name and unit."""
    from taskreports import services as reports
    from tests.taskreports.writing import pdf, report, tasks

    t = tasks(Plan.objects.get())
    returned = report(t, people["staff"], "returned", reviewer=people["reviewer"])
    reports.add_evidence(returned, file=pdf("走访记录.pdf"), acting_user=people["staff"])
    page = english_client(people["auditor"]).get(f"/reports/history/taskreport/{returned.pk}/")
    assert page.status_code == 200
    section = history_of_html(page.content.decode())
    for words in ("Created", "Submitted for review", "Returned for revision"):
        assert f'<span class="sentence">{words}</span>' in section
    assert "Added an evidence file" in section
    # A Chinese name on an English page is marked as Chinese (a screen reader reads it so).
    assert (
        '<span class="muted">evidence file added:</span> <ins lang="zh-Hans">走访记录.pdf</ins>'
        in section
    )
    assert change("review round", "1") in section
    assert change("status", "in progress") in section
    assert f"reviewer1 ({t.econ.name_en})" in section
    assert_no_raw_codes(section, ">return<", "add_evidence", "in_progress", "evidence_added")


def history_of_html(html: str) -> str:
    start = html.index('<section aria-labelledby="history-heading">')
    return html[start : html.index("</section>", start)]
