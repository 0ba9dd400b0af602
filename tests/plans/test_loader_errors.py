"""Corrupted plan files: one line naming the file, the entry and the problem; nothing written.

Each variant is the real plan file with one thing broken, either edited as data and written
out again, or corrupted as text where the corruption cannot be expressed as data.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from plans.models import Plan, PlanItem
from plans.planfile import parse_plan_file
from targets.models import Target
from tests.plans.dbstate import (
    PLAN_FILE,
    db_snapshot,
    dump_plan,
    find_item,
    find_target,
    is_empty,
    plan_data,
)


@dataclass
class Case:
    id: str
    entry: str  # the entry the message must name, exactly
    problem: str  # words the problem must contain
    edit: Callable[[dict[str, Any]], None] | None = None  # edit the plan as data …
    corrupt: Callable[[str], str | bytes] | None = None  # … or its text

    def write(self, folder: Path) -> Path:
        path = folder / f"{self.id}.yaml"
        if self.corrupt:
            content = self.corrupt(PLAN_FILE.read_text(encoding="utf-8"))
        else:
            data = plan_data()
            self.edit(data)
            content = dump_plan(data)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


def _set(getter, field: str, value):
    def edit(data):
        getter(data)[field] = value

    return edit


def _drop(getter, field: str):
    def edit(data):
        del getter(data)[field]

    return edit


def _both(*edits):
    def edit(data):
        for each in edits:
            each(data)

    return edit


def item_(key):
    return lambda data: find_item(data, key)


def target_(code):
    return lambda data: find_target(data, code)


def plan_(data):
    return data["plan"]


def unit_(code):
    return lambda data: next(u for u in data["units"] if u["code"] == code)


def enterprise_(key):
    return lambda data: next(e for e in data["enterprises"] if e["key"] == key)


def _bad_indentation(text: str) -> str:
    # "number" of Part II one space to the left of its siblings.
    return text.replace("    kind: part\n    number: 二\n", "    kind: part\n   number: 二\n", 1)


def _impossible_deadline(text: str) -> str:
    # An unquoted impossible date under robots-in-service: YAML itself would choke on it.
    return re.sub(
        r"^( *)value: 150000\n",
        lambda m: f"{m.group(0)}{m.group(1)}deadline: 2022-02-30\n",
        text,
        count=1,
        flags=re.MULTILINE,
    )


def _impossible_period_end(text: str) -> str:
    assert "  period_end: 2022-12-31\n" in text
    return text.replace("  period_end: 2022-12-31\n", "  period_end: 2022-12-32\n", 1)


def _gbk(text: str) -> bytes:
    return text.encode("gbk")


def _bad_indentation_line() -> int:
    lines = PLAN_FILE.read_text(encoding="utf-8").splitlines()
    return lines.index("    number: 二") + 1


CASES = [
    Case(
        "invalid-yaml",
        f"line {_bad_indentation_line()}",
        "not valid YAML",
        corrupt=_bad_indentation,
    ),
    Case("not-a-mapping", "file", "expected a mapping", corrupt=lambda t: "- just\n- a list\n"),
    Case(
        "wrong-schema", "schema", "expected schema 1, found 2", edit=_set(lambda d: d, "schema", 2)
    ),
    Case(
        "missing-plan-title",
        "plan",
        "'title_en' is required",
        _drop(lambda d: d["plan"], "title_en"),
    ),
    Case(
        "unknown-unit-in-item",
        "items[II.1.2]",
        "unknown unit 'econ-itt'",
        _set(item_("II.1.2"), "units", ["sci-tech", "econ-itt"]),
    ),
    Case(
        "duplicate-item-key",
        "items[II.1.2]",
        "this key is used twice",
        _set(item_("II.1.3"), "key", "II.1.2"),
    ),
    Case(
        "duplicate-target-code",
        "targets[ent-leading]",
        "this code is used twice",
        _set(target_("ent-benchmark"), "code", "ent-leading"),
    ),
    Case(
        "non-numeric-value",
        "targets[robots-in-service]",
        "'value' must be a number, found '150,000'",
        _set(target_("robots-in-service"), "value", "150,000"),
    ),
    Case(
        "negative-value",
        "targets[robot-density]",
        "'value' cannot be negative",
        _set(target_("robot-density"), "value", -200),
    ),
    Case(
        "value-too-large-for-the-column",
        "targets[robots-in-service]",
        "'value' is out of range (from -99999999999.9999 to 99999999999.9999), found 100000000000",
        _set(target_("robots-in-service"), "value", 10**11),
    ),
    Case(
        "value-more-precise-than-stored",
        "targets[robot-density]",
        "'value' has more than 4 decimal places",
        _set(target_("robot-density"), "value", "200.12345"),
    ),
    Case(
        "unknown-comparator",
        "targets[ent-leading]",
        "'comparator' must be one of gte, lte, eq, gt, lt; found '>'",
        _set(target_("ent-leading"), "comparator", ">"),
    ),
    Case(
        "unknown-target-field",
        "targets[ent-leading]",
        "unknown field(s): comparater",
        _set(target_("ent-leading"), "comparater", "gte"),
    ),
    Case(
        "unknown-item-field",
        "items[II.1.1]",
        "unknown field(s): unit",
        _set(item_("II.1.1"), "unit", ["sci-tech"]),
    ),
    Case(
        "unknown-plan-field",
        "plan",
        "unknown field(s): issued",
        _set(plan_, "issued", "2019-01-08"),
    ),
    Case(
        "bad-date",
        "plan",
        "'period_end' is not a date (YYYY-MM-DD): '31/12/2022'",
        _set(plan_, "period_end", "31/12/2022"),
    ),
    Case(
        "impossible-unquoted-deadline",
        "targets[robots-in-service]",
        "'deadline' is not a date (YYYY-MM-DD): '2022-02-30'",
        corrupt=_impossible_deadline,
    ),
    Case(
        "impossible-unquoted-period-end",
        "plan",
        "'period_end' is not a date (YYYY-MM-DD): '2022-12-32'",
        corrupt=_impossible_period_end,
    ),
    Case(
        "count-filter-unknown-field",
        "targets[ent-leading].source.filter",
        "enterprises cannot be filtered by 'rank'",
        _set(lambda d: find_target(d, "ent-leading")["source"], "filter", {"rank": "leading"}),
    ),
    Case(
        "filter-value-not-a-choice",
        "targets[demo-projects].source.filter",
        "'level' must be one of national, provincial, city; found 'county'",
        _set(
            lambda d: find_target(d, "demo-projects")["source"]["filter"],
            "level",
            ["provincial", "county"],
        ),
    ),
    Case(
        "restates-unknown-target",
        "items[III.1.C3.1]",
        "restates unknown target 'ent-leader'",
        _set(item_("III.1.C3.1"), "restates", ["ent-leader"]),
    ),
    Case(
        "compound-growth-without-baseline",
        "targets[robots-in-service]",
        "compound growth needs a baseline value above zero",
        _set(target_("robots-in-service"), "growth_model", "compound"),
    ),
    Case(
        "compound-growth-from-a-negative-baseline",
        "targets[robots-in-service]",
        "compound growth needs a baseline value above zero",
        _both(
            _set(target_("robots-in-service"), "growth_model", "compound"),
            _set(target_("robots-in-service"), "baseline", {"value": -5, "date": "2018-12-31"}),
        ),
    ),
    Case(
        "compound-growth-to-zero",
        "targets[robots-in-service]",
        "compound growth needs a target value above zero; found 0",
        _both(
            _set(target_("robots-in-service"), "growth_model", "compound"),
            _set(target_("robots-in-service"), "baseline", {"value": 100, "date": "2018-12-31"}),
            _set(target_("robots-in-service"), "value", 0),
        ),
    ),
    Case(
        "unknown-unit-of-a-target",
        "targets[talent-policies]",
        "unknown unit 'talent'",
        _set(target_("talent-policies"), "units", ["talent"]),
    ),
    Case(
        "alias-naming-another-unit",
        "units[sci-tech]",
        "'Provincial Department of Science and Technology' is also unit 'econ-it'",
        _set(unit_("econ-it"), "aliases", ["Provincial Department of Science and Technology"]),
    ),
    Case(
        "enterprise-outside-zhejiang",
        "enterprises[geely]",
        "'city' must be one of",
        _set(enterprise_("geely"), "city", "shanghai"),
    ),
    Case(
        "enterprise-named-in-unknown-item",
        "enterprises[alibaba]",
        "'named_in' names unknown item 'III.1.C9.1'",
        _set(enterprise_("alibaba"), "named_in", ["III.1.C9.1"]),
    ),
    Case(
        "blank-quote",
        "targets[ent-leading]",
        "'quote' is required",
        _set(target_("ent-leading"), "quote", "   "),
    ),
    Case(
        "zero-weight",
        "targets[ent-leading]",
        "'weight' must be above zero, found 0",
        _set(target_("ent-leading"), "weight", 0),
    ),
    Case(
        "reported-source-naming-a-register",
        "targets[robots-in-service].source",
        "a reported source takes no 'register'",
        _set(lambda d: find_target(d, "robots-in-service")["source"], "register", "projects"),
    ),
    Case(
        "sum-over-enterprises",
        "targets[ent-leading].source",
        "'register' must be one of projects; found 'enterprises'",
        lambda d: find_target(d, "ent-leading")["source"].update(
            kind="sum", field="planned_investment"
        ),
    ),
    Case("not-utf8", "file", "not UTF-8 text", corrupt=_gbk),
]


def case_file(case: Case, tmp_path: Path) -> Path:
    return case.write(tmp_path)


def assert_refused(path: Path, case: Case) -> str:
    with pytest.raises(CommandError) as refused:
        call_command("load_action_plan", file=path, stdout=StringIO())
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {case.entry}: "), message
    assert case.problem in message, message
    return message


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_on_an_empty_database_nothing_is_written(db, tmp_path, case):
    before = db_snapshot()
    assert is_empty(before)
    assert_refused(case_file(case, tmp_path), case)
    assert is_empty(db_snapshot())


def test_a_missing_file_is_named(db, tmp_path):
    missing = tmp_path / "no-such-plan.yaml"
    case = Case("missing", "file", "no such file")
    assert_refused(missing, case)
    assert is_empty(db_snapshot())


def test_the_untouched_file_is_accepted(tmp_path):
    """The variants are broken by their one edit, not by being written out again."""
    spec = parse_plan_file(Case("same", "", "", edit=lambda data: None).write(tmp_path))
    assert (len(spec.units), len(spec.items), len(spec.targets)) == (33, 98, 15)


@pytest.mark.parametrize("comparator", ["gt", "lt"])
def test_strict_comparators_are_read_and_stored(db, tmp_path, comparator):
    """超过 / 突破 / 超 N: strictly more (gt); strictly less (lt) likewise."""
    case = Case(comparator, "", "", edit=_set(target_("ent-leading"), "comparator", comparator))
    path = case.write(tmp_path)
    spec = parse_plan_file(path)
    (leading,) = [target for target in spec.targets if target.code == "ent-leading"]
    assert leading.values["comparator"] == comparator
    call_command("load_action_plan", file=path, stdout=StringIO())
    assert Target.objects.get(code="ent-leading").comparator == comparator


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.corrupt], ids=[c.id for c in CASES if c.corrupt]
)
def test_each_text_corruption_changes_the_file(case):
    text = PLAN_FILE.read_text(encoding="utf-8")
    assert case.corrupt(text) != text


@pytest.mark.usefixtures("class_committed_plan")
class TestAfterAGoodLoad:
    """The plan is loaded; a corrupted file leaves every row as it was."""

    @pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
    def test_the_loaded_plan_is_untouched(self, db, tmp_path, case):
        before = db_snapshot()
        assert Target.objects.count() == 15
        assert_refused(case_file(case, tmp_path), case)
        assert db_snapshot() == before

    def test_a_missing_file_leaves_the_plan_untouched(self, db, tmp_path):
        before = db_snapshot()
        assert_refused(tmp_path / "gone.yaml", Case("missing", "file", "no such file"))
        assert db_snapshot() == before


# --- a file that passes validation but that the database refuses -----------------------------


def tampered_parser(monkeypatch, tamper) -> list[tuple[str, str]]:
    """Make the command load a spec that validation let through but the database refuses.

    The last enterprise gets a city outside Zhejiang, which the register's check constraint
    rejects: the failure comes after the plan, units, items, targets and seven enterprises are
    written.
    """
    from portfolio import services as loader
    from portfolio.management.commands import load_action_plan

    def parse(path):
        spec = parse_plan_file(path)
        tamper(spec)
        spec.enterprises[-1].values["city"] = "shanghai"
        return spec

    # Which writes the loader made before the failure, to show that it failed midway.
    written: list[tuple[str, str]] = []

    def record_event(*, action, obj, **kwargs):
        written.append((action, obj._meta.label_lower))
        return real_record_event(action=action, obj=obj, **kwargs)

    real_record_event = loader.record_event
    monkeypatch.setattr(load_action_plan, "parse_plan_file", parse)
    monkeypatch.setattr(loader, "record_event", record_event)
    return written


def test_a_write_rejected_midway_on_an_empty_database_leaves_nothing(db, monkeypatch):
    assert is_empty(db_snapshot())
    written = tampered_parser(monkeypatch, lambda spec: None)
    with pytest.raises(
        CommandError, match=r"nothing was saved.*enterprise_city_in_zhejiang"
    ) as err:
        call_command("load_action_plan", stdout=StringIO())
    assert "\n" not in str(err.value)
    assert written.count(("create", "plans.planitem")) == 98
    assert written.count(("create", "targets.target")) == 15
    assert written.count(("create", "enterprises.enterprise")) == 7
    assert is_empty(db_snapshot())

    # And the good file then loads from scratch, as if nothing had happened.
    monkeypatch.undo()
    out = StringIO()
    call_command("load_action_plan", stdout=out)
    output = out.getvalue()
    assert "Plan zj-ai-2019-2022: 33 units, 98 items, 15 targets, 8 named enterprises." in output
    assert "1 plans created" in output
    assert "98 plan items created" in output
    assert "15 targets created" in output
    assert "8 enterprises created" in output
    assert re.search(r"\b33 responsible units created\b", output)
    assert Plan.objects.count() == 1
    assert PlanItem.objects.count() == 98


@pytest.mark.usefixtures("class_committed_plan")
class TestAWriteRejectedAfterAGoodLoad:
    def test_the_half_load_is_rolled_back(self, db, monkeypatch):
        before = db_snapshot()

        def tamper(spec):
            # Changes that are written before the failure: all must be undone.
            target = next(t for t in spec.targets if t.code == "robots-in-service")
            target.values["target_value"] += 1
            next(u for u in spec.units if u.code == "econ-it").name_zh = "经信厅"

        written = tampered_parser(monkeypatch, tamper)
        with pytest.raises(CommandError, match=r"nothing was saved.*enterprise_city_in_zhejiang"):
            call_command("load_action_plan", stdout=StringIO())
        assert ("update", "plans.responsibleunit") in written
        assert ("update", "targets.target") in written
        assert db_snapshot() == before
        assert Target.objects.get(code="robots-in-service").target_value == 150000


def test_the_columns_the_loader_checks_are_the_targets_fields():
    from plans import planfile

    def column(name: str) -> tuple[int, int]:
        field = Target._meta.get_field(name)
        return field.max_digits, field.decimal_places

    assert planfile.TARGET_VALUE_COLUMN == column("target_value") == column("baseline_value")
    assert column("weight") == planfile.WEIGHT_COLUMN
    assert column("source_scale") == planfile.SCALE_COLUMN
