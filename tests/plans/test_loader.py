"""The 2019–2022 plan as `load_action_plan` writes it: structure, texts, targets, units.

The expectations are written out from the plan's text (the seed file), not read back from the
YAML file, so that a mistake in the file shows here. The file is the reference only where it
must be: the order of its items (the loader must keep it) and its "# line N" comments, which
say which source paragraph each item comes from.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from itertools import pairwise

import pytest
from django.conf import settings
from django.core.management import call_command

from audit.models import AuditEvent
from enterprises.models import Enterprise
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from targets.models import Target, TargetUnit
from targets.values import enterprises_counted_on
from tests.plans.dbstate import (
    PLAN_FILE,
    db_snapshot,
    find_target,
    plan_data,
    walk_items,
    write_plan,
)

SEED_FILE = settings.BASE_DIR.parent / "shared" / "seed" / "zhejiang-ai-action-plan-2019-2022.txt"
PLAN_LINES = range(14, 192)  # lines 14–191 of the seed file are the plan (seed/README.md)
END_OF_PLAN = dt.date(2022, 12, 31)


def load(**options) -> str:
    out = StringIO()
    call_command("load_action_plan", stdout=out, **options)
    return out.getvalue()


def item(key: str) -> PlanItem:
    return PlanItem.objects.get(plan__code="zj-ai-2019-2022", key=key)


def children(key: str, kind: str | None = None) -> list[PlanItem]:
    qs = item(key).children.order_by("order")
    return list(qs.filter(kind=kind) if kind else qs)


def unit_codes(obj) -> list[str]:
    return [link.unit.code for link in obj.unit_links.order_by("order").select_related("unit")]


def lead_code(obj) -> str | None:
    leads = [link.unit.code for link in obj.unit_links.filter(is_lead=True).select_related("unit")]
    assert len(leads) <= 1, f"{obj} has several lead units: {leads}"
    return leads[0] if leads else None


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def plan(committed_plan, db) -> Plan:
    """The plan loaded once for this module (tests/plans/conftest.py)."""
    return Plan.objects.get(pk=committed_plan.pk)


@pytest.fixture
def seed_lines() -> dict[int, str]:
    """The seed text by line number (1-based); skipped where the shared seed is not present."""
    if not SEED_FILE.exists():
        pytest.skip(f"the plan's source text is not on this machine: {SEED_FILE} is absent")
    lines = SEED_FILE.read_text(encoding="utf-8").splitlines()
    return dict(enumerate(lines, start=1))


@pytest.fixture
def plan_text(seed_lines) -> str:
    return squash(" ".join(seed_lines[n] for n in PLAN_LINES))


# --- the plan and its tree -------------------------------------------------------------------


def test_plan_row(plan):
    plan = Plan.objects.get(code="zj-ai-2019-2022")
    assert plan.title_zh == "浙江省促进新一代人工智能发展行动计划（2019—2022年）"
    assert plan.title_en.startswith("Zhejiang Province Action Plan to Promote the Development")
    assert plan.issuer_zh == "浙江省人民政府"
    assert (plan.period_start, plan.period_end) == (dt.date(2019, 1, 1), END_OF_PLAN)
    # The source gives no issue date, and none is invented.
    assert plan.issued_on is None


def test_top_level_parts(plan):
    top = list(PlanItem.objects.filter(plan=plan, parent=None).order_by("order"))
    assert [(i.key, i.kind, i.number) for i in top] == [
        ("P", "preamble", ""),
        ("I", "part", "一"),
        ("II", "part", "二"),
        ("III", "part", "三"),
        ("IV", "part", "四"),
    ]
    assert [i.title_zh for i in top[1:]] == ["行动目标", "主要任务", "实施路径", "保障措施"]


def test_part_one_has_four_objectives(plan):
    objectives = children("I")
    assert [(i.key, i.kind, i.number) for i in objectives] == [
        (f"I.{n}", "objective", f"{n}.") for n in range(1, 5)
    ]


GROUP_NUMBERS = ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]


def test_part_two_has_five_task_groups_with_their_tasks(plan):
    groups = children("II")
    assert [(g.key, g.kind, g.number) for g in groups] == [
        (f"II.{n}", "task_group", GROUP_NUMBERS[n - 1]) for n in range(1, 6)
    ]
    tasks_per_group = {g.key: len(children(g.key, "task")) for g in groups}
    assert tasks_per_group == {"II.1": 3, "II.2": 4, "II.3": 4, "II.4": 0, "II.5": 2}
    # (四) is split into three subgroups: manufacturing, consumer services, public services.
    subgroups = children("II.4")
    assert [(s.key, s.kind, s.number) for s in subgroups] == [
        ("II.4.1", "task_subgroup", "1."),
        ("II.4.2", "task_subgroup", "2."),
        ("II.4.3", "task_subgroup", "3."),
    ]
    assert [len(children(s.key, "task")) for s in subgroups] == [2, 5, 4]


def test_tasks_are_numbered_from_one_in_each_group(plan):
    for parent in ["II.1", "II.2", "II.3", "II.4.1", "II.4.2", "II.4.3", "II.5"]:
        numbers = [t.number for t in children(parent, "task")]
        assert numbers == [f"{n}." for n in range(1, len(numbers) + 1)], parent


def test_part_three_has_six_path_groups(plan):
    assert [(g.key, g.kind, g.number) for g in children("III")] == [
        (f"III.{n}", "path_group", GROUP_NUMBERS[n - 1]) for n in range(1, 7)
    ]


def test_part_four_has_six_measures(plan):
    assert [(g.key, g.kind, g.number) for g in children("IV")] == [
        (f"IV.{n}", "measure", GROUP_NUMBERS[n - 1]) for n in range(1, 7)
    ]


@pytest.mark.parametrize(
    ("number", "parent", "entries"),
    [
        ("专栏1", "II.1", 7),
        ("专栏2", "II.2", 6),
        ("专栏3", "III.1", 3),
        ("专栏4", "III.2", 8),
        ("专栏5", "III.3", 7),
        ("专栏6", "III.4", 7),
    ],
)
def test_columns(plan, number, parent, entries):
    column = PlanItem.objects.get(plan=plan, kind="column", number=number)
    assert column.parent.key == parent
    listed = list(column.children.order_by("order"))
    assert [e.kind for e in listed] == ["column_entry"] * entries
    assert [e.number for e in listed] == [f"{n}." for n in range(1, entries + 1)]


def test_there_are_exactly_six_columns(plan):
    columns = PlanItem.objects.filter(plan=plan, kind="column").order_by("order")
    assert [c.number for c in columns] == [f"专栏{n}" for n in range(1, 7)]


def test_column_six_bases_are_the_cities_in_the_plans_order(plan):
    bases = children("III.4.C6")
    assert [b.city for b in bases] == [
        "hangzhou",
        "ningbo",
        "jiaxing",
        "huzhou",
        "shaoxing",
        "taizhou",
        "wenzhou",
    ]
    assert [unit_codes(b) for b in bases] == [[f"{b.city}-gov"] for b in bases]


def test_items_come_back_in_the_plans_order(plan):
    walked = list(walk_items(plan_data()["items"]))
    in_file_order = [entry["key"] for entry, _parent, _depth in walked]
    rows = list(PlanItem.objects.filter(plan=plan).order_by("order"))
    assert [i.key for i in rows] == in_file_order
    orders = [i.order for i in rows]
    assert all(a < b for a, b in pairwise(orders))
    assert rows[0].key == "P" and rows[0].kind == "preamble"
    assert rows[-1].key == "IV.6" and rows[-1].kind == "measure"
    # The tree is the file's tree.
    by_key = {i.key: i for i in rows}
    for entry, parent, depth in walked:
        row = by_key[entry["key"]]
        assert (row.parent.key if row.parent else None, row.depth) == (parent, depth), row.key


def test_a_depth_first_walk_of_the_stored_tree_visits_items_in_order(plan):
    visited: list[int] = []

    def walk(nodes):
        for node in nodes:
            visited.append(node.order)
            walk(node.children.order_by("order"))

    walk(PlanItem.objects.filter(plan=plan, parent=None).order_by("order"))
    assert len(visited) == PlanItem.objects.filter(plan=plan).count()
    assert all(a < b for a, b in pairwise(visited))


def test_item_counts_by_kind(plan):
    counts = {
        kind: PlanItem.objects.filter(plan=plan, kind=kind).count() for kind in PlanItem.Kind.values
    }
    assert counts == {
        "preamble": 1,
        "part": 4,
        "objective": 4,
        "task_group": 5,
        "task_subgroup": 3,
        "task": 24,
        "path_group": 6,
        "path_item": 1,
        "measure": 6,
        "column": 6,
        "column_entry": 38,
    }


# --- texts -----------------------------------------------------------------------------------


def test_part_one_and_objectives_one_and_two_keep_the_original_chinese(plan):
    assert item("I").text_zh.startswith("以数字经济为引领")
    assert "成为全国领先的新一代人工智能核心技术引领区" in item("I").text_zh
    assert item("I.1").text_zh.startswith("关键领域取得突破。")
    assert "智能核心芯片" in item("I.1").text_zh
    assert item("I.2").text_zh.startswith("基础能力显著增强。")
    assert item("I.1").title_zh == "关键领域取得突破"
    assert item("I.2").title_zh == "基础能力显著增强"


def test_only_the_chinese_paragraphs_are_in_chinese(plan):
    with_zh = set(
        PlanItem.objects.filter(plan=plan).exclude(text_zh="").values_list("key", flat=True)
    )
    assert with_zh == {"I", "I.1", "I.2"}


PARAGRAPH_KINDS = ["preamble", "objective", "task", "path_group", "path_item", "measure"]
PARAGRAPH_KINDS += ["column_entry"]


def test_every_paragraph_item_has_its_text(plan):
    """Each item the plan gives a paragraph has it: in English, or in the original Chinese."""
    paragraphs = PlanItem.objects.filter(plan=plan, kind__in=PARAGRAPH_KINDS)
    assert paragraphs.count() == 80
    assert [i.key for i in paragraphs if not i.text_en and i.key not in ("I.1", "I.2")] == []
    assert item("P").text_en.startswith("Artificial intelligence is a strategic technology")
    assert item("I.3").text_en.startswith("The competitiveness of enterprises is outstanding.")
    # Groups have an introduction where the source gives one: all but (一) of the key tasks.
    groups = PlanItem.objects.filter(plan=plan, kind__in=["task_group", "task_subgroup"])
    assert sorted(g.key for g in groups if not g.text_en) == ["II.1"]
    assert item("II.4.3").text_en.startswith("The focus is on expanding applications")


def test_every_item_has_both_titles(plan):
    untitled = PlanItem.objects.filter(plan=plan).filter(title_zh="") | PlanItem.objects.filter(
        plan=plan, title_en=""
    )
    assert list(untitled.values_list("key", flat=True)) == []


def test_texts_are_the_plans_own_words(plan, plan_text):
    """Every stored paragraph appears word for word in lines 14–191 of the source."""
    not_found = [
        (i.key, lang)
        for i in PlanItem.objects.filter(plan=plan)
        for lang, text in (("en", i.text_en), ("zh", i.text_zh))
        if text and squash(text) not in plan_text
    ]
    assert not_found == []


def test_the_chinese_paragraphs_are_the_source_lines(plan, seed_lines):
    assert item("I").text_zh == seed_lines[16].strip()
    assert item("I.1").text_zh == seed_lines[17].strip()
    assert item("I.2").text_zh == seed_lines[18].strip()


# --- targets ---------------------------------------------------------------------------------

P, S = "province", "shaoxing"
PROJECTS, ENTERPRISES = "projects", "enterprises"
ACCEPTED = "accepted"

# code: (stated in, value, unit of measure, scope, units (first leads), source kind, register,
#        summed field, filter, scale)
TARGETS = {
    "ent-leading": (
        "I.3", 10, "家", P, ["econ-it"], "count", ENTERPRISES, "", {"tier": "leading"}, 1
    ),
    "ent-benchmark": (
        "I.3", 100, "家", P, ["econ-it"], "count", ENTERPRISES, "", {"tier": "benchmark"}, 1
    ),
    "ent-specialised": (
        "I.3", 500, "家", P, ["econ-it"], "count", ENTERPRISES, "", {"tier": "specialised"}, 1
    ),
    "platform-provincial": (
        "I.4", 10, "个", P, ["econ-it", "sci-tech", "drc"], "count", PROJECTS, "",
        {"kind": "platform", "level": "provincial", "status": "accepted"}, 1,
    ),
    "ic-12inch-line": (
        "II.2.1", 1, "条", P, ["econ-it", "sci-tech"], "reported", "", "", {}, 1
    ),
    "demo-projects": (
        "II.4.1.1", 500, "个", P, ["econ-it"], "count", PROJECTS, "",
        {"kind": "demonstration", "level": ["provincial", "national"], "status": ACCEPTED}, 1,
    ),
    "smart-factories": (
        "II.4.1.1", 100, "个", P, ["econ-it"], "count", PROJECTS, "",
        {"kind": "smart_factory", "status": ACCEPTED}, 1,
    ),
    "robots-in-service": (
        "II.4.1.1", 150000, "台", P, ["econ-it"], "reported", "", "", {}, 1
    ),
    "robot-density": (
        "II.4.1.1", 200, "台/万人", P, ["econ-it"], "reported", "", "", {}, 1
    ),
    "first-sets": (
        "II.4.1.2", 500, "台(套)", P, ["econ-it", "sci-tech"], "count", PROJECTS, "",
        {"kind": "first_set", "status": ACCEPTED}, 1,
    ),
    "major-project-investment": (
        "III.2", 1000, "亿元", P, ["econ-it", "mil-civ", "drc", "sci-tech", "commerce"],
        "sum", PROJECTS, "planned_investment",
        {"kind": "major", "status": ["under_construction", "completed", ACCEPTED]},
        Decimal("0.0001"),
    ),
    "sx-smart-products": (
        "III.4.C6.5", 100, "个", S, ["shaoxing-gov"], "count", PROJECTS, "",
        {"kind": "smart_product", "city": "shaoxing", "status": ACCEPTED}, 1,
    ),
    "sx-first-sets": (
        "III.4.C6.5", 100, "台(套)", S, ["shaoxing-gov"], "count", PROJECTS, "",
        {"kind": "first_set", "city": "shaoxing", "status": ACCEPTED}, 1,
    ),
    "sx-demo-projects": (
        "III.4.C6.5", 100, "个", S, ["shaoxing-gov"], "count", PROJECTS, "",
        {"kind": "demonstration", "city": "shaoxing", "status": ACCEPTED}, 1,
    ),
    "talent-policies": (
        "IV.6", 12, "项", P, ["talent-office"], "reported", "", "", {}, 1
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("code", "stated_in", "value", "measure", "scope", "units", "kind", "register", "summed",
     "filter_", "scale"),
    [(code, *row) for code, row in TARGETS.items()],
)  # fmt: skip
def test_target(
    plan, code, stated_in, value, measure, scope, units, kind, register, summed, filter_, scale
):
    target = Target.objects.get(plan=plan, code=code)
    assert target.item.key == stated_in
    assert target.target_value == Decimal(value)
    assert target.unit_of_measure == measure
    assert target.unit_of_measure_en
    # 以上 / "more than" / "reach": the number itself counts, so "at least".
    assert target.comparator == "gte"
    assert target.deadline == END_OF_PLAN
    assert target.scope == scope
    assert unit_codes(target) == units
    assert lead_code(target) == units[0]
    assert target.source_kind == kind
    assert target.source_register == register
    assert target.source_field == summed
    assert target.source_filter == filter_
    assert target.source_scale == Decimal(scale)
    assert target.growth_model == "linear"
    assert target.baseline_value is None and target.baseline_date is None
    assert target.title_zh and target.title_en and target.quote


def test_exactly_the_fifteen_targets(plan):
    """A new target must be added to the table above deliberately."""
    assert sorted(Target.objects.filter(plan=plan).values_list("code", flat=True)) == sorted(
        TARGETS
    )


def test_target_quotes_are_the_plans_words(plan, plan_text):
    misquoted = [t.code for t in Target.objects.filter(plan=plan) if t.quote not in plan_text]
    assert misquoted == []


def test_column_three_restates_the_enterprise_targets(plan):
    restated = {
        t.code: sorted(t.restated_in.values_list("key", flat=True))
        for t in Target.objects.filter(plan=plan)
        if t.restated_in.exists()
    }
    assert restated == {
        "ent-leading": ["III.1.C3.1"],
        "ent-benchmark": ["III.1.C3.2"],
        "ent-specialised": ["III.1.C3.3"],
    }


# --- responsible units -----------------------------------------------------------------------

ECON_IT_SPELLINGS = [
    "Provincial Department of Economy and Information Technology",
    "Provincial Department of Economics and Information Technology",
    "Provincial Department of Economic and Information Technology",
]


def resolve(name: str) -> str | None:
    """The unit a spelling in the source names, by its English name or one of its aliases."""
    codes = {
        u.code
        for u in ResponsibleUnit.objects.all()
        if name == u.name_en or name in (u.aliases or [])
    }
    assert len(codes) <= 1, f"{name!r} names several units: {codes}"
    return codes.pop() if codes else None


@pytest.mark.parametrize("spelling", ECON_IT_SPELLINGS)
def test_the_three_spellings_of_the_economy_department_are_one_unit(plan, spelling):
    assert resolve(spelling) == "econ-it"


def test_units_are_distinct(plan):
    units = list(ResponsibleUnit.objects.all())
    assert len(units) == 33  # 22 provincial bodies and groups named in the plan, 11 cities
    assert len({u.name_en for u in units}) == len(units)
    assert len({u.name_zh for u in units}) == len(units)
    # No spelling (English name or alias, in any case) names two units.
    owners: dict[str, set[str]] = {}
    for u in units:
        for spelling in [u.name_en, *u.aliases]:
            owners.setdefault(spelling.casefold(), set()).add(u.code)
    assert {s: codes for s, codes in owners.items() if len(codes) > 1} == {}
    city_governments = ResponsibleUnit.objects.filter(kind="city_government")
    assert sorted(city_governments.values_list("city", flat=True)) == sorted(
        [
            *("hangzhou", "ningbo", "wenzhou", "jiaxing", "huzhou", "shaoxing"),
            *("jinhua", "quzhou", "zhoushan", "taizhou", "lishui"),
        ]
    )


@pytest.mark.parametrize(
    ("key", "units"),
    [
        ("II.1.1", ["sci-tech", "econ-it"]),
        ("II.1.3", ["sci-tech", "econ-it", "drc"]),
        ("II.2.1", ["econ-it", "sci-tech"]),
        ("II.4.1.1", ["econ-it"]),
        ("II.4.2.1", ["health", "sci-tech", "econ-it"]),
        ("II.4.2.5", ["finance-bureau"]),
        ("II.4.3.3", ["local-govs"]),
        ("II.5.2", ["mil-civ", "econ-it"]),
        ("III.4", ["econ-it", "drc", "sci-tech", "commerce", "local-govs"]),
        ("IV.1", ["relevant-depts", "local-govs"]),
        ("IV.6", ["talent-office", "education", "sci-tech", "hrss"]),
    ],
)
def test_the_first_named_unit_leads(plan, key, units):
    assert unit_codes(item(key)) == units
    assert lead_code(item(key)) == units[0]
    assert item(key).lead_unit.code == units[0]
    assert not ItemUnit.objects.filter(item=item(key), is_lead=True).exclude(order=0).exists()


def test_every_linked_item_and_target_has_exactly_one_lead(plan):
    for link_model, owner in ((ItemUnit, "item"), (TargetUnit, "target")):
        owners = set(link_model.objects.values_list(f"{owner}_id", flat=True))
        leads = list(link_model.objects.filter(is_lead=True).values_list(f"{owner}_id", "order"))
        assert sorted(o for o, _ in leads) == sorted(owners)
        assert {order for _, order in leads} == {0}


UNIT_LIST = re.compile(r"\((?:Responsible units?:\s*)?([^()]*)\)\s*$")


def unit_lists(seed_lines) -> dict[int, list[str]]:
    """The units each paragraph of the plan ends with, by line: "(Responsible units: A, B)".

    Five items of II.4.2 end with the list without the words "Responsible units".
    """
    found = {}
    for number in PLAN_LINES:
        match = UNIT_LIST.search(seed_lines[number])
        if match:
            names = [n.strip() for n in match.group(1).split(",")]
            found[number] = [re.sub(r"^and\s+", "", n) for n in names if n]
    return found


def test_every_unit_the_source_names_resolves(plan, seed_lines):
    lists = unit_lists(seed_lines)
    labelled = [n for n in lists if "(Responsible unit" in seed_lines[n]]
    assert (len(lists), len(labelled)) == (36, 31)
    unresolved = sorted({name for names in lists.values() for name in names if not resolve(name)})
    assert unresolved == []
    named = {resolve(name) for names in lists.values() for name in names}
    assert len(named) == 22


def yaml_source_lines() -> dict[str, set[int]]:
    """The source lines the plan file's "# line N[, M]" comments give for each item."""
    lines, found, pending = PLAN_FILE.read_text(encoding="utf-8").splitlines(), {}, None
    for text in lines:
        comment = re.match(r"\s*# line (\d+)(?:, (\d+))?\s*$", text)
        if comment:
            pending = {int(n) for n in comment.groups() if n}
            continue
        key = re.match(r"\s*- key: (\S+)", text)
        if key and pending:
            found[key.group(1)] = pending
        pending = None
    return found


def test_each_item_has_the_units_its_source_paragraph_names(plan, seed_lines):
    """Compare every unit list in the source with the item the plan file says it belongs to."""
    sources = yaml_source_lines()
    mismatches = []
    for number, names in unit_lists(seed_lines).items():
        keys = [key for key, lines in sources.items() if number in lines]
        assert len(keys) == 1, f"line {number} belongs to {keys}"
        expected = [resolve(name) for name in names]
        if unit_codes(item(keys[0])) != expected:
            mismatches.append((number, keys[0], unit_codes(item(keys[0])), expected))
    assert mismatches == []


# --- enterprises the plan names ----------------------------------------------------------------

NAMED = ["Alibaba", "Geely", "Hikvision", "Dahua", "NetEase", "Ant Financial"]
NAMED += ["Cainiao Network", "Chuanhua Zhilian"]


def test_named_leading_enterprises_are_in_the_register_without_claims(plan):
    enterprises = list(Enterprise.objects.filter(plan_key__isnull=False))
    assert sorted(e.name_en for e in enterprises) == sorted(NAMED)
    for e in enterprises:
        # The plan gives neither a recognition nor a credit code: none is claimed.
        assert (e.tier, e.recognised_on, e.credit_code) == ("", None, None), e.name_en
        assert e.status == "active" and e.city == "hangzhou"
        assert list(e.named_in.values_list("key", flat=True)) == ["III.1.C3.1"]
    assert not enterprises_counted_on(END_OF_PLAN).exists()


def test_named_enterprises_appear_in_the_text_that_names_them(plan):
    text = item("III.1.C3.1").text_en
    assert [name for name in NAMED if name not in text] == []


# --- loading again --------------------------------------------------------------------------
# These run on top of the module's loaded plan, inside the test's transaction.


def test_loading_twice_changes_nothing(plan):
    before = db_snapshot()
    output = load()
    assert db_snapshot() == before
    assert "Plan zj-ai-2019-2022: 33 units, 98 items, 15 targets, 8 named enterprises." in output
    assert "Already up to date: nothing changed." in output
    assert "created" not in output and "updated" not in output


def test_a_reserialised_file_changes_nothing(plan, tmp_path):
    """The same content written out differently (no comments, other quoting) is the same plan."""
    before = db_snapshot()
    output = load(file=write_plan(tmp_path / "same.yaml", plan_data()))
    assert "Already up to date: nothing changed." in output
    assert db_snapshot() == before


def test_a_changed_file_updates_the_target_and_audits_it(plan, tmp_path):
    target = Target.objects.get(plan=plan, code="robots-in-service")
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    rows_before = db_snapshot()

    data = plan_data()
    find_target(data, "robots-in-service")["value"] = 160000
    output = load(file=write_plan(tmp_path / "plan.yaml", data))

    target.refresh_from_db()
    assert target.target_value == Decimal(160000)
    assert output.endswith("1 targets updated.\n")
    new = list(AuditEvent.objects.filter(seq__gt=last_seq))
    assert len(new) == 1
    event = new[0]
    assert (event.action, event.object_type, event.object_id) == (
        "update",
        "targets.target",
        str(target.pk),
    )
    assert set(event.before) == set(event.after) == {"target_value", "version"}
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert Decimal(event.before["target_value"]) == 150000
    assert Decimal(event.after["target_value"]) == 160000
    assert event.actor_label == "command:load_action_plan"

    # Nothing else moved.
    rows_after = db_snapshot()
    for label, rows in rows_before.items():
        if label not in ("targets.Target", "audit.AuditEvent", "audit.AuditChainHead"):
            assert rows_after[label] == rows, label
    changed = [
        (after["code"], after["target_value"])
        for after, before in zip(
            rows_after["targets.Target"], rows_before["targets.Target"], strict=True
        )
        if after != before
    ]
    assert changed == [("robots-in-service", Decimal("160000.0000"))]
