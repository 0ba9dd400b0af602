"""Synthetic demo data for the registers and the reported targets (`manage.py seed_demo`).

Every row is marked: `is_demo=True`, names starting with 演示· (English: "Demo "). One
`random.Random(seed)` drives everything, so the same scale and seed give the same rows; a run
first deletes the demo rows of the previous one. Rows are generated and inserted chunk by
chunk with `bulk_create`, never one query per row, so scale 100 (a million figures) stays fast
and light on memory.

Shapes (DESIGN.md §3): the sets that feed the register targets have fixed sizes whatever the
scale — 9 leading, 85 benchmark and 430 specialised enterprises (a few later revoked), 430
accepted demonstration projects, 85 smart factories, 520 first sets, 9 provincial platforms,
60 of each Shaoxing kind, major projects worth about 850 亿元 — so the targets land in
different statuses. Everything added by the scale is filler that no target counts.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.db import models, reset_queries, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from audit.context import acting_as
from audit.services import record_event
from enterprises.choices import EnterpriseStatus, Tier
from enterprises.models import Enterprise
from enterprises.uscc import ALPHABET, check_character
from plans.models import Plan, ResponsibleUnit
from projects.choices import ProjectKind, ProjectLevel, ProjectStatus
from projects.models import Project
from targets.choices import MeasurementState, Register, SourceKind
from targets.models import Measurement, Target, TargetUnit
from targets.services import close_due_targets
from taskreports.models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskReport,
)
from taskreports.tasks import remind_units
from zjai.choices import City, Sector
from zjai.dates import today

from .task_reports import build_task_reports, review_rounds
from .users import DemoPeople, UsersResult, demo_people, ensure_demo_users

PLAN_CODE = "zj-ai-2019-2022"
DEFAULT_SEED = 2019
BATCH_SIZE = 5000  # rows per INSERT
CHUNK_SIZE = 5000  # rows generated in memory at a time
ENTERPRISES_PER_SCALE = 1_000
PROJECTS_PER_SCALE = 1_000
MEASUREMENTS_PER_SCALE = 10_000
PREFIX_ZH = "演示·"
PREFIX_EN = "Demo "
ECON_IT = "econ-it"
# Timestamps of demo figures never run past this instant.
LATEST_TIMESTAMP = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)


class SeedError(Exception):
    """A reason the demo data cannot be seeded; the command shows it as one line."""


# --- small helpers -------------------------------------------------------------------------


def chunked(rows: Iterable[T], size: int = CHUNK_SIZE) -> Iterator[list[T]]:
    iterator = iter(rows)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def bulk_insert(model: type[M], rows: Iterable[M]) -> int:
    """Insert rows chunk by chunk; returns how many."""
    count = 0
    for chunk in chunked(rows):
        model._default_manager.bulk_create(chunk, batch_size=BATCH_SIZE)
        count += len(chunk)
        reset_queries()  # with DEBUG on, Django keeps every SQL text: megabytes per chunk
    return count


def weighted_picker(rng: random.Random, weights: Mapping[T, float]) -> Callable[[], T]:
    """A function drawing one key at a time, with the given weights."""
    keys = list(weights)
    cum = list(itertools.accumulate(weights[k] for k in keys))
    return lambda: rng.choices(keys, cum_weights=cum)[0]


def date_between(rng: random.Random, start: dt.date, end: dt.date, skew: float = 1.0) -> dt.date:
    """A day in [start, end]. skew > 1 crowds the days toward the start, < 1 toward the end."""
    span = (end - start).days
    return start + dt.timedelta(days=int(rng.random() ** skew * (span + 1)) if span else 0)


def moment(day: dt.date, rng: random.Random, after_days: tuple[int, int]) -> dt.datetime:
    """An aware office-hours instant some days after `day`, never past LATEST_TIMESTAMP."""
    shifted = day + dt.timedelta(days=rng.randint(*after_days))
    at = dt.datetime.combine(
        shifted,
        dt.time(rng.randint(9, 17), rng.randrange(60), rng.randrange(60)),
        tzinfo=timezone.get_default_timezone(),
    )
    return min(at, LATEST_TIMESTAMP)


# --- places and words ----------------------------------------------------------------------


@dataclass(frozen=True)
class CityInfo:
    code: str
    name_zh: str
    name_en: str
    division: str  # administrative division code (GB/T 2260) of the city
    weight: float


CITIES: tuple[CityInfo, ...] = (
    CityInfo(City.HANGZHOU, "杭州", "Hangzhou", "330100", 30),
    CityInfo(City.NINGBO, "宁波", "Ningbo", "330200", 18),
    CityInfo(City.WENZHOU, "温州", "Wenzhou", "330300", 9),
    CityInfo(City.JIAXING, "嘉兴", "Jiaxing", "330400", 8),
    CityInfo(City.HUZHOU, "湖州", "Huzhou", "330500", 6),
    CityInfo(City.SHAOXING, "绍兴", "Shaoxing", "330600", 8),
    CityInfo(City.JINHUA, "金华", "Jinhua", "330700", 7),
    CityInfo(City.QUZHOU, "衢州", "Quzhou", "330800", 3),
    CityInfo(City.ZHOUSHAN, "舟山", "Zhoushan", "330900", 2),
    CityInfo(City.TAIZHOU, "台州", "Taizhou", "331000", 6),
    CityInfo(City.LISHUI, "丽水", "Lishui", "331100", 3),
)
CITY_BY_CODE = {c.code: c for c in CITIES}

# Sector → (weight, Chinese business word, English business word).
SECTORS: dict[str, tuple[float, str, str]] = {
    Sector.SECURITY: (8, "安防科技", "Security Technology"),
    Sector.ROBOTS: (10, "机器人", "Robotics"),
    Sector.COMPONENTS: (8, "智能部件", "Intelligent Components"),
    Sector.WEARABLES: (3, "可穿戴科技", "Wearable Technology"),
    Sector.VR: (3, "虚拟现实科技", "Virtual Reality Technology"),
    Sector.DRONES: (3, "无人机", "Drones"),
    Sector.RECOGNITION: (6, "识别技术", "Recognition Technology"),
    Sector.SMART_HOME: (7, "智能家居", "Smart Home"),
    Sector.CHIPS: (5, "微电子", "Microelectronics"),
    Sector.SOFTWARE: (12, "软件", "Software"),
    Sector.VEHICLES: (5, "智能网联汽车科技", "Connected Vehicle Technology"),
    Sector.MANUFACTURING: (14, "智能装备", "Intelligent Equipment"),
    Sector.FINANCE: (4, "金融科技", "Fintech"),
    Sector.LOGISTICS: (4, "智慧物流", "Smart Logistics"),
    Sector.HEALTHCARE: (5, "医疗科技", "Medical Technology"),
    Sector.OTHER: (3, "信息技术", "Information Technology"),
}

# Syllables of made-up trade names, with their pinyin.
SYLLABLES: tuple[tuple[str, str], ...] = (
    ("智", "Zhi"), ("慧", "Hui"), ("云", "Yun"), ("数", "Shu"), ("联", "Lian"), ("芯", "Xin"),
    ("创", "Chuang"), ("睿", "Rui"), ("星", "Xing"), ("航", "Hang"), ("视", "Shi"), ("达", "Da"),
    ("瀚", "Han"), ("博", "Bo"), ("锐", "Rui"), ("擎", "Qing"), ("图", "Tu"), ("灵", "Ling"),
    ("感", "Gan"), ("算", "Suan"), ("衡", "Heng"), ("拓", "Tuo"), ("微", "Wei"), ("景", "Jing"),
)  # fmt: skip

KIND_WORDS: dict[str, tuple[str, str]] = {
    ProjectKind.MAJOR: ("人工智能重大项目", "major AI project"),
    ProjectKind.DEMONSTRATION: ("智能制造新模式应用示范项目", "intelligent manufacturing demo"),
    ProjectKind.SMART_FACTORY: ("智能工厂", "smart factory"),
    ProjectKind.FIRST_SET: ("首台（套）智能装备", "first-set intelligent equipment"),
    ProjectKind.SMART_PRODUCT: ("智能升级产品", "smart upgrade product"),
    ProjectKind.PLATFORM: ("人工智能创新平台", "AI innovation platform"),
    ProjectKind.BASE: ("人工智能产业基地", "AI industrial base"),
}


def trade_name(rng: random.Random) -> tuple[str, str]:
    first, second = rng.sample(SYLLABLES, 2)
    return first[0] + second[0], first[1] + second[1].lower()


# --- credit codes --------------------------------------------------------------------------

DEMO_ORG_PREFIX = "MA"  # organisation ids of demo enterprises: MA + 7 characters of a counter


def organisation_id(counter: int) -> str:
    """The 9-character organisation id of the n-th demo enterprise: MA + base 31 over ALPHABET."""
    digits = []
    for _ in range(9 - len(DEMO_ORG_PREFIX)):
        counter, rest = divmod(counter, len(ALPHABET))
        digits.append(ALPHABET[rest])
    if counter:
        raise ValueError("demo organisation ids exhausted")
    return DEMO_ORG_PREFIX + "".join(reversed(digits))


def credit_code(division: str, counter: int) -> str:
    """A valid unified social credit code (GB 32100-2015) of an enterprise (91) in a division."""
    first17 = "91" + division + organisation_id(counter)
    return first17 + check_character(first17)


def credit_codes(taken: set[str]) -> Callable[[str], str]:
    """A source of unique codes per division, skipping the codes in `taken`."""
    counter = itertools.count(1)

    def next_code(division: str) -> str:
        while (code := credit_code(division, next(counter))) in taken:
            pass
        return code

    return next_code


# --- enterprises ---------------------------------------------------------------------------

TIER_COUNTS: dict[str, int] = {Tier.LEADING: 9, Tier.BENCHMARK: 85, Tier.SPECIALISED: 430}
# When recognitions come: > 1 early in the period, < 1 late (targets get different paces).
TIER_SKEW: dict[str, float] = {Tier.LEADING: 1.8, Tier.BENCHMARK: 1.0, Tier.SPECIALISED: 0.75}
RECOGNISED_FROM = dt.date(2019, 3, 1)
RECOGNISED_UNTIL = dt.date(2022, 12, 31)
REVOKED_SHARE = 0.03
REVOKED_UNTIL = dt.date(2022, 12, 31)


@dataclass(frozen=True)
class EnterpriseSettings:
    count: int
    owner_unit_id: int | None
    recognised_by: str
    taken_codes: set[str]


def tier_positions(rng: random.Random, count: int) -> dict[int, str]:
    """Which of `count` enterprises carry which tier (fixed numbers, at random positions)."""
    tiers = [tier for tier, n in TIER_COUNTS.items() for _ in range(n)]
    positions = rng.sample(range(count), min(len(tiers), count))
    return dict(zip(positions, tiers, strict=False))


def recognition(rng: random.Random, tier: str, recognised_by: str) -> dict[str, Any]:
    recognised_on = date_between(rng, RECOGNISED_FROM, RECOGNISED_UNTIL, TIER_SKEW[tier])
    values: dict[str, Any] = {
        "tier": tier,
        "recognised_on": recognised_on,
        "recognised_by": recognised_by,
    }
    if rng.random() < REVOKED_SHARE:
        values["status"] = EnterpriseStatus.REVOKED
        values["revoked_on"] = date_between(
            rng, min(recognised_on + dt.timedelta(days=90), REVOKED_UNTIL), REVOKED_UNTIL
        )
    return values


def enterprise_rows(rng: random.Random, settings: EnterpriseSettings) -> Iterator[Enterprise]:
    pick_city = weighted_picker(rng, {c.code: c.weight for c in CITIES})
    pick_sector = weighted_picker(rng, {code: w for code, (w, _, _) in SECTORS.items()})
    next_code = credit_codes(settings.taken_codes)
    tiers = tier_positions(rng, settings.count)
    for index in range(settings.count):
        city = CITY_BY_CODE[pick_city()]
        sector = pick_sector()
        _, word_zh, word_en = SECTORS[sector]
        name_zh, name_en = trade_name(rng)
        extra = recognition(rng, tiers[index], settings.recognised_by) if index in tiers else {}
        yield Enterprise(
            name_zh=f"{PREFIX_ZH}{city.name_zh}{name_zh}{word_zh}有限公司",
            name_en=f"{PREFIX_EN}{city.name_en} {name_en} {word_en} Co., Ltd.",
            credit_code=next_code(city.division),
            city=city.code,
            sector=sector,
            owner_unit_id=settings.owner_unit_id,
            is_demo=True,
            **extra,
        )


# --- projects ------------------------------------------------------------------------------

ANY_CITY, ONLY_SHAOXING, NOT_SHAOXING = "any", "shaoxing", "not-shaoxing"
ACCEPTED_FROM = dt.date(2019, 1, 15)
ACCEPTED_UNTIL = dt.date(2022, 12, 31)
EARLIEST_START = dt.date(2018, 6, 1)
LATEST_START = dt.date(2022, 12, 31)


@dataclass(frozen=True)
class FeedingSet:
    """Accepted projects of one kind that feed a target; the size does not scale."""

    kind: str
    count: int
    levels: dict[str, float]
    cities: str = ANY_CITY
    skew: float = 1.0  # when acceptances come (see date_between)
    unit_codes: dict[str, float] = field(default_factory=lambda: {ECON_IT: 1})


FEEDING_SETS: tuple[FeedingSet, ...] = (
    # demo-projects (≥ 500 provincial or national): 430
    FeedingSet(
        ProjectKind.DEMONSTRATION,
        430,
        {ProjectLevel.PROVINCIAL: 85, ProjectLevel.NATIONAL: 15},
        NOT_SHAOXING,
    ),
    # sx-demo-projects (≥ 100 in Shaoxing): 60, recognised by the city
    FeedingSet(ProjectKind.DEMONSTRATION, 60, {ProjectLevel.CITY: 1}, ONLY_SHAOXING, 0.9),
    # smart-factories (≥ 100): 85, most accepted late
    FeedingSet(ProjectKind.SMART_FACTORY, 85, {ProjectLevel.PROVINCIAL: 1}, ANY_CITY, 0.7),
    # first-sets (≥ 500): 460 elsewhere + 60 in Shaoxing = 520, achieved before the deadline
    FeedingSet(ProjectKind.FIRST_SET, 460, {ProjectLevel.PROVINCIAL: 1}, NOT_SHAOXING, 1.5),
    FeedingSet(ProjectKind.FIRST_SET, 60, {ProjectLevel.PROVINCIAL: 1}, ONLY_SHAOXING, 1.2),
    # sx-smart-products (≥ 100 in Shaoxing): 60
    FeedingSet(ProjectKind.SMART_PRODUCT, 60, {ProjectLevel.CITY: 1}, ONLY_SHAOXING),
    # platform-provincial (≥ 10): 9
    FeedingSet(
        ProjectKind.PLATFORM,
        9,
        {ProjectLevel.PROVINCIAL: 1},
        ANY_CITY,
        1.0,
        {ECON_IT: 5, "sci-tech": 3, "drc": 2},
    ),
)

# major-project-investment (≥ 1000 亿元): projects of 5–200 亿 summing to about 850 亿 (万元).
MAJOR_MIN, MAJOR_MAX = 50_000, 2_000_000
MAJOR_TOTAL = (8_050_000, 8_950_000)
MAJOR_STATUSES = {
    ProjectStatus.UNDER_CONSTRUCTION: 40,
    ProjectStatus.COMPLETED: 25,
    ProjectStatus.ACCEPTED: 35,
}
MAJOR_UNITS = {ECON_IT: 6, "drc": 3, "commerce": 1}

FILLER_STATUSES = {ProjectStatus.PLANNED: 55, ProjectStatus.UNDER_CONSTRUCTION: 45}
FILLER_KINDS = {
    ProjectKind.MAJOR: 5,
    ProjectKind.DEMONSTRATION: 25,
    ProjectKind.SMART_FACTORY: 20,
    ProjectKind.FIRST_SET: 20,
    ProjectKind.SMART_PRODUCT: 15,
    ProjectKind.PLATFORM: 8,
    ProjectKind.BASE: 7,
}
FILLER_LEVELS = {ProjectLevel.NATIONAL: 5, ProjectLevel.PROVINCIAL: 45, ProjectLevel.CITY: 50}
FILLER_UNITS = {
    ProjectKind.PLATFORM: {ECON_IT: 4, "sci-tech": 4, "drc": 2},
    ProjectKind.BASE: {ECON_IT: 6, "drc": 4},
    ProjectKind.MAJOR: MAJOR_UNITS,
}


@dataclass
class ProjectContext:
    """What the project rows draw on: demo enterprises, units and the targets' filters."""

    rng: random.Random
    enterprises: list[tuple[int, str, str]]  # (pk, city, sector), in insertion order
    unit_ids: dict[str, int]
    target_filters: list[dict[str, Any]]
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def __post_init__(self) -> None:
        self.by_scope: dict[str, list[tuple[int, str, str]]] = {
            ANY_CITY: self.enterprises,
            ONLY_SHAOXING: [e for e in self.enterprises if e[1] == City.SHAOXING],
            NOT_SHAOXING: [e for e in self.enterprises if e[1] != City.SHAOXING],
        }
        self.pick_city = weighted_picker(self.rng, {c.code: c.weight for c in CITIES})
        self.pick_sector = weighted_picker(self.rng, {k: w for k, (w, _, _) in SECTORS.items()})

    def place(self, scope: str, with_enterprise: float = 0.9) -> tuple[int | None, str, str]:
        """(enterprise id, city, sector) of a project, from a demo enterprise where one fits."""
        pool = self.by_scope[scope]
        if pool and self.rng.random() < with_enterprise:
            return self.rng.choice(pool)
        if scope == ONLY_SHAOXING:
            return None, City.SHAOXING, self.pick_sector()
        city = self.pick_city()
        while scope == NOT_SHAOXING and city == City.SHAOXING:
            city = self.pick_city()
        return None, city, self.pick_sector()

    def owner_unit_id(self, level: str, city: str, weights: Mapping[str, float]) -> int | None:
        """A city-level project belongs to its city's government; others to a department."""
        if level == ProjectLevel.CITY and f"{city}-gov" in self.unit_ids:
            return self.unit_ids[f"{city}-gov"]
        code = self.rng.choices(list(weights), weights=list(weights.values()))[0]
        return self.unit_ids.get(code, self.unit_ids.get(ECON_IT))

    def counted_by_a_target(self, values: dict[str, Any]) -> bool:
        """Whether some target's register filter matches these values (whatever the dates)."""
        for target_filter in self.target_filters:
            if all(
                values.get(name) in (wanted if isinstance(wanted, list) else [wanted])
                for name, wanted in target_filter.items()
            ):
                return True
        return False


def investment(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount in 万元, log-uniform between low and high, rounded to 10 万元."""
    amount = math.exp(rng.uniform(math.log(low), math.log(high)))
    return Decimal(int(amount / 10) * 10)


def completed_share(rng: random.Random, status: str, planned: Decimal) -> Decimal | None:
    """Investment completed so far: none when planned, part of it while building, about all
    of it once completed or accepted."""
    if status == ProjectStatus.PLANNED:
        return None
    if status == ProjectStatus.UNDER_CONSTRUCTION:
        share = rng.uniform(0.1, 0.8)
    else:
        share = rng.uniform(0.88, 1.05)
    return (planned * Decimal(f"{share:.4f}")).quantize(Decimal("0.01"))


def project(ctx: ProjectContext, **values: Any) -> Project:
    serial = next(ctx.serial)
    city = CITY_BY_CODE[values["city"]]
    word_zh, word_en = trade_name(ctx.rng)
    kind_zh, kind_en = KIND_WORDS[values["kind"]]
    return Project(
        name_zh=f"{PREFIX_ZH}{city.name_zh}{word_zh}{kind_zh}（{serial:06d}）",
        name_en=f"{PREFIX_EN}{city.name_en} {word_en} {kind_en} #{serial:06d}",
        is_demo=True,
        **values,
    )


def feeding_rows(ctx: ProjectContext, spec: FeedingSet) -> Iterator[Project]:
    pick_level = weighted_picker(ctx.rng, spec.levels)
    for _ in range(spec.count):
        enterprise_id, city, sector = ctx.place(
            spec.cities, 0.5 if spec.kind == ProjectKind.PLATFORM else 0.95
        )
        level = pick_level()
        accepted_on = date_between(ctx.rng, ACCEPTED_FROM, ACCEPTED_UNTIL, spec.skew)
        start = max(accepted_on - dt.timedelta(days=ctx.rng.randint(120, 900)), EARLIEST_START)
        planned = investment(ctx.rng, 500, 30_000)
        yield project(
            ctx,
            kind=spec.kind,
            level=level,
            status=ProjectStatus.ACCEPTED,
            enterprise_id=enterprise_id,
            city=city,
            sector=sector,
            owner_unit_id=ctx.owner_unit_id(level, city, spec.unit_codes),
            planned_investment=planned,
            completed_investment=completed_share(ctx.rng, ProjectStatus.ACCEPTED, planned),
            start_date=start,
            accepted_on=accepted_on,
        )


def major_amounts(rng: random.Random) -> list[int]:
    """Planned investments (万元) of the major projects, each within [MIN, MAX], summing to a
    total drawn from MAJOR_TOTAL."""
    remaining = rng.randrange(*MAJOR_TOTAL, 10)
    amounts = []
    while remaining > 0:
        amount = min(int(investment(rng, MAJOR_MIN, MAJOR_MAX)), remaining)
        if remaining - amount < MAJOR_MIN:
            amount = remaining if remaining <= MAJOR_MAX else remaining - MAJOR_MIN
        amounts.append(amount)
        remaining -= amount
    return amounts


def major_rows(ctx: ProjectContext, amounts: list[int]) -> Iterator[Project]:
    pick_status = weighted_picker(ctx.rng, MAJOR_STATUSES)
    for amount in amounts:
        enterprise_id, city, sector = ctx.place(ANY_CITY, 0.8)
        status = pick_status()
        start = date_between(ctx.rng, EARLIEST_START, dt.date(2022, 9, 30))
        accepted_on = None
        if status == ProjectStatus.ACCEPTED:
            accepted_on = min(start + dt.timedelta(days=ctx.rng.randint(300, 1100)), ACCEPTED_UNTIL)
        planned = Decimal(amount)
        yield project(
            ctx,
            kind=ProjectKind.MAJOR,
            level=ProjectLevel.PROVINCIAL,
            status=status,
            enterprise_id=enterprise_id,
            city=city,
            sector=sector,
            owner_unit_id=ctx.owner_unit_id(ProjectLevel.PROVINCIAL, city, MAJOR_UNITS),
            planned_investment=planned,
            completed_investment=completed_share(ctx.rng, status, planned),
            start_date=start,
            accepted_on=accepted_on,
        )


@dataclass(frozen=True)
class FillerPickers:
    kind: Callable[[], ProjectKind]
    level: Callable[[], ProjectLevel]
    status: Callable[[], ProjectStatus]


def filler_values(ctx: ProjectContext, pick: FillerPickers) -> dict[str, Any]:
    """Kind, level, status and place of a filler project that no target counts (redrawn
    until so)."""
    values: dict[str, Any] = {}
    for _ in range(50):
        enterprise_id, city, sector = ctx.place(ANY_CITY, 0.85)
        values = {
            "kind": pick.kind(),
            "level": pick.level(),
            "status": pick.status(),
            "enterprise_id": enterprise_id,
            "city": city,
            "sector": sector,
        }
        if not ctx.counted_by_a_target(values):
            break
    return values


def filler_rows(ctx: ProjectContext, count: int) -> Iterator[Project]:
    pick = FillerPickers(
        weighted_picker(ctx.rng, FILLER_KINDS),
        weighted_picker(ctx.rng, FILLER_LEVELS),
        weighted_picker(ctx.rng, FILLER_STATUSES),
    )
    for _ in range(count):
        values = filler_values(ctx, pick)
        planned = investment(ctx.rng, 200, 50_000)
        started = values["status"] != ProjectStatus.PLANNED
        yield project(
            ctx,
            **values,
            owner_unit_id=ctx.owner_unit_id(
                values["level"], values["city"], FILLER_UNITS.get(values["kind"], {ECON_IT: 1})
            ),
            planned_investment=planned,
            completed_investment=completed_share(ctx.rng, values["status"], planned),
            start_date=date_between(ctx.rng, EARLIEST_START, LATEST_START) if started else None,
        )


def project_rows(ctx: ProjectContext, total: int) -> tuple[int, Iterator[Project]]:
    """How many projects there will be, and the rows: the feeding sets, the major projects,
    then filler up to `total` (the fixed sets alone may exceed a small total)."""
    amounts = major_amounts(ctx.rng)
    fixed = sum(s.count for s in FEEDING_SETS) + len(amounts)
    filler = max(total - fixed, 0)
    rows = itertools.chain(
        itertools.chain.from_iterable(feeding_rows(ctx, spec) for spec in FEEDING_SETS),
        major_rows(ctx, amounts),
        filler_rows(ctx, filler),
    )
    return fixed + filler, rows


# --- measurements --------------------------------------------------------------------------

QUARTER_ENDS: tuple[dt.date, ...] = tuple(
    dt.date(year, month, 30 if month in (6, 9) else 31)
    for year in range(2019, 2023)
    for month in (3, 6, 9, 12)
)
FILLER_FROM = QUARTER_ENDS[0] + dt.timedelta(days=1)
FILLER_UNTIL = QUARTER_ENDS[-1] - dt.timedelta(days=1)
DRAFT_SHARE, SUBMITTED_SHARE, REJECTED_SHARE = 0.02, 0.01, 0.01
REJECTION_COMMENTS: tuple[str, ...] = (
    "数值与统计部门口径不一致，请核实后重新报送。",
    "缺少佐证材料，请补充统计报表后重新提交。",
    "较上期变动异常，请说明原因。",
    "所报日期与统计期不符，请更正。",
)


@dataclass(frozen=True)
class Trajectory:
    """The figures of a reported target over the period: one value per quarter end, straight
    lines between them (or steps, for counts that jump), rounded to `decimals`."""

    quarterly: tuple[float, ...]
    decimals: int = 0
    steps: bool = False
    noise: float = 0.0  # relative noise of the figures between quarter ends

    def value_on(self, day: dt.date) -> float:
        if day <= QUARTER_ENDS[0]:
            return self.quarterly[0]
        for index in range(1, len(QUARTER_ENDS)):
            if day <= QUARTER_ENDS[index]:
                before, after = QUARTER_ENDS[index - 1], QUARTER_ENDS[index]
                if self.steps:
                    return self.quarterly[index] if day == after else self.quarterly[index - 1]
                share = (day - before).days / (after - before).days
                low, high = self.quarterly[index - 1], self.quarterly[index]
                return low + (high - low) * share
        return self.quarterly[-1]

    def as_decimal(self, value: float) -> Decimal:
        return Decimal(f"{max(value, 0):.{self.decimals}f}")


def curve(start: float, end: float, power: float) -> tuple[float, ...]:
    last = len(QUARTER_ENDS) - 1
    return tuple(start + (end - start) * (q / last) ** power for q in range(last + 1))


TRAJECTORIES: dict[str, Trajectory] = {
    "robots-in-service": Trajectory(curve(80_000, 142_000, 1.1), 0, noise=0.004),
    "robot-density": Trajectory(curve(90, 170, 1.05), 1, noise=0.006),
    "ic-12inch-line": Trajectory((0,) * 8 + (1,) * 8, 0, steps=True),
    "talent-policies": Trajectory(
        (2, 4, 5, 7, 8, 10, 11, 12, 12, 12, 13, 13, 13, 14, 14, 14), 0, steps=True
    ),
}


def default_trajectory(target_value: float, baseline: float) -> Trajectory:
    """For a reported target this module does not know: from 30 % to 85 % of the way."""
    gap = target_value - baseline
    return Trajectory(curve(baseline + 0.3 * gap, baseline + 0.85 * gap, 1.0), 2, noise=0.005)


@dataclass(frozen=True)
class ReportedTarget:
    pk: int
    code: str
    trajectory: Trajectory
    reporter_id: int
    reviewer_id: int
    unit_id: int | None  # the reporting unit: the lead unit, as the reporter is its staff


def reported_targets(plan: Plan, people: DemoPeople) -> list[ReportedTarget]:
    """The plan's reported targets, each with who reports and who approves its figures: staff
    and reviewer of its lead unit, else the admin (who may approve any figure)."""
    targets = list(
        Target.objects.filter(plan=plan, source_kind=SourceKind.REPORTED).order_by("order", "code")
    )
    leads = dict(
        TargetUnit.objects.filter(target__in=targets, is_lead=True).values_list(
            "target_id", "unit_id"
        )
    )
    admin_id = people.id_of("admin")
    if admin_id is None:
        if targets:
            raise SeedError(
                "the demo users are missing: run seed_demo without --no-users to create them"
            )
        return []
    result = []
    for target in targets:
        lead = leads.get(target.pk)
        reporter = people.staff_of_unit(lead) or admin_id
        reviewer = people.reviewer_of_unit(lead) or admin_id
        if reviewer == reporter:  # nobody approves their own figure
            reviewer = people.id_of("reviewer") or admin_id
        trajectory = TRAJECTORIES.get(target.code) or default_trajectory(
            float(target.target_value), float(target.baseline_value or 0)
        )
        result.append(ReportedTarget(target.pk, target.code, trajectory, reporter, reviewer, lead))
    return result


def measurement(
    rng: random.Random,
    target: ReportedTarget,
    observed_on: dt.date,
    value: Decimal,
    state: str,
    note: str,
) -> Measurement:
    """A figure in `state`, with who and when at each step up to it."""
    created_at = moment(observed_on, rng, (2, 12))
    row = Measurement(
        target_id=target.pk,
        unit_id=target.unit_id,
        value=value,
        observed_on=observed_on,
        note=note,
        state=state,
        created_by_id=target.reporter_id,
        created_at=created_at,
        is_demo=True,
    )
    if state == MeasurementState.DRAFT:
        return row
    submitted_at = min(created_at + dt.timedelta(hours=rng.randint(1, 72)), LATEST_TIMESTAMP)
    row.submitted_by_id, row.submitted_at = target.reporter_id, submitted_at
    if state in (MeasurementState.APPROVED, MeasurementState.REJECTED):
        row.reviewed_by_id = target.reviewer_id
        row.reviewed_at = min(
            submitted_at + dt.timedelta(hours=rng.randint(24, 21 * 24)), LATEST_TIMESTAMP
        )
    if state == MeasurementState.REJECTED:
        row.review_comment = rng.choice(REJECTION_COMMENTS)
    return row


def quarterly_rows(rng: random.Random, targets: list[ReportedTarget]) -> Iterator[Measurement]:
    """The approved quarterly series of each reported target."""
    for target in targets:
        trajectory = target.trajectory
        last = len(QUARTER_ENDS) - 1
        for index, day in enumerate(QUARTER_ENDS):
            value = trajectory.quarterly[index]
            if 0 < index < last and trajectory.noise:
                value *= 1 + rng.uniform(-trajectory.noise, trajectory.noise)
            yield measurement(
                rng,
                target,
                day,
                trajectory.as_decimal(value),
                MeasurementState.APPROVED,
                f"{PREFIX_ZH}{day.year}年第{index % 4 + 1}季度统计",
            )


def filler_state(rng: random.Random) -> str:
    draw = rng.random()
    if draw < DRAFT_SHARE:
        return MeasurementState.DRAFT
    if draw < DRAFT_SHARE + SUBMITTED_SHARE:
        return MeasurementState.SUBMITTED
    if draw < DRAFT_SHARE + SUBMITTED_SHARE + REJECTED_SHARE:
        return MeasurementState.REJECTED
    return MeasurementState.APPROVED


def filler_measurement_rows(
    rng: random.Random, targets: list[ReportedTarget], count: int
) -> Iterator[Measurement]:
    """Figures of days between the quarter ends, on the same trajectories with small noise;
    a few drafts, pending submissions and rejections (with an implausible value)."""
    quarter_ends = set(QUARTER_ENDS)
    approved: set[tuple[int, dt.date]] = set()
    for _ in range(count):
        target = rng.choice(targets)
        day = date_between(rng, FILLER_FROM, FILLER_UNTIL)
        if day in quarter_ends:
            day -= dt.timedelta(days=1)
        trajectory = target.trajectory
        value = trajectory.value_on(day) * (1 + rng.uniform(-trajectory.noise, trajectory.noise))
        state = filler_state(rng)
        if state == MeasurementState.REJECTED:
            value = value * rng.uniform(1.2, 1.5) + 1
        row = measurement(
            rng, target, day, trajectory.as_decimal(value), state, f"{PREFIX_ZH}日常报送"
        )
        if state == MeasurementState.APPROVED:
            if (target.pk, day) in approved:
                # One approved figure per target and date (measurement_one_approved_per_date):
                # a second one was approved, then withdrawn a day later (it counted for that
                # day, as a withdrawn figure does); drawn the same, so the rest of the data is
                # too, and no reviewer's queue fills with thousands of duplicates.
                row.state = MeasurementState.WITHDRAWN
                row.withdrawn_by_id = target.reviewer_id
                approved_at = cast(dt.datetime, row.reviewed_at)  # set for every approved row
                row.withdrawn_at = min(approved_at + dt.timedelta(days=1), LATEST_TIMESTAMP)
                row.withdrawal_reason = f"{PREFIX_ZH}同一日期已有核准数值"
            approved.add((target.pk, day))
        yield row


# --- the run -------------------------------------------------------------------------------


@dataclass
class SeedReport:
    scale: int
    seed: int
    created: dict[str, int]
    deleted: dict[str, int]
    users: UsersResult | None
    seconds: float = 0.0


def delete_demo_rows() -> dict[str, int]:
    """Delete the demo rows of an earlier run (task reports with their review rounds, then
    milestones, figures, projects, enterprises)."""
    deleted = {}
    for name, model in (
        ("supervision notices", SupervisionNotice),
        ("consolidated reports", ConsolidatedReport),
        ("task reports", TaskReport),
        ("milestones", Milestone),
        ("measurements", Measurement),
        ("projects", Project),
        ("enterprises", Enterprise),
    ):
        try:
            _, per_model = model.objects.filter(is_demo=True).delete()
        except ProtectedError as exc:
            raise SeedError(
                f"cannot delete the earlier demo {name}: {len(exc.protected_objects)} rows that "
                "are not demo data refer to them"
            ) from None
        deleted[name] = per_model.get(model._meta.label, 0)
    return deleted


def unit_ids() -> dict[str, int]:
    return dict(ResponsibleUnit.objects.values_list("code", "pk"))


def project_target_filters() -> list[dict[str, Any]]:
    return [
        f or {}
        for f in Target.objects.filter(source_register=Register.PROJECTS).values_list(
            "source_filter", flat=True
        )
    ]


# The demo's registers stand for years of entries: each is known from a week after its last
# date (a recognition, a revocation, a start, an acceptance), so an edition as known on a past
# day (targets.values, known_at) shows what the register held then, not an empty register.
KNOWN_AFTER = dt.timedelta(days=7)
KNOWN_BEFORE_ANY_DATE = dt.date(2019, 1, 2)
DATE_FIELDS = ("recognised_on", "revoked_on", "start_date", "accepted_on")


def recorded_when_known(rows: Iterable[M]) -> Iterator[M]:
    tz = timezone.get_default_timezone()
    for row in rows:
        dates = [d for name in DATE_FIELDS if (d := getattr(row, name, None)) is not None]
        day = max(dates) + KNOWN_AFTER if dates else KNOWN_BEFORE_ANY_DATE
        known = dt.datetime.combine(day, dt.time(10), tzinfo=tz)
        row.recorded_at = min(known, LATEST_TIMESTAMP)  # type: ignore[attr-defined]
        yield row


def seed_enterprises(rng: random.Random, scale: int, units: dict[str, int]) -> int:
    econ_it = ResponsibleUnit.objects.filter(code=ECON_IT).first()
    # Not null, as filtered (the column itself is nullable).
    taken = cast(
        set[str],
        set(
            Enterprise.objects.filter(credit_code__isnull=False).values_list(
                "credit_code", flat=True
            )
        ),
    )
    settings = EnterpriseSettings(
        count=ENTERPRISES_PER_SCALE * scale,
        owner_unit_id=units.get(ECON_IT),
        recognised_by=econ_it.name_zh if econ_it else "省经济和信息化厅",
        taken_codes=taken,
    )
    return bulk_insert(Enterprise, recorded_when_known(enterprise_rows(rng, settings)))


def seed_projects(rng: random.Random, scale: int, units: dict[str, int]) -> int:
    enterprises = list(
        Enterprise.objects.filter(is_demo=True).order_by("pk").values_list("pk", "city", "sector")
    )
    ctx = ProjectContext(rng, enterprises, units, project_target_filters())
    _, rows = project_rows(ctx, PROJECTS_PER_SCALE * scale)
    return bulk_insert(Project, recorded_when_known(rows))


def seed_measurements(rng: random.Random, scale: int, plan: Plan, people: DemoPeople) -> int:
    targets = reported_targets(plan, people)
    if not targets:
        return 0
    quarterly = len(targets) * len(QUARTER_ENDS)
    filler = max(MEASUREMENTS_PER_SCALE * scale - quarterly, 0)
    rows = itertools.chain(
        quarterly_rows(rng, targets), filler_measurement_rows(rng, targets, filler)
    )
    return bulk_insert(Measurement, rows)


# --- the plans in force today ----------------------------------------------------------------
#
# Every other plan loaded beside the 2019–2022 plan (its successors) gets approved quarterly
# figures for its reported targets, from the start of its period to the last quarter end before
# today, so the plan in force shows a living picture: each target follows one of these paces
# (in turn, by the target's order), measured against the straight path from its baseline to
# its value at its deadline; the first target with a baseline above zero deteriorates.
SUCCESSOR_PACES: tuple[str, ...] = ("on_track", "behind", "ahead")
# How far along the path each pace is at a quarter (`share`: the path's share of the way by
# then): on track a little ahead of it, behind at 60 % of it, ahead at 125 %; deteriorating
# rises a third of the way, then falls back below its baseline (where it has one above zero:
# a value cannot fall below nothing, and one stuck at its baseline is off track).
PACE_FACTORS = {"on_track": 1.03, "behind": 0.6, "ahead": 1.25}
# A quarter's figure is reported and approved some weeks after it ends.
REPORTED_AFTER = dt.timedelta(days=45)


def quarter_ends_between(start: dt.date, end: dt.date) -> list[dt.date]:
    days: list[dt.date] = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        last = dt.date(year, month, 1) + dt.timedelta(days=31)
        day = last.replace(day=1) - dt.timedelta(days=1)
        if day > end:
            return days
        if day >= start:
            days.append(day)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)


def paced_value(pace: str, baseline: float, target: float, share: float) -> float:
    """A value on one of SUCCESSOR_PACES at `share` (0 to 1) of the way to the deadline."""
    gap = target - baseline
    if pace == "deteriorating":
        peak = 1 / 3
        reached = share if share <= peak else peak - (share - peak) * 1.2
        return baseline + gap * reached
    return baseline + gap * share * PACE_FACTORS[pace]


def successor_rows(
    rng: random.Random, plan: Plan, people: DemoPeople, until: dt.date
) -> Iterator[Measurement]:
    """The approved quarterly figures of a plan's reported targets up to `until`."""
    reported = {t.pk: t for t in reported_targets(plan, people)}
    targets = Target.objects.filter(pk__in=list(reported)).order_by("order", "code")
    deteriorating = next((t.pk for t in targets if (t.baseline_value or 0) > 0), None)
    for index, target in enumerate(targets):
        pace = SUCCESSOR_PACES[index % len(SUCCESSOR_PACES)]
        if target.pk == deteriorating:
            pace = "deteriorating"
        start = target.baseline_date or plan.period_start
        baseline = float(target.baseline_value or 0)
        span = max((target.deadline - start).days, 1)
        # Whole numbers where the target is one (enterprises, zones, people), else one place.
        decimals = 0 if target.target_value == int(target.target_value) else 1
        # From the first quarter end after the baseline's day: that day is the baseline itself.
        first = start + dt.timedelta(days=1)
        for day in quarter_ends_between(first, min(until, target.deadline)):
            share = (day - start).days / span
            value = paced_value(pace, baseline, float(target.target_value), share)
            value *= 1 + rng.uniform(-0.01, 0.01)
            yield measurement(
                rng,
                reported[target.pk],
                day,
                Decimal(f"{max(value, 0):.{decimals}f}"),
                MeasurementState.APPROVED,
                f"{PREFIX_ZH}{day.year}年第{(day.month - 1) // 3 + 1}季度统计",
            )


def seed_successor_measurements(rng: random.Random, people: DemoPeople) -> int:
    """Figures for every plan other than the 2019–2022 one that has started by today."""
    until = timezone.localdate() - REPORTED_AFTER
    plans = Plan.objects.exclude(code=PLAN_CODE).filter(period_start__lte=until).order_by("code")
    return sum(bulk_insert(Measurement, successor_rows(rng, plan, people, until)) for plan in plans)


def seed_task_reports(
    rng: random.Random, scale: int, people: DemoPeople, day: dt.date
) -> dict[str, int]:
    """Task reports of every plan's closed periods, their review rounds, milestones,
    consolidated reports and supervision notices (demo/task_reports.py)."""
    built = build_task_reports(rng, people, scale=scale, today=day)
    created = {
        "milestones": bulk_insert(Milestone, built.milestones),
        "task reports": bulk_insert(TaskReport, built.reports),
    }
    created["review rounds"] = bulk_insert(ReviewRound, review_rounds(built))
    created["consolidated reports"] = bulk_insert(ConsolidatedReport, built.consolidated)
    created["supervision notices"] = bulk_insert(SupervisionNotice, built.notices)
    return created


def seed_demo(
    *,
    scale: int = 1,
    seed: int = DEFAULT_SEED,
    users: bool = True,
    reset_passwords: bool = False,
) -> SeedReport:
    """Replace the demo data by a fresh set drawn from `seed`, in one transaction, recorded as
    one audit event on the plan. Raises SeedError when it cannot."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise SeedError(f"--scale must be a whole number of at least 1, not {scale!r}")
    started = time.monotonic()
    plan = Plan.objects.filter(code=PLAN_CODE).first()
    if plan is None:
        raise SeedError(f"plan {PLAN_CODE} is not loaded: run `manage.py load_action_plan` first")
    master = random.Random(seed)
    # The streams in this order: a stream added later leaves the earlier ones' draws alone.
    streams = {name: random.Random(master.getrandbits(64)) for name in ("e", "p", "m", "s", "t")}
    with acting_as("command:seed_demo"), transaction.atomic():
        user_result = ensure_demo_users(reset_passwords=reset_passwords) if users else None
        people = demo_people()
        deleted = delete_demo_rows()
        units = unit_ids()
        created = {
            "enterprises": seed_enterprises(streams["e"], scale, units),
            "projects": seed_projects(streams["p"], scale, units),
            "measurements": seed_measurements(streams["m"], scale, plan, people),
        }
        # The plan's targets whose closing day has passed (the 2019–2022 plan's, all of them)
        # get their frozen verdicts from the data just written (docs/progress.md, "Closing and
        # frozen verdicts"), before the successors' figures: a successor whose baseline is its
        # predecessor's verdict has it by then. Verdicts written by an earlier run stay: with
        # the same seed the data is the same, and any other data shows as "revised after
        # closing".
        close_due_targets(target_ids=Target.objects.filter(plan=plan).values_list("pk", flat=True))
        created["measurements"] += seed_successor_measurements(streams["s"], people)
        created.update(seed_task_reports(streams["t"], scale, people, today()))
        # Today's reminders of reports due and overdue, as the daily job sends them, so the
        # demo accounts' inboxes show them (each event once: a second seed_demo adds none; they
        # name tasks and periods, which a new seed keeps, not the demo rows it replaces).
        remind_units(today())
        record_event(
            action="seed_demo",
            obj=plan,
            after={
                "scale": scale,
                "seed": seed,
                "created": created,
                "deleted": deleted,
                "users_created": user_result.created if user_result else [],
                "passwords_reset": user_result.reset if user_result else [],
            },
            # Demo rows count at once: no second person confirms them (registers.services).
            reason=(
                "synthetic demo data (is_demo=True), recorded as one event; "
                "exempt from confirmation: demo data"
            ),
        )
    return SeedReport(scale, seed, created, deleted, user_result, time.monotonic() - started)
