"""The data of a report as of a date: every table an export writes, in every format.

Computed, never read from stored Progress rows: `targets.recompute.assess_targets` is applied
to the plan as of the date D, as known at an instant K (an edition: reports.editions), in
memory, writing nothing. Every table depends only on (D, K): figures describing a date on or
before D and approved by K (withdrawn or superseded after K or never), register entries as
known at K, target definitions and responsible units as they were at K (later changes undone
from their audit events). The same D and K give the same tables on any later day, whether or
not a recompute has stored rows for D, and however many figures are approved later.

Each table is a list of columns (headers in Chinese and English, and a kind that the XLSX
writer turns into a number format) and an iterable of rows. The big one, the figures, is a
generator over a server-side cursor, so writing a million rows keeps memory flat.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Case, DateTimeField, F, Func, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone, translation

from audit.models import AuditEvent
from enterprises.choices import EnterpriseStatus, Tier
from plans.choices import ItemKind
from plans.models import Plan, PlanItem, ResponsibleUnit
from projects.choices import ProjectKind, ProjectLevel, ProjectStatus
from targets import progress as method
from targets.baselines import Baseline, effective_baselines
from targets.choices import Comparator, ProgressStatus, SourceKind
from targets.models import Target, TargetUnit
from targets.recompute import Summary, assess_targets, is_final, rollup_members, summarise
from targets.values import (
    counted_figures,
    enterprise_status_on,
    enterprises_on,
    project_status_on,
    projects_on,
    values_on,
)
from zjai.choices import City, Sector
from zjai.csvsafe import defuse_sql
from zjai.dates import end_of_day

STATUSES = list(method.Status.ALL)
# The statuses whose targets the report lists one by one, each under the status's own label
# (the method's classification: "needs acceleration" is not "off track"), in this order; the
# stale targets are listed after them, whatever their status.
LISTED_STATUSES = [
    ProgressStatus.NEEDS_ACCELERATION,
    ProgressStatus.OFF_TRACK,
    ProgressStatus.DETERIORATING,
    ProgressStatus.MISSED,
    ProgressStatus.NO_DATA,
]
# The band cell of a roll-up whose targets are all past their deadline: no pace status, the
# achieved and missed counts and the final score beside it say how it ended.
FINAL_BAND = "final"
FETCH_CHUNK = 5000


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    # text | int | decimal | number | percent | date | datetime | bool
    kind: str = "text"
    width: int = 14

    @property
    def header(self) -> str:
        """One header cell for formats with one header row (CSV): 中文 / English."""
        return f"{self.zh} / {self.en}"


@dataclass
class Table:
    """One table of the report: a CSV file, an XLSX sheet."""

    name: str  # file and sheet name
    zh: str
    en: str
    columns: list[Column]
    rows: Callable[[], Iterable[tuple]]
    # How many rows to expect (for progress), when cheap to know.
    count: Callable[[], int] | None = None
    notes: list[str] = field(default_factory=list)
    # On PostgreSQL, the same rows already formatted as CSV text by the database (a values
    # list of text columns, same order), for COPY … TO STDOUT: a big table at copy speed.
    copy_query: Callable[[], QuerySet] | None = None


def labels(choices) -> dict[str, tuple[str, str]]:
    """value → (Chinese label, English label) of a Django choices class."""
    result = {}
    for value, label in choices.choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        result[value] = (zh, en)
    return result


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def _dec(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(value).quantize(Decimal("0.0001"))


def local_naive(value: dt.datetime | None) -> dt.datetime | None:
    """An aware instant as Asia/Shanghai wall-clock time, to the second (for CSV and XLSX)."""
    if value is None:
        return None
    return timezone.localtime(value).replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str

    @property
    def anchor(self) -> str:
        return f"{self.seq}:{self.hash}"


GENESIS = ChainHead(0, "0" * 64)


def chain_head(at: dt.datetime | None = None) -> ChainHead:
    """The audit chain's head at `at` (default: now): the last event recorded at or before it,
    its sequence number and hash; before any event, the genesis (0, 64 zeros)."""
    events = AuditEvent.objects.all()
    if at is not None:
        events = events.filter(occurred_at__lte=at)
    last = events.order_by("-seq").values_list("seq", "hash").first()
    return ChainHead(*last) if last else GENESIS


@dataclass
class TargetRow:
    target: Target
    result: method.Result
    lead: ResponsibleUnit | None
    section: PlanItem | None
    status_label: tuple[str, str] = ("", "")  # Chinese, English


class AsOfReport:
    """Everything a report as of `as_of` says about `plan`."""

    def __init__(
        self,
        plan: Plan,
        as_of: dt.date,
        *,
        known_at: dt.datetime | None = None,
        generated_at: dt.datetime | None = None,
    ):
        self.plan = plan
        self.as_of = as_of
        self.generated_at = generated_at or timezone.now()
        # As known now unless told otherwise: the instant the report is made.
        self.known_at = known_at or self.generated_at
        self.head = chain_head(self.known_at)
        self.status_labels = labels(ProgressStatus)

    # --- computed figures -----------------------------------------------------------------

    @cached_property
    def targets(self) -> list[Target]:
        """The plan's targets with their definitions as they were at K (later changes undone).
        Every target of the plan is listed, one loaded after K too: the plan file is the frame
        of every edition, and figures backfilled with their historical approval times would
        otherwise count for no target."""
        targets = list(
            Target.objects.filter(plan=self.plan)
            .select_related("plan", "item")
            .order_by("order", "code")
        )
        for target in targets:
            for name, value in self._target_changes_after_k.get(target.pk, {}).items():
                setattr(target, name, value)
        return targets

    @cached_property
    def _target_events_after_k(self) -> list[AuditEvent]:
        """Changes to the plan's targets recorded after K, newest first: undone in turn."""
        ids = [str(pk) for pk in Target.objects.filter(plan=self.plan).values_list("pk", flat=True)]
        return list(
            AuditEvent.objects.filter(
                object_type="targets.target",
                object_id__in=ids,
                occurred_at__gt=self.known_at,
                action__in=("update", "set_units"),
            ).order_by("-seq")
        )

    @cached_property
    def _target_changes_after_k(self) -> dict[int, dict[str, Any]]:
        """target id → the values of its fields changed after K as they were at K (the
        `before` of the earliest change after K of each field)."""
        fields = {f.name: f for f in Target._meta.concrete_fields}
        undone: dict[int, dict[str, Any]] = {}
        for event in self._target_events_after_k:
            if event.action != "update":
                continue
            values = undone.setdefault(int(event.object_id), {})
            for name, value in (event.before or {}).items():
                field_ = fields.get(name)
                if field_ is None or name in ("version", "plan"):
                    continue
                # A relation (the plan file moving a target to another item) by its id.
                key = field_.attname if field_.is_relation else name
                values[key] = field_.to_python(value) if not field_.is_relation else value
        return undone

    @cached_property
    def unit_links(self) -> dict[int, list[tuple[int, bool]]]:
        """target id → its responsible units at K, as (unit id, leads), in order: today's
        links, less the changes recorded after K."""
        links: dict[int, list[tuple[int, bool]]] = {}
        for target_id, unit_id, lead in (
            TargetUnit.objects.filter(target__plan=self.plan)
            .order_by("target_id", "order", "pk")
            .values_list("target_id", "unit_id", "is_lead")
        ):
            links.setdefault(target_id, []).append((unit_id, lead))
        by_code = dict(ResponsibleUnit.objects.values_list("code", "pk"))
        for event in self._target_events_after_k:  # newest first: the oldest `before` wins
            if event.action == "set_units":
                links[int(event.object_id)] = [
                    (by_code[link["unit"]], bool(link.get("lead")))
                    for link in (event.before or {}).get("units", [])
                    if link.get("unit") in by_code
                ]
        return links

    @cached_property
    def baselines(self) -> dict[int, Baseline]:
        """Each target's baseline as the results use it (targets.baselines)."""
        return effective_baselines(self.targets, self.as_of, self.known_at)

    @cached_property
    def results(self) -> dict[int, method.Result]:
        return assess_targets(self.targets, self.as_of, known_at=self.known_at)

    @cached_property
    def items(self) -> dict[int, PlanItem]:
        return {i.pk: i for i in PlanItem.objects.filter(plan=self.plan).order_by("order")}

    @cached_property
    def lead_units(self) -> dict[int, ResponsibleUnit]:
        leads = {
            target_id: unit_id
            for target_id, links in self.unit_links.items()
            for unit_id, lead in links
            if lead
        }
        units = ResponsibleUnit.objects.in_bulk(set(leads.values()))
        return {target_id: units[unit_id] for target_id, unit_id in leads.items()}

    def _item(self, item_id: int | None) -> PlanItem | None:
        return self.items.get(item_id) if item_id is not None else None

    def section_of(self, item_id: int | None) -> PlanItem | None:
        """The objective or key task group a target's item belongs to, else its top part."""
        node, top = self._item(item_id), None
        while node is not None:
            if node.kind in (ItemKind.OBJECTIVE, ItemKind.TASK_GROUP):
                return node
            top = node
            node = self._item(node.parent_id)
        return top

    @cached_property
    def target_rows(self) -> list[TargetRow]:
        return [
            TargetRow(
                t,
                self.results[t.pk],
                self.lead_units.get(t.pk),
                self.section_of(t.item_id),
                self.status_label(self.results[t.pk]),
            )
            for t in self.targets
        ]

    def status_label(self, result: method.Result) -> tuple[str, str]:
        """The status in Chinese and English; a miss not closed yet says it is provisional."""
        zh, en = self.status_labels.get(result.status, (result.status, result.status))
        if result.provisional:
            return f"{zh}（暂定）", f"{en} (provisional)"
        return zh, en

    @cached_property
    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUSES, 0)
        for row in self.target_rows:
            counts[row.result.status] += 1
        return counts

    def _weighted(self) -> dict[int, tuple[method.Result, float, bool]]:
        return {
            t.pk: (self.results[t.pk], float(t.weight), is_final(t, self.as_of))
            for t in self.targets
        }

    @cached_property
    def plan_rollup(self) -> Summary:
        return summarise(list(self._weighted().values()))

    @cached_property
    def rollups(self) -> tuple[dict[int, Summary], dict[int, Summary]]:
        """Roll-ups by plan item and by responsible unit, as recompute would store them."""
        weighted = self._weighted()
        under, _today = rollup_members(self.plan.pk, self.targets)
        # The units' members as they were at K, not today's links.
        by_unit: dict[int, list[int]] = {}
        for target_id, links in sorted(self.unit_links.items()):
            for unit_id, _lead in links:
                by_unit.setdefault(unit_id, []).append(target_id)
        by_item = {i: summarise([weighted[t] for t in ids]) for i, ids in under.items()}
        units = {u: summarise([weighted[t] for t in ids]) for u, ids in by_unit.items()}
        return by_item, units

    @cached_property
    def listed_statuses(self) -> list[tuple[str, list[TargetRow]]]:
        """(status, its targets) for each of LISTED_STATUSES, every one listed even when it has
        no target: the report says "none" under a status only when it has none."""
        return [
            (status, [r for r in self.target_rows if r.result.status == status])
            for status in LISTED_STATUSES
        ]

    @cached_property
    def stale_rows(self) -> list[TargetRow]:
        return [r for r in self.target_rows if r.result.stale]

    def quarter_series(self, targets: list[Target]) -> dict[int, list[tuple[dt.date, float]]]:
        """Each target's value at every quarter end from the plan's start to the as-of date,
        as it counted on that date (targets.values): the actual line of the charts."""
        days = quarter_days(self.plan.period_start, self.as_of)
        return {
            pk: _dedupe([(v.on, float(v.value)) for v in counted if v.on and v.value is not None])
            for pk, counted in values_on(targets, days, known_at=self.known_at).items()
        }

    # --- tables ---------------------------------------------------------------------------

    def summary_rows(self) -> list[tuple[str, str, str, Any]]:
        """(key, Chinese label, English label, value) rows of the summary."""
        roll = self.plan_rollup
        rows: list[tuple[str, str, str, Any]] = [
            ("plan", "规划", "plan", self.plan.code),
            ("plan_title_zh", "规划名称", "plan title (Chinese)", self.plan.title_zh),
            ("plan_title_en", "规划名称（英文）", "plan title (English)", self.plan.title_en),
            ("as_of", "统计截至", "as of", self.as_of),
            ("targets", "指标数", "targets", len(self.targets)),
        ]
        for status in STATUSES:
            zh, en = self.status_labels.get(status, (status, status))
            rows.append(
                (f"status_{status}", f"状态：{zh}", f"status: {en}", self.status_counts[status])
            )
        rows += [
            ("percent", "平均完成度（%）", "mean percent complete", _round(roll.percent, 2)),
            ("score", "进度得分", "score", _round(roll.score, 4)),
            ("band", "总体评价（进行中指标）", "band (running targets)", roll.band or FINAL_BAND),
            ("final_achieved", "期满已实现", "achieved at the deadline", roll.achieved),
            ("final_missed", "期满未实现", "missed at the deadline", roll.missed),
            ("final_score", "期满得分", "final score", _round(roll.final_score, 4)),
            (
                "stale",
                "数据过期的指标",
                "stale targets",
                sum(r.result.stale for r in self.target_rows),
            ),
        ]
        return rows

    def summary_table(self) -> Table:
        return Table(
            "summary",
            "概览",
            "Summary",
            [
                Column("key", "键", "key", width=18),
                Column("label_zh", "项目", "item (Chinese)", width=24),
                Column("label_en", "项目（英文）", "item", width=28),
                Column("value", "值", "value", width=40),
            ],
            self.summary_rows,
        )

    def targets_table(self) -> Table:
        comparators = labels(Comparator)
        sources = labels(SourceKind)

        def rows() -> Iterator[tuple]:
            for r in self.target_rows:
                t, res = r.target, r.result
                zh, en = r.status_label
                yield (
                    t.code,
                    t.title_zh,
                    t.title_en,
                    r.section.number if r.section else "",
                    (r.section.title_zh or r.section.title_en) if r.section else "",
                    r.lead.code if r.lead else "",
                    t.unit_of_measure,
                    comparators.get(t.comparator, (t.comparator,))[0],
                    _dec(t.target_value),
                    # The baseline the results are computed from, and where it comes from.
                    _dec(self.baselines[t.pk].value),
                    self.baselines[t.pk].on,
                    self.baselines[t.pk].source,
                    t.deadline,
                    sources.get(t.source_kind, (t.source_kind,))[0],
                    t.headline,
                    _dec(res.current_value),
                    res.current_date,
                    _round(res.percent, 2),
                    _round(res.expected_value),
                    _round(res.pace_ratio),
                    res.status,
                    zh,
                    en,
                    _round(res.forecast),
                    _round(res.score),
                    res.stale,
                    res.reached_late_on,
                    res.provisional,
                    res.closed_on,
                    res.revised_status or "",
                    _dec(res.revised_value),
                    res.revised_date,
                )

        return Table(
            "targets",
            "指标进度",
            "Targets",
            [
                Column("code", "指标代码", "code", width=22),
                Column("title_zh", "指标", "title (Chinese)", width=36),
                Column("title_en", "指标（英文）", "title", width=40),
                Column("section", "所属条目", "section", width=8),
                Column("section_title", "所属条目名称", "section title", width=24),
                Column("lead_unit", "牵头单位", "lead unit", width=14),
                Column("unit", "计量单位", "unit of measure", width=10),
                Column("comparator", "比较", "comparator", width=8),
                Column("target_value", "目标值", "target value", "decimal"),
                Column("baseline_value", "基期值", "baseline value", "decimal"),
                Column("baseline_date", "基期日期", "baseline date", "date"),
                Column("baseline_source", "基期来源", "baseline source", width=16),
                Column("deadline", "期限", "deadline", "date"),
                Column("source", "数据来源", "source", width=16),
                Column("headline", "主要指标", "headline", "bool", width=8),
                Column("current_value", "当前值", "current value", "decimal"),
                Column("current_date", "当前值日期", "date of current value", "date"),
                Column("percent", "完成度（%）", "percent complete", "percent"),
                Column("expected_value", "应达值", "expected value", "number"),
                Column("pace_ratio", "进度比", "pace ratio", "number"),
                Column("status", "状态代码", "status", width=18),
                Column("status_zh", "状态", "status (Chinese)", width=10),
                Column("status_en", "状态（英文）", "status (English)", width=18),
                Column("forecast", "期末预测", "forecast at deadline", "number"),
                Column("score", "得分", "score", "number"),
                Column("stale", "数据过期", "stale", "bool", width=8),
                Column("reached_late_on", "逾期达成日期", "reached late on", "date"),
                Column("provisional", "暂定", "provisional", "bool", width=8),
                Column("closed_on", "关闭日期", "closed on", "date"),
                Column(
                    "revised_status", "关闭后修正状态", "status revised after closing", width=18
                ),
                Column("revised_value", "关闭后修正值", "value revised after closing", "decimal"),
                Column("revised_date", "修正值日期", "date of the revised value", "date"),
            ],
            rows,
            count=lambda: len(self.targets),
            notes=[
                "baseline: the one the results are computed from; its source is plan, "
                "predecessor, administrator, first_figure (the figure for the plan's start or "
                "the last before it), earliest_figure or zero (docs/progress.md, The baseline)"
            ],
        )

    def measurements_queryset(self):
        """The plan's figures that count as of the date as known at K
        (targets.values.counted_figures). An approved figure's columns do not change after its
        approval (a withdrawal or a replacement is recorded beside them), so the rows are the
        figures as they were at K."""
        return counted_figures(self.as_of, self.known_at).filter(target__plan=self.plan)

    @cached_property
    def _renamed_after_k(self) -> bool:
        from accounts.models import User

        return self.user_names(User) != dict(User.objects.values_list("pk", "username"))

    def user_names(self, user_model) -> dict[int, str]:
        """id → user name at K: today's, less the renames recorded after K."""
        names = dict(user_model.objects.values_list("pk", "username"))
        for object_id, before in (
            AuditEvent.objects.filter(
                object_type=user_model._meta.label_lower,
                action="update",
                occurred_at__gt=self.known_at,
                before__has_key="username",
            )
            .order_by("-seq")
            .values_list("object_id", "before")
        ):
            # Newest first: the oldest rename's `before` wins.
            names[int(object_id)] = str((before or {}).get("username", ""))
        return names

    def measurements_table(self) -> Table:
        codes = {t.pk: (t.code, t.unit_of_measure) for t in self.targets}
        from accounts.models import User

        names = self.user_names(User)
        localtime = _LocalTime()

        def rows() -> Iterator[tuple]:
            qs = (
                self.measurements_queryset()
                .order_by("id")
                .values_list(
                    "pk",
                    "target_id",
                    "value",
                    "observed_on",
                    "created_by_id",
                    "created_at",
                    "submitted_by_id",
                    "submitted_at",
                    "reviewed_by_id",
                    "reviewed_at",
                    "review_comment",
                    "note",
                    "is_demo",
                )
            )
            for (
                pk,
                target_id,
                value,
                observed_on,
                created_by,
                created_at,
                submitted_by,
                submitted_at,
                reviewed_by,
                reviewed_at,
                comment,
                note,
                is_demo,
            ) in qs.iterator(chunk_size=FETCH_CHUNK):
                code, unit = codes[target_id]
                yield (
                    pk,
                    code,
                    value,
                    unit,
                    observed_on,
                    names.get(created_by, ""),
                    localtime(created_at),
                    names.get(submitted_by, ""),
                    localtime(submitted_at),
                    names.get(reviewed_by, ""),
                    localtime(reviewed_at),
                    comment,
                    note,
                    is_demo,
                )

        return Table(
            "measurements",
            "上报数据",
            "Figures",
            [
                Column("id", "编号", "id", "int", width=10),
                Column("target", "指标代码", "target", width=20),
                Column("value", "数值", "value", "decimal"),
                Column("unit", "计量单位", "unit of measure", width=10),
                Column("observed_on", "数据日期", "date described", "date"),
                Column("reported_by", "填报人", "reported by", width=12),
                Column("reported_at", "填报时间", "reported at", "datetime", width=19),
                Column("submitted_by", "提交人", "submitted by", width=12),
                Column("submitted_at", "提交时间", "submitted at", "datetime", width=19),
                Column("approved_by", "审核人", "approved by", width=12),
                Column("approved_at", "审核时间", "approved at", "datetime", width=19),
                Column("review_comment", "审核意见", "review comment", width=20),
                Column("note", "数据说明", "evidence note", width=30),
                Column("is_demo", "演示数据", "demo data", "bool", width=8),
            ],
            rows,
            count=lambda: self.measurements_queryset().count(),
            notes=[
                "figures describing a date on or before the as-of day, approved by the instant "
                "the report is as known at, and not withdrawn or replaced by then"
            ],
            # COPY joins today's user names: with a rename after K, the rows are written from
            # Python with the names of K.
            copy_query=None if self._renamed_after_k else self._measurements_copy,
        )

    def _measurements_copy(self):
        """The figures table as text columns computed by PostgreSQL, exactly as the Python rows
        are written: for COPY (reports.csv), several times faster than fetching typed values."""
        text = TextField()
        return (
            self.measurements_queryset()
            .order_by("id")
            .annotate(
                c_code=CsvText("target__code"),
                c_value=Cast("value", text),
                c_unit=CsvText("target__unit_of_measure"),
                c_observed=F("observed_on"),
                c_created_by=CsvText("created_by__username"),
                c_created_at=LocalTimeText("created_at"),
                c_submitted_by=CsvText("submitted_by__username"),
                c_submitted_at=LocalTimeText("submitted_at"),
                c_reviewed_by=CsvText("reviewed_by__username"),
                c_reviewed_at=LocalTimeText("reviewed_at"),
                c_comment=CsvText("review_comment"),
                c_note=CsvText("note"),
                c_demo=Case(
                    When(is_demo=True, then=Value("True")),
                    default=Value("False"),
                    output_field=text,
                ),
            )
            .values_list(
                "pk",
                "c_code",
                "c_value",
                "c_unit",
                "c_observed",
                "c_created_by",
                "c_created_at",
                "c_submitted_by",
                "c_submitted_at",
                "c_reviewed_by",
                "c_reviewed_at",
                "c_comment",
                "c_note",
                "c_demo",
            )
        )

    def enterprises_queryset(self, columns: list[str]):
        """The enterprises as of the date, with their values then, as known at K
        (targets.values)."""
        return enterprises_on(self.as_of, columns, self.known_at)

    def enterprises_table(self) -> Table:
        cities, sectors, tiers = labels(City), labels(Sector), labels(Tier)
        statuses = labels(EnterpriseStatus)
        units = dict(ResponsibleUnit.objects.values_list("pk", "code"))
        as_of = self.as_of

        def rows() -> Iterator[tuple]:
            columns = [
                "pk",
                "name_zh",
                "name_en",
                "credit_code",
                "city",
                "sector",
                "tier",
                "recognised_on",
                "recognised_by",
                "revoked_on",
                "owner_unit_id",
                "is_demo",
            ]
            qs = self.enterprises_queryset(columns).order_by("recognised_on", "pk")
            for e in qs.iterator(chunk_size=FETCH_CHUNK):
                pk, name_zh, name_en, code, city, sector, tier, on, by, revoked, unit, demo = e
                status = enterprise_status_on(revoked, as_of)
                revoked = revoked if status == EnterpriseStatus.REVOKED else None
                yield (
                    pk,
                    name_zh,
                    name_en,
                    code or "",
                    cities.get(city, (city,))[0],
                    sectors.get(sector, (sector,))[0] if sector else "",
                    tiers.get(tier, (tier,))[0],
                    on,
                    by,
                    statuses.get(status, (status,))[0],
                    revoked,
                    units.get(unit, ""),
                    demo,
                )

        return Table(
            "enterprises",
            "企业名录",
            "Enterprises",
            [
                Column("id", "编号", "id", "int", width=10),
                Column("name_zh", "企业名称", "name (Chinese)", width=30),
                Column("name_en", "企业名称（英文）", "name", width=30),
                Column("credit_code", "统一社会信用代码", "credit code", width=20),
                Column("city", "所在市", "city", width=8),
                Column("sector", "领域", "sector", width=14),
                Column("tier", "梯队", "tier", width=10),
                Column("recognised_on", "认定日期", "recognised on", "date"),
                Column("recognised_by", "认定单位", "recognised by", width=20),
                Column("status", "状态（截至统计日）", "status as of the date", width=10),
                Column("revoked_on", "撤销日期", "revoked on", "date"),
                Column("owner_unit", "管理单位", "managing unit", width=12),
                Column("is_demo", "演示数据", "demo data", "bool", width=8),
            ],
            rows,
            count=lambda: self.enterprises_queryset(["pk"]).count(),
        )

    def projects_queryset(self, columns: list[str]):
        """The projects as of the date, with their values then, as known at K
        (targets.values)."""
        return projects_on(self.as_of, columns, self.known_at)

    def projects_table(self) -> Table:
        cities, sectors = labels(City), labels(Sector)
        kinds, levels, statuses = labels(ProjectKind), labels(ProjectLevel), labels(ProjectStatus)
        units = dict(ResponsibleUnit.objects.values_list("pk", "code"))
        as_of = self.as_of

        def rows() -> Iterator[tuple]:
            columns = [
                "pk",
                "name_zh",
                "name_en",
                "kind",
                "level",
                "status",
                "enterprise__name_zh",
                "city",
                "sector",
                "owner_unit_id",
                "planned_investment",
                "completed_investment",
                "start_date",
                "accepted_on",
                "is_demo",
            ]
            qs = self.projects_queryset(columns).order_by("start_date", "pk")
            for p in qs.iterator(chunk_size=FETCH_CHUNK):
                (pk, name_zh, name_en, kind, level, status, ent, city, sector, unit) = p[:10]
                planned, completed, start, accepted, demo = p[10:]
                status = project_status_on(status, accepted, as_of)
                yield (
                    pk,
                    name_zh,
                    name_en,
                    kinds.get(kind, (kind,))[0],
                    levels.get(level, (level,))[0],
                    statuses.get(status, (status,))[0],
                    ent or "",
                    cities.get(city, (city,))[0],
                    sectors.get(sector, (sector,))[0] if sector else "",
                    units.get(unit, ""),
                    planned,
                    completed,
                    start,
                    accepted if status == ProjectStatus.ACCEPTED else None,
                    demo,
                )

        return Table(
            "projects",
            "项目名录",
            "Projects",
            [
                Column("id", "编号", "id", "int", width=10),
                Column("name_zh", "项目名称", "name (Chinese)", width=30),
                Column("name_en", "项目名称（英文）", "name", width=30),
                Column("kind", "类型", "kind", width=14),
                Column("level", "级别", "level", width=8),
                Column("status", "状态（截至统计日）", "status as of the date", width=10),
                Column("enterprise", "实施企业", "enterprise", width=24),
                Column("city", "所在市", "city", width=8),
                Column("sector", "领域", "sector", width=14),
                Column("owner_unit", "管理单位", "managing unit", width=12),
                Column(
                    "planned_investment",
                    "计划投资（万元）",
                    "planned investment (10k yuan)",
                    "decimal",
                ),
                Column(
                    "completed_investment",
                    "完成投资（万元）",
                    "completed investment (10k yuan)",
                    "decimal",
                ),
                Column("start_date", "开工日期", "start date", "date"),
                Column("accepted_on", "验收日期", "accepted on", "date"),
                Column("is_demo", "演示数据", "demo data", "bool", width=8),
            ],
            rows,
            count=lambda: self.projects_queryset(["pk"]).count(),
        )

    def _rollup_cells(self, roll: Summary) -> tuple:
        return (
            roll.targets,
            _round(roll.percent, 2),
            _round(roll.score),
            roll.band or FINAL_BAND,
            roll.achieved,
            roll.missed,
            _round(roll.final_score),
            *(roll.counts.get(s, 0) for s in STATUSES),
        )

    def _rollup_columns(self) -> list[Column]:
        return [
            Column("targets", "指标数", "targets", "int", width=8),
            Column("percent", "平均完成度（%）", "mean percent complete", "percent"),
            Column("score", "得分", "score", "number"),
            Column("band", "评价", "band", width=18),
            Column("final_achieved", "期满已实现", "achieved at the deadline", "int", width=10),
            Column("final_missed", "期满未实现", "missed at the deadline", "int", width=10),
            Column("final_score", "期满得分", "final score", "number"),
            *(
                Column(f"n_{s}", self.status_labels.get(s, (s, s))[0], s, "int", width=10)
                for s in STATUSES
            ),
        ]

    def unit_rollups_table(self) -> Table:
        _by_item, by_unit = self.rollups
        units = ResponsibleUnit.objects.filter(pk__in=list(by_unit)).order_by("code")

        def rows() -> Iterator[tuple]:
            for unit in units:
                yield (unit.code, unit.name_zh, unit.name_en, *self._rollup_cells(by_unit[unit.pk]))

        return Table(
            "rollup_units",
            "按责任单位汇总",
            "Roll-up by unit",
            [
                Column("unit", "单位代码", "unit", width=14),
                Column("name_zh", "单位名称", "name (Chinese)", width=24),
                Column("name_en", "单位名称（英文）", "name", width=30),
                *self._rollup_columns(),
            ],
            rows,
        )

    def item_rollups_table(self) -> Table:
        by_item, _by_unit = self.rollups
        kinds = labels(ItemKind)

        def rows() -> Iterator[tuple]:
            for item in self.items.values():  # in the plan's reading order
                if item.pk in by_item:
                    yield (
                        item.key,
                        item.number,
                        kinds.get(item.kind, (item.kind,))[0],
                        item.depth,
                        item.title_zh,
                        item.title_en,
                        *self._rollup_cells(by_item[item.pk]),
                    )

        return Table(
            "rollup_items",
            "按规划条目汇总",
            "Roll-up by plan item",
            [
                Column("key", "条目键", "item key", width=16),
                Column("number", "编号", "number", width=8),
                Column("kind", "类型", "kind", width=10),
                Column("depth", "层级", "depth", "int", width=6),
                Column("title_zh", "条目", "title (Chinese)", width=30),
                Column("title_en", "条目（英文）", "title", width=36),
                *self._rollup_columns(),
            ],
            rows,
        )

    def tables(self) -> list[Table]:
        return [
            self.summary_table(),
            self.targets_table(),
            self.measurements_table(),
            self.enterprises_table(),
            self.projects_table(),
            self.unit_rollups_table(),
            self.item_rollups_table(),
        ]


class CsvText(Func):
    """A text column as the CSV writer writes it: empty as nothing, and text a spreadsheet
    would run as a formula behind a leading ' (zjai.csvsafe)."""

    template = defuse_sql("%(expressions)s")
    output_field = TextField()


class LocalTimeText(Func):
    """An instant as Asia/Shanghai wall-clock time to the second, which COPY writes as
    YYYY-MM-DD HH:MM:SS (PostgreSQL)."""

    output_field = DateTimeField()

    def as_sql(self, compiler, connection, **extra):
        tz = timezone.get_default_timezone_name()
        sql, params = compiler.compile(self.source_expressions[0])
        # date_trunc, not to_char: the same text (under DateStyle ISO, which COPY sets), at a
        # fraction of the cost over a million rows.
        return f"date_trunc('second', {sql} AT TIME ZONE %s)", [*params, tz]


class _LocalTime:
    """Aware instant → Asia/Shanghai wall-clock time to the second, fast for a million rows:
    the offset is fixed (no daylight saving since 1991), so it is looked up once."""

    def __init__(self):
        self.tz = timezone.get_default_timezone()
        self.offset = dt.datetime(2020, 1, 1, tzinfo=self.tz).utcoffset()

    def __call__(self, value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        if value.year < 1992:  # before 1992 China had daylight saving some years
            return local_naive(value)
        return (value + self.offset).replace(tzinfo=None, microsecond=0)


def quarter_days(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every quarter's last day after `start` and before `end`, then `end`."""
    days = []
    year, quarter = start.year, (start.month - 1) // 3
    while True:
        month = quarter * 3 + 3
        last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
        if last >= end:
            break
        if last >= start:
            days.append(last)
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return [*days, end]


def _dedupe(points: list[tuple[dt.date, float]]) -> list[tuple[dt.date, float]]:
    seen: dict[dt.date, float] = {}
    for on, value in points:
        seen[on] = value
    return sorted(seen.items())


def default_plan() -> Plan:
    plan = Plan.objects.order_by("-period_start", "code").first()
    if plan is None:
        raise LookupError("no plan is loaded: run `manage.py load_action_plan` first")
    return plan


def end_of(as_of: dt.date) -> dt.datetime:
    return end_of_day(as_of)
