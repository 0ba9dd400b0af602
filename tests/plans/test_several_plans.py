"""Several plans side by side: loading one never changes another's data (docs/plan-file.md,
"Several plans"). Units and named enterprises are shared by code and key; a shared unit's
aliases only grow; a named enterprise's links to items are kept per plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audit.models import AuditEvent
from enterprises.models import Enterprise
from plans.models import Plan, ResponsibleUnit
from plans.planfile import PlanFileError, parse_plan_file
from portfolio.services import load_plan
from tests.plans.dbstate import PLAN_FILE, db_snapshot, wipe_loaded_rows

pytestmark = pytest.mark.django_db

SECOND = Path(__file__).with_name("files") / "second-plan.yaml"
FIRST_CODE, SECOND_CODE = "zj-ai-2019-2022", "test-second"


def load(path: Path) -> None:
    load_plan(parse_plan_file(path))


def _row(values: dict[str, Any], *dropped: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in ("id", *dropped)}


def plan_view(code: str) -> dict[str, Any]:
    """A plan's data by natural keys (codes, item keys), free of row ids and load order."""
    plan = Plan.objects.get(code=code)
    items = list(plan.items.order_by("order"))
    view: dict[str, Any] = {"plan": _row(Plan.objects.filter(pk=plan.pk).values().get())}
    view["items"] = [
        {
            **_row(Plan.items.rel.related_model.objects.filter(pk=i.pk).values().get(), "plan_id"),
            "parent_id": i.parent.key if i.parent else None,
            "units": [(link.unit.code, link.is_lead) for link in i.unit_links.order_by("order")],
        }
        for i in items
    ]
    view["targets"] = [
        {
            # Times of the load, not data of the file.
            **_row(t, "plan_id", "item_id", "dirty_since", "metadata_updated_at"),
            "item": plan.items.get(pk=t["item_id"]).key,
        }
        for t in plan.targets.order_by("order").values()
    ]
    for t, row in zip(plan.targets.order_by("order"), view["targets"], strict=True):
        row["units"] = [(link.unit.code, link.is_lead) for link in t.unit_links.order_by("order")]
        row["restated_in"] = sorted(t.restated_in.values_list("key", flat=True))
    units = ResponsibleUnit.objects.filter(item_links__item__plan=plan).distinct()
    view["units"] = {u["code"]: _row(u) for u in units.order_by("code").values()}
    enterprises = Enterprise.objects.filter(named_in__plan=plan).distinct().order_by("plan_key")
    view["enterprises"] = {
        e.plan_key: {
            "names": (e.name_zh, e.name_en, e.city, e.sector, e.tier),
            "named_in": sorted(e.named_in.filter(plan=plan).values_list("key", flat=True)),
        }
        for e in enterprises
    }
    return view


def both_views() -> dict[str, Any]:
    return {code: plan_view(code) for code in (FIRST_CODE, SECOND_CODE)}


def test_loading_in_either_order_and_twice_gives_each_plan_the_same_data():
    load(PLAN_FILE)
    alone = plan_view(FIRST_CODE)
    load(SECOND)
    first_then_second = both_views()
    wipe_loaded_rows()
    load(SECOND)
    load(PLAN_FILE)
    second_then_first = both_views()
    assert first_then_second == second_then_first

    # The second plan took nothing from the first: the same data but the alias it added.
    econ = first_then_second[FIRST_CODE]["units"]["econ-it"]
    assert "Zhejiang Economy and Information Technology Department" in econ["aliases"]
    assert set(alone["units"]["econ-it"]["aliases"]) < set(econ["aliases"])
    econ["aliases"] = alone["units"]["econ-it"]["aliases"]
    assert first_then_second[FIRST_CODE] == alone

    # Alibaba is named in both plans, each by its own items.
    alibaba = Enterprise.objects.get(plan_key="alibaba")
    assert sorted(alibaba.named_in.values_list("plan__code", "key")) == [
        ("test-second", "II"),
        ("zj-ai-2019-2022", "III.1.C3.1"),
    ]

    # Reloading either plan now writes nothing and audits nothing.
    before = db_snapshot()
    load(PLAN_FILE)
    load(SECOND)
    assert db_snapshot() == before


def test_a_plan_may_drop_its_own_alias_of_a_unit_it_alone_names(tmp_path):
    load(SECOND)
    text = SECOND.read_text(encoding="utf-8")
    changed = tmp_path / "second.yaml"
    changed.write_text(
        text.replace("    aliases: [Zhejiang Economy and Information Technology Department]\n", ""),
        encoding="utf-8",
    )
    load(changed)
    assert ResponsibleUnit.objects.get(code="econ-it").aliases == []


def test_a_shared_unit_keeps_the_other_plans_aliases(tmp_path):
    load(PLAN_FILE)
    load(SECOND)
    text = SECOND.read_text(encoding="utf-8")
    changed = tmp_path / "second.yaml"
    changed.write_text(
        text.replace("    aliases: [Zhejiang Economy and Information Technology Department]\n", ""),
        encoding="utf-8",
    )
    events = AuditEvent.objects.count()
    load(changed)
    # Aliases only grow once shared: who gave which is not kept, so none is taken away.
    assert "Zhejiang Economy and Information Technology Department" in (
        ResponsibleUnit.objects.get(code="econ-it").aliases
    )
    assert AuditEvent.objects.count() == events


def test_a_shared_unit_names_must_agree(tmp_path):
    load(PLAN_FILE)
    text = SECOND.read_text(encoding="utf-8")
    changed = tmp_path / "second.yaml"
    changed.write_text(text.replace("name_zh: 省科学技术厅", "name_zh: 省科技厅"), encoding="utf-8")
    before = db_snapshot()
    with pytest.raises(PlanFileError) as caught:
        load(changed)
    assert str(caught.value) == (
        f"{changed}: units[sci-tech]: 'name_zh' is '省科学技术厅' in plan(s) zj-ai-2019-2022, "
        "which share it; this file says '省科技厅' (plans sharing a row must agree)"
    )
    assert db_snapshot() == before


def test_a_spelling_of_another_unit_is_refused(tmp_path):
    load(PLAN_FILE)
    text = SECOND.read_text(encoding="utf-8")
    changed = tmp_path / "second.yaml"
    changed.write_text(
        text.replace(
            "Zhejiang Economy and Information Technology Department",
            "Provincial Development and Reform Commission",
        ),
        encoding="utf-8",
    )
    with pytest.raises(PlanFileError, match=r"units\[econ-it\]: the name .* is unit 'drc'"):
        load(changed)


DATA = PLAN_FILE.parent
GUIDANCE = DATA / "zj-ai-2023-2027.yaml"
MEASURES = DATA / "zj-ai-2025-2027.yaml"


def without_aliases(view: dict[str, Any]) -> dict[str, Any]:
    return {
        **view,
        "units": {code: _row(u, "aliases") for code, u in view["units"].items()},
    }


def test_the_successor_plans_leave_the_first_plan_as_it_was():
    load(PLAN_FILE)
    alone = plan_view(FIRST_CODE)
    load(GUIDANCE)
    load(MEASURES)
    after = plan_view(FIRST_CODE)
    # Only spellings were added to the units they share.
    assert without_aliases(after) == without_aliases(alone)
    for code, unit in alone["units"].items():
        assert set(unit["aliases"]) <= set(after["units"][code]["aliases"])
    assert "省科技厅" in after["units"]["sci-tech"]["aliases"]

    # The successors as the files state them.
    guidance = Plan.objects.get(code="zj-ai-2023-2027")
    assert guidance.document_number == "浙政办发〔2023〕65号"
    assert guidance.coverage_note
    assert sorted(
        guidance.items.get(key="II.1").unit_links.values_list("order", "unit__code", "is_lead")
    ) == [(0, "sci-tech", True), (1, "drc", False), (2, "econ-it", False), (3, "education", False)]
    enterprises = guidance.targets.get(code="ai-enterprises")
    assert (enterprises.source_register, enterprises.comparator) == ("enterprises", "gt")
    assert enterprises.window_start is None  # a stock: cumulative
    measures = Plan.objects.get(code="zj-ai-2025-2027")
    deadlines = dict(measures.targets.values_list("code", "deadline"))
    assert str(deadlines["core-revenue-2027"]) == "2027-12-31"
    assert str(deadlines["core-revenue-2030"]) == "2030-12-31"
    leading = measures.targets.get(code="leading-10bn")
    assert leading.predecessor is not None
    assert (leading.predecessor.plan.code, leading.predecessor.code) == (FIRST_CODE, "ent-leading")

    # Reloading every plan writes nothing and audits nothing.
    before = db_snapshot()
    for path in (PLAN_FILE, GUIDANCE, MEASURES):
        load(path)
    assert db_snapshot() == before


def test_the_guidance_and_the_first_plan_load_alike_in_either_order():
    load(PLAN_FILE)
    load(GUIDANCE)
    forward = {code: plan_view(code) for code in (FIRST_CODE, "zj-ai-2023-2027")}
    wipe_loaded_rows()
    load(GUIDANCE)
    load(PLAN_FILE)
    backward = {code: plan_view(code) for code in (FIRST_CODE, "zj-ai-2023-2027")}
    assert forward == backward


def test_the_command_loads_every_plan_file(capsys):
    from django.core.management import call_command

    call_command("load_action_plan", "--all")
    assert set(Plan.objects.values_list("code", flat=True)) == {
        FIRST_CODE,
        "zj-ai-2023-2027",
        "zj-ai-2025-2027",
    }
    call_command("load_action_plan", "--all")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 6
    assert all(line.endswith("Already up to date: nothing changed.") for line in out[3:])
