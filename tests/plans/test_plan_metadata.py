"""A plan's document number, draft flag and state; date windows and predecessors in the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from plans.choices import PlanState
from plans.models import Plan
from plans.planfile import PlanFileError, parse_plan_file
from portfolio.services import load_plan
from targets.models import Target
from tests.plans.dbstate import PLAN_FILE, db_snapshot

SECOND = Path(__file__).with_name("files") / "second-plan.yaml"


def variant(tmp_path: Path, edit) -> Path:
    data = yaml.safe_load(SECOND.read_text(encoding="utf-8"))
    for key in ("period_start", "period_end"):
        data["plan"][key] = data["plan"][key].isoformat()
    edit(data)
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def target(data: dict) -> dict:
    return data["items"][0]["targets"][0]


def test_state_follows_the_period_unless_a_draft():
    plan = Plan(period_start=dt.date(2023, 1, 1), period_end=dt.date(2027, 12, 31))
    assert plan.state_on(dt.date(2022, 12, 31)) == PlanState.UPCOMING
    assert plan.state_on(dt.date(2023, 1, 1)) == PlanState.IN_FORCE
    assert plan.state_on(dt.date(2027, 12, 31)) == PlanState.IN_FORCE
    assert plan.state_on(dt.date(2028, 1, 1)) == PlanState.ENDED
    plan.is_draft = True
    assert plan.state_on(dt.date(2025, 1, 1)) == PlanState.DRAFT


def test_document_number_draft_and_windows_are_read(tmp_path):
    def edit(data):
        data["plan"].update(document_number="浙政办发〔2023〕65号", draft=True, coverage="goals")
        target(data)["source"]["window"] = "plan"

    spec = parse_plan_file(variant(tmp_path, edit))
    assert spec.plan["document_number"] == "浙政办发〔2023〕65号"
    assert spec.plan["is_draft"] is True
    assert spec.plan["coverage_note"] == "goals"
    values = spec.targets[0].values
    assert (values["window_start"], values["window_end"]) == (
        dt.date(2023, 1, 1),
        dt.date(2027, 12, 31),
    )


@pytest.mark.parametrize(
    ("window", "problem"),
    [
        (
            {"from": "2024-01-01", "to": "2023-12-31"},
            "targets[ent-leading].source.window: 'to' must not be before 'from'",
        ),
        ({"from": "2024-01-01"}, "targets[ent-leading].source.window: 'to' is required"),
    ],
)
def test_a_bad_window_is_named(tmp_path, window, problem):
    def edit(data):
        target(data)["source"]["window"] = window

    path = variant(tmp_path, edit)
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(path)
    assert str(caught.value) == f"{path}: {problem}"


def test_a_reported_target_takes_no_window(tmp_path):
    def edit(data):
        target(data)["source"] = {"kind": "reported", "window": "plan"}

    with pytest.raises(PlanFileError, match=r"a reported source takes no 'window'"):
        parse_plan_file(variant(tmp_path, edit))


@pytest.mark.django_db
def test_a_predecessor_is_linked(tmp_path):
    load_plan(parse_plan_file(PLAN_FILE))

    def edit(data):
        target(data)["predecessor"] = "zj-ai-2019-2022:ent-leading"

    load_plan(parse_plan_file(variant(tmp_path, edit)))
    successor = Target.objects.get(plan__code="test-second", code="ent-leading")
    assert successor.predecessor == Target.objects.get(
        plan__code="zj-ai-2019-2022", code="ent-leading"
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("predecessor", "problem"),
    [
        ("zj-ai-2019-2022:nope", "'predecessor' names no target 'nope' in plan 'zj-ai-2019-2022'"),
        ("other-plan:ent-leading", "'predecessor' names plan 'other-plan', which is not loaded"),
        ("test-second:ent-leading", "'predecessor' must name a target of another plan"),
        (
            "zj-ai-2019-2022:ent-leading",
            "'predecessor' must be in an earlier plan: 'zj-ai-2019-2022' does not start before "
            "'test-second'",
        ),
    ],
)
def test_an_unknown_predecessor_is_named(tmp_path, predecessor, problem):
    load_plan(parse_plan_file(PLAN_FILE))

    def edit(data):
        target(data)["predecessor"] = predecessor
        if "earlier" in problem:
            data["plan"]["period_start"] = "2018-01-01"

    path = variant(tmp_path, edit)
    before = db_snapshot()
    with pytest.raises(PlanFileError) as caught:
        load_plan(parse_plan_file(path))
    assert str(caught.value).startswith(f"{path}: targets[ent-leading]: {problem}")
    assert db_snapshot() == before


def _with_baseline_from_predecessor(data):
    target(data)["predecessor"] = "zj-ai-2019-2022:ent-leading"
    target(data)["baseline_from"] = "predecessor"


@pytest.mark.django_db
def test_the_baseline_is_the_predecessors_verdict_with_its_date(tmp_path):
    from decimal import Decimal

    from django.utils import timezone

    from targets.models import TargetVerdict

    load_plan(parse_plan_file(PLAN_FILE))
    path = variant(tmp_path, _with_baseline_from_predecessor)
    load_plan(parse_plan_file(path))
    successor = Target.objects.get(plan__code="test-second", code="ent-leading")
    # Not closed yet: no baseline, but it says where one will come from.
    assert (successor.baseline_value, successor.baseline_date) == (None, None)
    assert successor.baseline_from_predecessor

    now = timezone.now()
    TargetVerdict.objects.create(
        target=successor.predecessor,
        closed_on=dt.date(2023, 1, 1),
        status="achieved",
        value=Decimal(12),
        value_date=dt.date(2022, 12, 31),
        known_at=now,
        written_at=now,
    )
    load_plan(parse_plan_file(path))
    successor.refresh_from_db()
    assert (successor.baseline_value, successor.baseline_date) == (
        Decimal(12),
        dt.date(2022, 12, 31),
    )
    before = db_snapshot()
    load_plan(parse_plan_file(path))
    assert db_snapshot() == before


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            lambda data: target(data).update(baseline_from="predecessor"),
            "'baseline_from: predecessor' needs a 'predecessor'",
        ),
        (
            lambda data: (
                _with_baseline_from_predecessor(data),
                target(data).update(baseline={"value": 1}),
            ),
            "give either 'baseline' or 'baseline_from', not both",
        ),
    ],
)
def test_a_baseline_from_the_predecessor_needs_one(tmp_path, edit, problem):
    path = variant(tmp_path, edit)
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(path)
    assert str(caught.value) == f"{path}: targets[ent-leading]: {problem}"
