"""The dashboard and the plan tree: what each role sees, in which language, at what cost."""

import datetime as dt

import pytest
from django.test import Client

from plans.models import PlanItem
from targets import services
from targets.models import Measurement, Progress, RollupProgress, Target
from targets.services import recompute_progress
from tests.web import client_for, count_queries, figures

AS_OF = dt.date(2021, 6, 30)
ROLES = ["admin", "reviewer", "staff", "auditor", "staff_sci", "staff_talent"]


@pytest.fixture
def computed(people):
    robots = Target.objects.get(code="robots-in-service")
    figures(robots, people["reviewer"], 3, start=dt.date(2020, 12, 30))
    recompute_progress(dt.date(2020, 12, 31))
    recompute_progress(AS_OF)
    return robots


@pytest.mark.parametrize("role", ROLES)
def test_every_role_sees_the_dashboard_in_chinese(computed, people, role):
    response = client_for(people[role]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "浙江省促进新一代人工智能发展行动计划" in html
    assert "总体进度" in html
    assert "主要指标" in html
    assert "行动目标与重点任务" in html
    # The headline targets with their value, grouped by thousands, and their status in words.
    assert "在役工业机器人" in html
    assert "1,002" in html
    assert "150,000" in html


def test_the_dashboard_switches_to_english(computed, people):
    client = client_for(people["staff"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "Overall progress" in html
    assert "Headline targets" in html
    assert "Industrial robots in service" in html or "robots" in html.lower()
    assert "总体进度" not in html


def test_the_dashboard_shows_the_newest_computed_date_or_a_chosen_one(computed, people):
    client = client_for(people["auditor"])
    newest = client.get("/")
    assert newest.context["as_of"] == AS_OF
    older = client.get("/?as_of=2020-12-31")
    assert older.context["as_of"] == dt.date(2020, 12, 31)
    # A date never computed is not computed on the fly: the newest one is shown.
    before = Progress.objects.count()
    other = client.get("/?as_of=2019-03-01")
    assert other.context["as_of"] == AS_OF
    assert Progress.objects.count() == before


def test_reading_the_dashboard_never_computes(people):
    response = client_for(people["staff"]).get("/")
    assert response.status_code == 200
    assert "尚未计算进度" in response.content.decode()
    assert not Progress.objects.exists()
    assert not RollupProgress.objects.exists()


def test_needs_my_attention_by_role_and_never_another_units_drafts(computed, people):
    robots = computed
    talent = Target.objects.get(code="talent-policies")
    mine = services.create_measurement(
        target=robots, value="120000", observed_on=AS_OF, acting_user=people["staff"]
    )
    theirs = services.create_measurement(
        target=talent,
        value="7",
        observed_on=AS_OF,
        note="人才办草稿",
        acting_user=people["staff_talent"],
    )
    submitted = services.submit_measurement(
        services.create_measurement(
            target=robots, value="125000", observed_on=AS_OF, acting_user=people["staff"]
        ),
        acting_user=people["staff"],
    )

    staff = client_for(people["staff"]).get("/")
    assert staff.context["attention"].to_report_count == 1
    assert staff.context["attention"].to_report[0].pk == mine.pk
    assert not staff.context["attention"].reviews
    assert "人才办草稿" not in staff.content.decode()

    reviewer = client_for(people["reviewer"]).get("/")
    assert [m.pk for m in reviewer.context["attention"].to_review] == [submitted.pk]
    assert reviewer.context["attention"].reviews

    talent_staff = client_for(people["staff_talent"]).get("/")
    assert [m.pk for m in talent_staff.context["attention"].to_report] == [theirs.pk]
    assert "120,000" not in talent_staff.content.decode()

    # A reviewer of another unit has nothing of econ-it's to review.
    other = client_for(people["reviewer_sci"]).get("/")
    assert other.context["attention"].to_review_count == 0
    # The auditor has no unit work to do here.
    auditor = client_for(people["auditor"]).get("/")
    assert auditor.context["attention"].to_review_count == 0


def test_stale_targets_of_my_unit(computed, people):
    response = client_for(people["staff"]).get("/")
    stale = {row.target.code for row in response.context["attention"].stale}
    # Reported targets of econ-it with no figure for more than 90 days are stale.
    assert "robot-density" in stale
    assert all(
        Target.objects.get(code=code).unit_links.filter(unit__code="econ-it").exists()
        for code in stale
    )


def test_the_dashboard_issues_the_same_queries_whatever_the_number_of_figures(computed, people):
    client = client_for(people["reviewer"])
    robots = computed
    before, _ = count_queries(client, "/")
    figures(robots, people["staff"], 200, state="submitted", start=dt.date(2021, 1, 1))
    figures(robots, people["staff"], 200, state="draft", start=dt.date(2021, 1, 1))
    recompute_progress(dt.date(2021, 3, 31))
    after, _ = count_queries(client, "/")
    assert before == after


@pytest.mark.parametrize("role", ROLES)
def test_the_plan_tree_shows_every_item_in_its_numbering(computed, people, role):
    response = client_for(people[role]).get("/plan/")
    assert response.status_code == 200
    html = response.content.decode()
    for item in PlanItem.objects.all():
        assert f'id="item-{item.key}"' in html
    assert "（一）" in html
    assert "★" in html and "牵头" in html  # the lead unit is marked, in words too
    assert "省经济和信息化厅" in html
    assert "在役工业机器人" in html  # targets under their items


def test_the_plan_tree_issues_a_fixed_number_of_queries(computed, people):
    count, _ = count_queries(client_for(people["staff"]), "/plan/")
    # 98 items: one query per item would be far more. The task reports add three: the
    # approved reports of each item's newest period, each item's newest consolidated report,
    # and the overdue milestones (taskreports.selectors.task_overview). One more: the top
    # bar's unread count.
    assert count <= 20


def test_number_and_date_formats_follow_the_language(computed, people):
    client = client_for(people["staff"])
    zh = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert "2022年12月31日" in zh
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert "31 Dec 2022" in en
    assert "150,000" in en


def test_other_units_figures_stay_invisible_on_the_plan_pages(computed, people):
    talent = Target.objects.get(code="talent-policies")
    services.create_measurement(
        target=talent,
        value="99",
        observed_on=AS_OF,
        note="秘密草稿",
        acting_user=people["staff_talent"],
    )
    for path in ("/", "/plan/", "/plans/zj-ai-2019-2022/targets/talent-policies/", "/figures/"):
        html = client_for(people["staff"]).get(path).content.decode()
        assert "秘密草稿" not in html, path
    assert Measurement.objects.filter(note="秘密草稿").count() == 1


def test_anonymous_dashboard_redirects(db):
    assert Client().get("/").status_code == 302
