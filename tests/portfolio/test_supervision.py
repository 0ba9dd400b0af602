"""The supervision page (督办): who may open it and what each role sees, the filters, the
"issue a notice" links, and a fixed number of queries."""

import datetime as dt

import pytest
from django.test import Client

from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit
from tests.second_plan import SECOND, copy_plan
from tests.taskreports.read_fixtures import Q1, Q2, item, milestone, notice, report, unit
from tests.web import client_for, count_queries

URL = "/plans/zj-ai-2019-2022/supervision/"
# The plan ended in 2022: every period has closed. The second quarter of 2019, due 2019-07-15:
Q2_URL = URL + "?period=2019-04-01"


def english(user) -> Client:
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def board(plan, people):
    report("II.1.1", "sci-tech", Q2, submitted_on=dt.date(2019, 7, 10))
    report("II.1.1", "econ-it", Q2, state="submitted", submitted_on=dt.date(2019, 8, 1))
    report("II.2.1", "econ-it", Q2, status="behind", work_done="进展滞后说明")
    report("II.2.2", "econ-it", Q2, state="draft", work_done="经信厅草稿")
    milestone("II.2.1", "econ-it", dt.date(2019, 6, 30), "上线试运行")
    notice(
        "econ-it",
        people["reviewer_sci"],
        subject="请尽快报送二季度进展",
        reply_by=dt.date(2019, 8, 1),
        key="II.1.2",
        issuing="sci-tech",
    )


def test_who_may_open_the_supervision_page(plan, people, make_user):
    for who in ("admin", "auditor", "reviewer", "staff", "staff_sci", "staff_talent"):
        assert client_for(people[who]).get(URL).status_code == 200, who
    assert client_for(people["norole"]).get(URL).status_code == 403
    # A role but no unit, and neither administrator nor auditor: nothing to follow.
    nobody = make_user("unitless", "staff", None)
    assert client_for(nobody).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_the_page_of_the_chosen_plan_and_the_nav_link(plan, people):
    client = client_for(people["staff"])
    response = client.get("/supervision/")
    assert response.status_code == 200
    assert response.context["plan"].code == "zj-ai-2019-2022"
    assert 'href="/supervision/" aria-current="page"' in response.content.decode()
    assert client.get("/plans/no-such-plan/supervision/").status_code == 404


def test_the_coordinating_office_sees_every_section(board, people):
    response = english(people["admin"]).get(Q2_URL)
    html = response.content.decode()
    data = response.context["board"]
    assert data.period.label == "2019Q2"
    missing = {(r.item.key, r.unit.code) for r in data.missing}
    assert ("II.2.2", "econ-it") in missing  # a draft is not a report
    assert ("II.1.1", "econ-it") not in missing
    assert ("II.2.1", "sci-tech") in missing
    assert "Missing reports" in html and "By unit" in html and "By task" in html
    # The late report (submitted 2019-08-01, due 2019-07-15).
    assert [(r.item.key, r.unit.code) for r in data.late] == [("II.1.1", "econ-it")]
    # The task behind, the overdue milestone, the notice past its reply day.
    assert 'href="/plans/zj-ai-2019-2022/tasks/II.2.1/"' in html
    assert "上线试运行" in html
    assert "请尽快报送二季度进展" in html and "reply overdue" in html
    # Completeness and timeliness per unit, over the closed periods up to the one shown.
    assert [p.label for p in data.rate_periods] == ["2019Q1", "2019Q2"]
    assert "Completeness" in html and "Timeliness" in html
    rates = {u.code: r for u, r in data.rates}
    sci_expected = ItemUnit.objects.filter(
        item__kind__in=REPORTED_ITEM_KINDS, unit__code="sci-tech"
    ).count()
    assert rates["sci-tech"][1].expected == sci_expected
    assert f'title="1/{sci_expected}"' in html
    # The newest closed period by default.
    assert english(people["admin"]).get(URL).context["board"].period.label == "2022Q4"


def test_issue_a_notice_links_for_administrators_and_the_lead_units_reviewers(board, people):
    econ, sci = unit("econ-it"), unit("sci-tech")
    link = f"/tasks/notices/new/?unit={sci.pk}&amp;item={item('II.2.1').pk}&amp;period=2019-04-01"
    assert link in client_for(people["admin"]).get(Q2_URL).content.decode()
    # econ-it leads II.2.1: its reviewer may issue, its staff may not.
    assert link in client_for(people["reviewer"]).get(Q2_URL).content.decode()
    assert link not in client_for(people["staff"]).get(Q2_URL).content.decode()
    assert link not in client_for(people["auditor"]).get(Q2_URL).content.decode()
    # sci-tech's reviewer: for II.1.* (it leads), not for II.2.1 (econ-it leads).
    sci_reviewer = client_for(people["reviewer_sci"]).get(Q2_URL).content.decode()
    assert link not in sci_reviewer
    own = f"/tasks/notices/new/?unit={econ.pk}&amp;item={item('II.1.2').pk}&amp;period=2019-04-01"
    assert own in sci_reviewer


def test_a_unit_sees_its_own_rows_and_never_another_units_draft(board, people):
    talent = client_for(people["staff_talent"]).get(Q2_URL)
    data = talent.context["board"]
    assert {r.unit.code for r in data.missing} == {"talent-office", "education", "sci-tech", "hrss"}
    assert {r.item.key for r in data.missing} == {"IV.6"}  # the only item it leads
    assert [u.code for u, _ in data.rates] == sorted(
        ["talent-office", "education", "sci-tech", "hrss"]
    )
    assert not data.notices
    html = talent.content.decode()
    assert "请尽快报送二季度进展" not in html
    # sci-tech leads II.1.*: it follows econ-it there, but never sees econ-it's draft.
    report("II.1.3", "econ-it", Q2, state="draft", work_done="经信厅另一草稿")
    sci = client_for(people["staff_sci"]).get(Q2_URL)
    assert "经信厅草稿" not in sci.content.decode()
    assert "经信厅另一草稿" not in sci.content.decode()
    rows = {(r.item.key, r.unit.code): r for r in sci.context["board"].missing}
    assert rows[("II.1.3", "econ-it")].report is None
    assert ("II.2.2", "econ-it") not in rows  # econ-it's own item: not sci-tech's business
    # The issuing unit's people see the notice they issued.
    assert "请尽快报送二季度进展" in sci.content.decode()


def test_a_report_by_a_unit_not_responsible_for_the_task_neither_shows_nor_counts(board, people):
    # talent-office takes no part in II.2.2 (econ-it's, with only econ-it's draft in Q2).
    assert not ItemUnit.objects.filter(item=item("II.2.2"), unit__code="talent-office").exists()

    def seen():
        data = english(people["admin"]).get(Q2_URL).context["board"]
        rates = [
            (u.code, [(r.expected, r.submitted, r.on_time) for r in rs]) for u, rs in data.rates
        ]
        return data, rates

    before, rates_before = seen()
    # Approved, behind and late: it would be missing, late and behind if it counted.
    report("II.2.2", "talent-office", Q2, status="behind", submitted_on=dt.date(2019, 8, 1))
    after, rates_after = seen()
    assert rates_after == rates_before
    assert [(r.item.key, r.unit.code) for r in after.late] == [("II.1.1", "econ-it")]
    assert [(r.item.key, r.unit.code) for r in after.missing] == [
        (r.item.key, r.unit.code) for r in before.missing
    ]
    assert item("II.2.2").pk not in {i.pk for i, _ in after.behind}
    assert all(row.report is None or row.report.unit_id == row.unit.pk for row in after.missing)


def test_the_filters_choose_a_period_and_a_unit(board, people):
    sci = unit("sci-tech")
    response = client_for(people["auditor"]).get(f"{URL}?period=2019-01-01&unit={sci.pk}")
    data = response.context["board"]
    assert data.period.start == Q1 and data.unit == sci
    assert {r.unit.code for r in data.missing} == {"sci-tech"}
    assert [u.code for u, _ in data.rates] == ["sci-tech"]
    # Nonsense in the filters shows the defaults, never an error.
    response = client_for(people["auditor"]).get(f"{URL}?period=garbage&unit=x1")
    assert response.status_code == 200
    assert response.context["board"].unit is None


def test_the_page_issues_a_fixed_number_of_queries(board, people, django_assert_num_queries):
    links = list(
        ItemUnit.objects.filter(item__kind__in=REPORTED_ITEM_KINDS)
        .exclude(unit__kind="collective")
        .select_related("item", "unit")
    )

    def grow():
        for start in (Q1,):
            for link in links:
                report(link.item.key, link.unit.code, start, status="behind")
        for link in links[:20]:
            milestone(link.item.key, link.unit.code, dt.date(2019, 5, 1), "m")
            notice(link.unit.code, people["admin"], subject="n", reply_by=dt.date(2019, 5, 1))

    clients = {who: client_for(people[who]) for who in ("admin", "reviewer", "staff_talent")}
    with django_assert_num_queries(16):
        clients["admin"].get(URL)
    before = {who: count_queries(c, URL + "?period=2019-01-01")[0] for who, c in clients.items()}
    grow()
    after = {who: count_queries(c, URL + "?period=2019-01-01")[0] for who, c in clients.items()}
    assert before == after
    # Six for the board (taskreports.selectors.supervision), the rest the frame's own: the
    # session, the user and their groups, the plan, the top bar's plans and unread count.
    assert set(after.values()) == {16}
    with django_assert_num_queries(16):
        clients["admin"].get(URL)


def test_the_plan_switcher_keeps_the_supervision_page(plan, people):
    copy_plan(plan)
    client = client_for(people["admin"])
    moved = client.post("/plan-choice/", {"plan": SECOND, "next": URL})
    assert moved["Location"] == f"/plans/{SECOND}/supervision/"
    # /supervision/ shows the plan chosen.
    assert client.get("/supervision/").context["plan"].code == SECOND
