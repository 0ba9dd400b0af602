"""The history a person reads, on the target page, the register pages and the auditor's page:
field labels, choice labels, names instead of keys, yes/no, file names and one sentence per
kind of event, in Chinese and in English; never the codes the audit trail stores."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from audit.context import acting_as
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
# What the audit trail stores, which a reader must never see as such.
RAW = ["gte", "set_units", "command:", "job:", "wenzhou", "[]", "[1", "True", "False"]


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


def assert_no_raw_codes(section: str, *extra: str) -> None:
    for code in [*RAW, *extra]:
        assert code not in section, f"{code!r} shown raw:\n{section}"


def unit_names(target: Target, language: str) -> list[str]:
    return [
        getattr(link.unit, f"name_{language}") or link.unit.name_zh
        for link in target.unit_links.select_related("unit")
    ]


def test_a_targets_history_reads_as_sentences_with_names(people):
    robots = Target.objects.get(code="robots-in-service")
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
    url = f"/plans/zj-ai-2019-2022/targets/{robots.code}/"

    chinese = history_of(client_for(people["auditor"]), url)
    assert "加载规划文件" in chinese  # who: the command, in words
    assert "设定责任单位" in chinese  # what: set_units, in words
    assert "新建" in chinese and "提交" in chinese and "审核通过" in chinese
    assert "比较方式:</span> <ins>不少于</ins>" in chinese  # a choice's label
    assert f"规划:</span> <ins>{plan.title_zh}</ins>" in chinese  # the plan's title, not its key
    assert f"规划:</span> <ins>{plan.pk}</ins>" not in chinese  # never the key itself
    assert ", ".join(unit_names(robots, "zh")) in chinese  # the units' names, in order
    lead = robots.unit_links.select_related("unit").get(is_lead=True).unit
    assert f"{lead.name_zh} (牵头)" in chinese  # which unit leads, in words
    assert "主要指标:</span> <ins>是</ins>" in chinese  # yes/no
    assert "季报" in chinese and "evidence/" not in chinese  # the file's name, not its path
    assert "120,000" in chinese  # a number as a person reads it
    assert_no_raw_codes(chinese, "approved", "submitted")

    english = history_of(in_english(client_for(people["auditor"])), url)
    assert "loaded the plan file" in english
    assert "set the responsible units" in english
    assert "comparator:</span> <ins>at least</ins>" in english
    assert f"plan:</span> <ins>{plan.title_en}</ins>" in english
    assert ", ".join(unit_names(robots, "en")) in english
    assert f"{lead.name_en} (lead)" in english
    assert "headline target:</span> <ins>yes</ins>" in english
    assert_no_raw_codes(english, "已提交", "加载规划文件")


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

    chinese = history_of(client_for(people["staff"]), url)
    assert "城市:</span> <ins>温州</ins>" in chinese
    assert f"管理单位:</span> <ins>{econ.name_zh}</ins>" in chinese
    assert "状态:</span> <del>有效</del> → <ins>已撤销</ins>" in chinese
    assert "新建" in chinese and "修改" in chinese and "复核" in chinese
    assert_no_raw_codes(chinese, "active", "revoked", "leading")

    english = history_of(in_english(client_for(people["staff"])), url)
    assert "city:</span> <ins>Wenzhou</ins>" in english
    assert f"managing unit:</span> <ins>{econ.name_en or econ.name_zh}</ins>" in english
    assert "created" in english and "changed" in english
    assert_no_raw_codes(english, "温州", "有效")


def test_the_auditors_page_shows_the_same_history_and_the_state_by_label(people):
    enterprise = create_enterprise(
        acting_user=people["staff"], name_zh="瓯江智能", city="wenzhou", credit_code=credit_code(7)
    )
    html = client_for(people["auditor"]).get(f"/reports/history/enterprise/{enterprise.pk}/")
    text = html.content.decode()
    assert 'aria-labelledby="history-heading"' in text
    assert "城市:</span> <ins>温州</ins>" in text  # the event
    assert '<th scope="row">城市</th><td>温州</td>' in text  # the state on the date
    assert "wenzhou" not in text
    robots = Target.objects.get(code="robots-in-service")
    plan_page = client_for(people["auditor"]).get(f"/reports/history/target/{robots.pk}/")
    assert "加载规划文件" in plan_page.content.decode()
    assert "command:load_action_plan" not in plan_page.content.decode()


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
