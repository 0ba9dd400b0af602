"""Synthetic task reports for `seed_demo`: every closed reporting period of every plan, each
responsible unit's report on each task-like item, with review rounds, milestones, a few
consolidated reports and three supervision notices (docs/operations.md, "Demo data").

Every row is marked: `is_demo=True`, texts starting with 【演示数据】. One `random.Random`
drives everything, so the same seed on the same day gives the same rows (which periods have
closed depends on the day). This module only builds unsaved rows; demo/generator.py inserts
them with `bulk_create` and deletes them again on the next run.

The shape, per (item, unit) over the plan's periods: not started at first, then in progress;
about a third of the pairs complete late in the plan; some fall behind for a few periods, a
few are suspended. Of the reports due: about 5 % are missing (12 % in the newest closed
period), 12 % were first submitted after their due day; most are approved in one round, 8 %
were returned once and then approved, and in the newest closed period some still wait for
review (submitted) or for the unit's revision (returned). Each item has two milestones, owned
by its lead unit; a fifth of those due by now are not done (overdue).

At `--scale N` (N > 1) the reports are topped up to about 500 × N in all with filler: reports
of units on items they are not responsible for (approved, in progress, on time), which no page
expects or counts as missing, so the tables have the benchmark's size (scale 100: about 50,000,
bounded by the (item, unit, period) slots the plans have).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.utils import timezone

from plans.choices import REPORTED_ITEM_KINDS, PlanState
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from taskreports.choices import NoticeState, ReportState, ReviewDecision, TaskStatus
from taskreports.models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskReport,
)
from taskreports.periods import Period, closed_periods, periods_of
from taskreports.rollup import item_status

from .users import DemoPeople

MARK = "【演示数据】"
TASK_REPORTS_PER_SCALE = 500
MISSING_SHARE = 0.05
MISSING_SHARE_NEWEST = 0.12
LATE_SHARE = 0.12
RETURNED_ONCE_SHARE = 0.08
# The newest closed period: reports still waiting for the reviewer, or for the unit.
PENDING_SHARE_NEWEST = 0.15
RETURNED_OPEN_SHARE_NEWEST = 0.04
CONSOLIDATED_SHARE = 0.25
MILESTONE_OVERDUE_SHARE = 0.2
COORDINATING_UNIT = "econ-it"

WORK_DONE = (
    "召开专题推进会{n}次，梳理任务清单并落实到具体处室和责任人。",
    "会同相关单位开展调研{n}次，形成阶段性工作报告。",
    "出台配套实施细则{n}项，组织申报和评审工作。",
    "推动{n}个重点项目落地实施，完成年度投资计划的阶段目标。",
    "组织企业对接活动{n}场，协调解决用地、用能等要素问题。",
)
NEXT_STEPS = (
    "下一步将加快推进重点项目建设，按季度跟踪进度。",
    "下一步将完善政策配套，扩大试点范围。",
    "下一步将加强部门协同，确保按期完成年度目标。",
    "下一步将组织中期评估，总结推广典型经验。",
)
PROBLEMS = (
    "项目审批周期较长，需省级层面协调加快。",
    "专项资金到位滞后，建议提前下达资金计划。",
    "专业人才不足，需加大引进和培养力度。",
    "跨部门数据共享机制尚不健全。",
)


@dataclass
class Fate:
    """How one unit's work on one item goes over the plan (shares of the plan's periods)."""

    starts_at: float
    completes_at: float  # > 1: never within the plan
    behind: tuple[float, float] | None
    suspended: tuple[float, float] | None

    def status(self, share: float) -> str:
        if share < self.starts_at:
            return TaskStatus.NOT_STARTED
        if self.suspended and self.suspended[0] <= share < self.suspended[1]:
            return TaskStatus.SUSPENDED
        if share >= self.completes_at:
            return TaskStatus.COMPLETED
        if self.behind and self.behind[0] <= share < self.behind[1]:
            return TaskStatus.BEHIND
        return TaskStatus.IN_PROGRESS


def draw_fate(rng: random.Random) -> Fate:
    starts_at = rng.uniform(0, 0.15)
    completes_at = rng.uniform(0.6, 1.0) if rng.random() < 0.35 else 2.0
    behind = None
    if rng.random() < 0.15:
        start = rng.uniform(0.2, 0.8)
        behind = (start, start + rng.uniform(0.06, 0.2))
    suspended = None
    if rng.random() < 0.04:
        start = rng.uniform(0.3, 0.8)
        suspended = (start, start + rng.uniform(0.06, 0.25))
    return Fate(starts_at, completes_at, behind, suspended)


def percent(rng: random.Random, status: str, share: float, fate: Fate) -> int | None:
    if status == TaskStatus.COMPLETED:
        return 100
    if status == TaskStatus.NOT_STARTED:
        return 0
    if rng.random() < 0.1:
        return None  # the unit gave no percentage
    way = share / min(fate.completes_at, 1.0)
    if status == TaskStatus.BEHIND:
        way *= 0.6
    return max(1, min(95, int(way * 100 * rng.uniform(0.85, 1.05))))


@dataclass
class Clock:
    """Instants of the demo rows: office hours, never after the start of `today`."""

    today: dt.date
    tz: dt.tzinfo = field(default_factory=timezone.get_default_timezone)

    @property
    def latest(self) -> dt.datetime:
        return dt.datetime.combine(self.today, dt.time(0), tzinfo=self.tz)

    def at(self, rng: random.Random, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(
            day, dt.time(rng.randint(9, 17), rng.randrange(60), rng.randrange(60)), tzinfo=self.tz
        )
        return min(moment, self.latest)


@dataclass
class People:
    """Who writes, submits and reviews the demo reports: a unit's demo staff, else the demo
    administrator (who may report for any unit); the lead unit's demo reviewer, else the
    coordinator. Without demo users (made by an earlier run, else seed_demo refuses), nobody:
    reports without people or review rounds."""

    demo: DemoPeople

    def reporter(self, unit_id: int) -> int | None:
        return self.demo.staff_of_unit(unit_id) or self.demo.id_of("admin")

    def reviewer(self, lead_unit_id: int | None, reporter: int | None) -> int | None:
        for candidate in (
            self.demo.reviewer_of_unit(lead_unit_id),
            self.demo.id_of("coordinator"),
            self.demo.id_of("reviewer"),
        ):
            if candidate and candidate != reporter:  # four eyes
                return candidate
        return None

    @property
    def coordinator(self) -> int | None:
        return self.demo.id_of("coordinator") or self.demo.id_of("admin")


@dataclass
class Built:
    """The rows of one run, in the order they are inserted; rounds and consolidated reports
    are made once the reports have their ids."""

    reports: list[TaskReport] = field(default_factory=list)
    # Per report (same order): the rounds as (submitted, reviewed or None, decision, comment).
    rounds: list[list[tuple[dt.datetime, dt.datetime | None, str, str]]] = field(
        default_factory=list
    )
    milestones: list[Milestone] = field(default_factory=list)
    consolidated: list[ConsolidatedReport] = field(default_factory=list)
    notices: list[SupervisionNotice] = field(default_factory=list)
    # (plan, unit id, item, period) of missing and behind reports: where notices go.
    cases: list[tuple[Plan, int, PlanItem, Period, str]] = field(default_factory=list)


def _short(title: str, length: int = 30) -> str:
    return title if len(title) <= length else title[: length - 1] + "…"


def _texts(rng: random.Random, item: PlanItem, period: Period, status: str) -> dict[str, str]:
    title = _short(item.title_zh or item.title_en)
    work = rng.choice(WORK_DONE).format(n=rng.randint(1, 6))
    texts = {
        "work_done": f"{MARK}{period.label}：围绕“{title}”，{work}",
        "next_steps": f"{MARK}{rng.choice(NEXT_STEPS)}",
        "problems": "",
    }
    if status in (TaskStatus.BEHIND, TaskStatus.SUSPENDED) or rng.random() < 0.2:
        texts["problems"] = f"{MARK}{rng.choice(PROBLEMS)}"
    return texts


def reported_links(plan: Plan) -> list[tuple[PlanItem, list[int], int | None]]:
    """The plan's task-like items with units: (item, unit ids in order, lead unit id)."""
    units: dict[int, list[int]] = defaultdict(list)
    leads: dict[int, int] = {}
    for item_id, unit_id, is_lead in ItemUnit.objects.filter(
        item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS
    ).values_list("item_id", "unit_id", "is_lead"):
        units[item_id].append(unit_id)
        if is_lead:
            leads[item_id] = unit_id
    items = PlanItem.objects.filter(pk__in=list(units)).order_by("order")
    return [(item, units[item.pk], leads.get(item.pk)) for item in items]


class Builder:
    def __init__(self, rng: random.Random, people: People, today: dt.date):
        self.rng = rng
        self.people = people
        self.clock = Clock(today)
        self.today = today
        self.built = Built()

    def plan(self, plan: Plan) -> None:
        every = periods_of(plan)
        closed = closed_periods(plan, self.today)
        links = reported_links(plan)
        for item, unit_ids, lead in links:
            self.milestones(plan, item, lead or unit_ids[0])
        if not closed:
            return
        newest = closed[-1]
        # A plan in force misses at least one report in its newest closed period, so its
        # supervision page has something to show.
        forced_missing = None
        if plan.state_on(self.today) == PlanState.IN_FORCE and links:
            item, unit_ids, _ = self.rng.choice(links)
            forced_missing = (item.pk, self.rng.choice(unit_ids))
        fates = {(item.pk, u): draw_fate(self.rng) for item, unit_ids, _ in links for u in unit_ids}
        for period in closed:
            share = (every.index(period) + 1) / len(every)
            for item, unit_ids, lead in links:
                statuses: list[str] = []
                all_approved = True
                for unit_id in unit_ids:
                    missing = MISSING_SHARE_NEWEST if period == newest else MISSING_SHARE
                    forced = period == newest and (item.pk, unit_id) == forced_missing
                    if self.rng.random() < missing or forced:
                        self.built.cases.append((plan, unit_id, item, period, "missing"))
                        all_approved = False
                        continue
                    fate = fates[(item.pk, unit_id)]
                    status = fate.status(share)
                    report = self.report(item, unit_id, lead, period, status, share, fate, newest)
                    if status == TaskStatus.BEHIND:
                        self.built.cases.append((plan, unit_id, item, period, "behind"))
                    if report.state == ReportState.APPROVED:
                        statuses.append(status)
                    else:
                        all_approved = False
                if all_approved and statuses and self.rng.random() < CONSOLIDATED_SHARE:
                    self.consolidated(item, lead, period, statuses)

    def report(
        self,
        item: PlanItem,
        unit_id: int,
        lead: int | None,
        period: Period,
        status: str,
        share: float,
        fate: Fate,
        newest: Period,
    ) -> TaskReport:
        rng = self.rng
        late = rng.random() < LATE_SHARE
        if late:
            first_day = period.due + dt.timedelta(days=rng.randint(1, 25))
        else:
            earliest = period.end + dt.timedelta(days=1)
            first_day = max(earliest, period.due - dt.timedelta(days=rng.randint(0, 14)))
        first = self.clock.at(rng, first_day)
        reporter = self.people.reporter(unit_id)
        reviewer = self.people.reviewer(lead, reporter)
        rounds: list[tuple[dt.datetime, dt.datetime | None, str, str]] = []
        draw = rng.random()
        submitted_at = first
        if period == newest and draw < PENDING_SHARE_NEWEST:
            state, reviewed_at = ReportState.SUBMITTED, None
            rounds.append((first, None, "", ""))
        elif period == newest and draw < PENDING_SHARE_NEWEST + RETURNED_OPEN_SHARE_NEWEST:
            state = ReportState.RETURNED
            reviewed_at = self.clock.at(rng, first.date() + dt.timedelta(days=rng.randint(2, 8)))
            rounds.append((first, reviewed_at, ReviewDecision.RETURNED, self._return_comment()))
        else:
            state = ReportState.APPROVED
            returned_at = None
            if rng.random() < RETURNED_ONCE_SHARE:
                returned_at = self.clock.at(
                    rng, first.date() + dt.timedelta(days=rng.randint(2, 6))
                )
                rounds.append((first, returned_at, ReviewDecision.RETURNED, self._return_comment()))
                submitted_at = self.clock.at(
                    rng, returned_at.date() + dt.timedelta(days=rng.randint(1, 5))
                )
            reviewed_at = self.clock.at(
                rng, submitted_at.date() + dt.timedelta(days=rng.randint(1, 10))
            )
            rounds.append((submitted_at, reviewed_at, ReviewDecision.APPROVED, ""))
        created_at = self.clock.at(rng, period.end - dt.timedelta(days=rng.randint(0, 10)))
        report = TaskReport(
            item_id=item.pk,
            unit_id=unit_id,
            period_start=period.start,
            period_end=period.end,
            status=status,
            percent_complete=percent(rng, status, share, fate),
            state=state,
            created_by_id=reporter,
            created_at=min(created_at, first),
            submitted_by_id=reporter,
            submitted_at=submitted_at,
            first_submitted_at=first,
            reviewed_by_id=reviewer if reviewed_at else None,
            reviewed_at=reviewed_at,
            is_demo=True,
            **_texts(rng, item, period, status),
        )
        self.built.reports.append(report)
        self.built.rounds.append(rounds if reporter and reviewer else [])
        return report

    def _return_comment(self) -> str:
        return f"{MARK}" + self.rng.choice(
            ("请补充量化数据和佐证材料。", "进展描述过于笼统，请具体说明完成情况。")
        )

    def consolidated(
        self, item: PlanItem, lead: int | None, period: Period, statuses: list[str]
    ) -> None:
        writer = self.people.reviewer(lead, None)
        status = item_status(statuses)
        if writer is None or status is None:
            return
        written_on = period.due + dt.timedelta(days=self.rng.randint(12, 25))
        self.built.consolidated.append(
            ConsolidatedReport(
                item_id=item.pk,
                period_start=period.start,
                period_end=period.end,
                status=status,
                summary=f"{MARK}{period.label}：牵头单位汇总各责任单位报送情况，总体{TaskStatus(status).label}。",
                written_by_id=writer,
                written_at=self.clock.at(self.rng, written_on),
                is_demo=True,
            )
        )

    def milestones(self, plan: Plan, item: PlanItem, unit_id: int) -> None:
        span = (plan.period_end - plan.period_start).days
        for number, share in ((1, 0.4), (2, 0.9)):
            due = plan.period_start + dt.timedelta(days=int(span * share))
            done_on = None
            if due < self.today and self.rng.random() >= MILESTONE_OVERDUE_SHARE:
                done_on = min(due + dt.timedelta(days=self.rng.randint(-30, 20)), self.today)
            self.built.milestones.append(
                Milestone(
                    item_id=item.pk,
                    unit_id=unit_id,
                    due_on=due,
                    description=f"{MARK}“{_short(item.title_zh or item.title_en)}”阶段目标{number}",
                    done_on=done_on,
                    created_at=self.clock.at(self.rng, plan.period_start),
                    is_demo=True,
                )
            )

    def notices(self) -> None:
        """Three supervision notices, on the newest missing or behind reports: one awaiting
        its reply, one answered, one closed."""
        issuer = self.people.coordinator
        if issuer is None or not self.built.cases:
            return
        coordinating = (
            ResponsibleUnit.objects.filter(code=COORDINATING_UNIT).values_list("pk", flat=True)
        ).first()
        # The newest closed period of each plan, the plans in force first (what the
        # supervision page shows by default), then the most recent.
        newest: dict[int, dt.date] = {}
        for plan, _, _, period, _ in self.built.cases:
            newest[plan.pk] = max(newest.get(plan.pk, period.end), period.end)
        candidates = sorted(
            (c for c in self.built.cases if c[3].end == newest[c[0].pk]),
            key=lambda c: (c[0].state_on(self.today) != PlanState.IN_FORCE, -c[3].end.toordinal()),
        )
        picked = candidates[:3]
        states = (NoticeState.OPEN, NoticeState.ANSWERED, NoticeState.CLOSED)
        for (plan, unit_id, item, period, why), state in zip(picked, states, strict=False):
            issued = self.clock.at(self.rng, period.due + dt.timedelta(days=3))
            what = "未按期报送" if why == "missing" else "进度滞后"
            notice = SupervisionNotice(
                plan_id=plan.pk,
                unit_id=unit_id,
                item_id=item.pk,
                period_start=period.start,
                subject=(
                    f"{MARK}关于“{_short(item.title_zh or item.title_en, 24)}”"
                    f"{period.label}{what}的督办通知"
                ),
                text=f"{MARK}请于回复期限前说明原因并报送整改措施。",
                reply_by=issued.date() + dt.timedelta(days=10),
                state=state,
                issued_by_id=issuer,
                issuing_unit_id=coordinating,
                issued_at=issued,
                is_demo=True,
            )
            if state != NoticeState.OPEN:
                notice.reply = f"{MARK}已补报并制定整改措施，下季度按期报送。"
                notice.replied_by_id = self.people.reporter(unit_id)
                notice.replied_at = self.clock.at(self.rng, issued.date() + dt.timedelta(days=6))
            if state == NoticeState.CLOSED:
                notice.closed_by_id = issuer
                notice.closed_at = self.clock.at(self.rng, issued.date() + dt.timedelta(days=9))
                notice.close_comment = f"{MARK}整改到位，予以办结。"
            self.built.notices.append(notice)

    def filler(self, plans: list[Plan], wanted: int) -> None:
        """Reports of units on items they are not responsible for, up to `wanted` in all."""
        need = wanted - len(self.built.reports)
        if need <= 0:
            return
        units = list(ResponsibleUnit.objects.order_by("code").values_list("pk", flat=True))
        slots: list[tuple[PlanItem, int, Period]] = []
        for plan in plans:
            closed = closed_periods(plan, self.today)
            items = PlanItem.objects.filter(plan=plan, kind__in=REPORTED_ITEM_KINDS).order_by(
                "order"
            )
            responsible = set(
                ItemUnit.objects.filter(item__plan=plan).values_list("item_id", "unit_id")
            )
            slots.extend(
                (item, unit_id, period)
                for item in items
                for unit_id in units
                if (item.pk, unit_id) not in responsible
                for period in closed
            )
        for item, unit_id, period in self.rng.sample(slots, min(need, len(slots))):
            submitted = self.clock.at(self.rng, period.due - dt.timedelta(days=3))
            reviewed = self.clock.at(self.rng, period.due + dt.timedelta(days=5))
            reporter = self.people.reporter(unit_id)
            reviewer = self.people.reviewer(None, reporter)
            self.built.reports.append(
                TaskReport(
                    item_id=item.pk,
                    unit_id=unit_id,
                    period_start=period.start,
                    period_end=period.end,
                    status=TaskStatus.IN_PROGRESS,
                    percent_complete=50,
                    work_done=f"{MARK}填充数据（基准测试规模）。",
                    state=ReportState.APPROVED,
                    created_by_id=reporter,
                    created_at=submitted,
                    submitted_by_id=reporter,
                    submitted_at=submitted,
                    first_submitted_at=submitted,
                    reviewed_by_id=reviewer,
                    reviewed_at=reviewed,
                    is_demo=True,
                )
            )
            approved = (submitted, reviewed, ReviewDecision.APPROVED, "")
            self.built.rounds.append([approved] if reporter and reviewer else [])


def build_task_reports(
    rng: random.Random, people: DemoPeople, *, scale: int = 1, today: dt.date
) -> Built:
    """Every demo row of the task reports for the plans loaded, as known on `today`."""
    builder = Builder(rng, People(people), today)
    plans = list(Plan.objects.order_by("period_start", "code"))
    for plan in plans:
        builder.plan(plan)
    builder.notices()
    if scale > 1:
        builder.filler(plans, TASK_REPORTS_PER_SCALE * scale)
    return builder.built


def review_rounds(built: Built) -> Iterator[ReviewRound]:
    """The review rounds of the reports just inserted (they have their ids now)."""
    for report, rounds in zip(built.reports, built.rounds, strict=True):
        if report.submitted_by_id is None:  # rounds are made only where people are
            continue
        for number, (submitted, reviewed, decision, comment) in enumerate(rounds, start=1):
            yield ReviewRound(
                report_id=report.pk,
                number=number,
                submitted_by_id=report.submitted_by_id,
                submitted_at=submitted,
                reviewed_by_id=report.reviewed_by_id if reviewed else None,
                reviewed_at=reviewed,
                decision=decision,
                comment=comment,
            )
