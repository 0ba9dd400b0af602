"""Finding things (issue 16): every plan item has a page, every unit's name links to the unit's
page, and the unit's page gathers its items, targets, figures, task reports and reporting
completeness, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit, PlanItem
from targets.models import TargetUnit
from targets.services import recompute_progress
from tests.taskreports.read_fixtures import Q1, Q2, milestone, report
from tests.web import client_for, count_queries, figures

pytestmark = pytest.mark.django_db

PLAN = "zj-ai-2019-2022"
UNIT_URL = f"/units/sci-tech/?plan={PLAN}"


def english(user):
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def test_every_item_has_a_page_with_its_text_children_targets_and_units(plan, people):
    client = english(people["auditor"])
    objective = PlanItem.objects.get(plan__code=PLAN, key="I.1")
    response = client.get(f"/plans/{PLAN}/items/I.1/")
    assert response.status_code == 200
    html = response.content.decode()
    assert objective.title in html
    # Its targets, linked to their pages.
    for target in objective.targets.all():
        assert f'href="/plans/{PLAN}/targets/{target.code}/"' in html
    # A part lists the items below it, each linked to its page.
    part = client.get(f"/plans/{PLAN}/items/II/").content.decode()
    for child in PlanItem.objects.filter(parent__key="II", plan__code=PLAN):
        assert f'href="/plans/{PLAN}/items/{child.key}/"' in part
    # A task-like item's page is the task page, with the reports' sections.
    task = client.get(f"/plans/{PLAN}/items/II.1.1/").content.decode()
    assert 'id="periods-heading"' in task
    assert 'id="periods-heading"' not in part
    assert client.get(f"/plans/{PLAN}/items/NOPE/").status_code == 404


def test_the_tree_links_every_item_and_every_unit_to_its_page(plan, people):
    html = client_for(people["staff"]).get(f"/plans/{PLAN}/tree/").content.decode()
    for item in PlanItem.objects.filter(plan__code=PLAN):
        assert f'href="/plans/{PLAN}/items/{item.key}/"' in html, item.key
    for code in ItemUnit.objects.filter(item__plan__code=PLAN).values_list("unit__code", flat=True):
        assert f'href="/units/{code}/"' in html, code


def test_unit_names_link_to_the_unit_page_on_the_target_task_and_supervision_pages(plan, people):
    report("II.1.1", "sci-tech", Q1)
    client = english(people["admin"])
    link = TargetUnit.objects.filter(target__plan__code=PLAN).select_related("target", "unit")[0]
    target_page = client.get(f"/plans/{PLAN}/targets/{link.target.code}/").content.decode()
    assert f'href="/units/{link.unit.code}/"' in target_page
    task_page = client.get(f"/plans/{PLAN}/tasks/II.1.1/").content.decode()
    assert 'href="/units/sci-tech/"' in task_page
    supervision = client.get(f"/plans/{PLAN}/supervision/").content.decode()
    assert 'href="/units/sci-tech/"' in supervision
    reports = client.get("/tasks/reports/").content.decode()
    assert 'href="/units/sci-tech/"' in reports


# The plan has ended: the rates are those of its last four quarters, as on the supervision page.
LAST_Q1, LAST_Q2 = dt.date(2022, 1, 1), dt.date(2022, 4, 1)


def test_the_unit_page_shows_items_targets_figures_reports_and_rates(plan, people):
    report("II.1.1", "sci-tech", LAST_Q1, submitted_on=dt.date(2022, 4, 10))
    report("II.1.1", "sci-tech", LAST_Q2, state="submitted", submitted_on=dt.date(2022, 8, 1))
    recompute_progress(dt.date(2021, 6, 30))
    response = english(people["admin"]).get(UNIT_URL)
    assert response.status_code == 200
    page = response.context["page"]
    html = response.content.decode()
    items = ItemUnit.objects.filter(unit__code="sci-tech", item__plan__code=PLAN)
    assert [link.item.key for link in page.items] == [
        link.item.key for link in items.order_by("item__order")
    ]
    assert page.leads == items.filter(is_lead=True).count()
    for link in items:
        assert f'href="/plans/{PLAN}/items/{link.item.key}/"' in html
    targets = TargetUnit.objects.filter(unit__code="sci-tech", target__plan__code=PLAN)
    assert {link.target_id for link, _ in page.targets} == {t.target_id for t in targets}
    assert all(progress is not None for _, progress in page.targets)
    assert page.reports == {"approved": 1, "submitted": 1}
    # 报送率 / 及时率 of the supervision page, for this unit: Q1 on time, Q2 late.
    rates = {rate.period.start: rate for rate in page.rates}
    assert rates[LAST_Q1].submitted == rates[LAST_Q1].on_time >= 1
    assert rates[LAST_Q2].submitted > rates[LAST_Q2].on_time
    assert "Reporting completeness and timeliness" in html


def test_another_units_staff_sees_no_drafts_and_only_the_rates_it_follows(plan, people):
    """The supervision page's rule: a unit follows the units of the items it leads."""
    report("II.1.1", "sci-tech", Q2, state="draft")
    page = client_for(people["staff_talent"]).get(UNIT_URL).context["page"]
    assert page.reports == {}
    followed = ItemUnit.objects.filter(
        unit__code="sci-tech",
        item__kind__in=REPORTED_ITEM_KINDS,
        item__unit_links__unit__code="talent-office",
        item__unit_links__is_lead=True,
    ).count()
    assert {rate.expected for rate in page.rates or []} <= {followed}
    assert (page.rates is None) == (followed == 0)
    assert client_for(people["norole"]).get(UNIT_URL).status_code == 403
    assert client_for(people["staff"]).get("/units/no-such-unit/").status_code == 404


def test_the_unit_page_costs_the_same_queries_whatever_the_unit_has(plan, people):
    client = client_for(people["admin"])
    before, _ = count_queries(client, UNIT_URL)
    report("II.1.1", "sci-tech", Q1)
    report("II.1.1", "sci-tech", Q2, state="submitted")
    milestone("II.1.1", "sci-tech", dt.date(2019, 6, 30), "m")
    target = TargetUnit.objects.filter(unit__code="sci-tech").first().target
    figures(target, people["staff_sci"], 5)
    recompute_progress(dt.date(2021, 6, 30))
    after, response = count_queries(client, UNIT_URL)
    assert before == after
    assert re.search(r"Figures reported|报送", response.content.decode())


def test_a_register_entry_links_its_managing_unit(plan, people):
    from enterprises.models import Enterprise

    entry = Enterprise.objects.first()
    Enterprise.objects.filter(pk=entry.pk).update(owner_unit=people["staff"].unit)
    html = client_for(people["auditor"]).get(f"/enterprises/{entry.pk}/").content.decode()
    assert 'href="/units/econ-it/"' in html
