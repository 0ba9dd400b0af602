"""The report counts what the recompute counts: one owner of as-of counting (targets.values)."""

from __future__ import annotations

import datetime as dt

import pytest

from enterprises.models import Enterprise
from plans.models import Plan
from reports.builders import AsOfReport
from targets.models import Progress, Target
from targets.services import recompute_progress
from tests.reports.conftest import AS_OF
from tests.targets.factories import accept_projects

pytestmark = pytest.mark.django_db


def table_rows(report: AsOfReport, name: str) -> list[dict]:
    table = next(t for t in report.tables() if t.name == name)
    keys = [c.key for c in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in table.rows()]


def test_the_reports_counted_values_equal_the_recomputes_for_the_same_date(world):
    plan = Plan.objects.get()
    recompute_progress(AS_OF)
    stored = {
        row.target.code: (row.current_value, row.current_date, row.status)
        for row in Progress.objects.filter(as_of=AS_OF).select_related("target")
    }
    reported = {
        row["code"]: (row["current_value"], row["current_date"], row["status"])
        for row in table_rows(AsOfReport(plan, AS_OF), "targets")
    }
    assert reported == stored
    # The world's entries and figures give these targets a value: the comparison is not empty.
    assert stored["ent-leading"][0] == 3
    assert stored["smart-factories"][0] == 30
    assert stored["robots-in-service"][:2] == (95000, dt.date(2021, 3, 31))


def test_the_charts_last_point_is_the_value_the_recompute_stores(world):
    plan = Plan.objects.get()
    recompute_progress(AS_OF)
    targets = list(Target.objects.filter(code__in=["ent-leading", "smart-factories"]))
    series = AsOfReport(plan, AS_OF).quarter_series(targets)
    for target in targets:
        stored = Progress.objects.get(target=target, as_of=AS_OF)
        assert series[target.pk][-1] == (AS_OF, float(stored.current_value))
    # Before the first entry was recognised, nothing counted.
    leading = next(t for t in targets if t.code == "ent-leading")
    assert series[leading.pk][0] == (dt.date(2019, 3, 31), 0.0)


def test_register_tables_state_each_entry_as_it_stood_on_the_date_in_the_choices_words(world):
    plan = Plan.objects.get()
    accept_projects(1, "major", dt.date(2021, 8, 1))  # started before the date, accepted after
    revoked = Enterprise.objects.filter(tier="leading").order_by("pk").first()
    Enterprise.objects.filter(pk=revoked.pk).update(
        status="revoked", revoked_on=dt.date(2021, 7, 1)
    )
    report = AsOfReport(plan, AS_OF)

    projects = table_rows(report, "projects")
    later = next(p for p in projects if p["kind"] == "重大项目")
    assert (later["status"], later["accepted_on"]) == ("在建", None)
    assert {p["status"] for p in projects if p["kind"] != "重大项目"} == {"已验收"}

    enterprises = {e["id"]: e for e in table_rows(report, "enterprises")}
    assert (enterprises[revoked.pk]["status"], enterprises[revoked.pk]["revoked_on"]) == (
        "有效",
        None,
    )
    assert len(enterprises) == 43  # the 5 recognised after the date are not listed
