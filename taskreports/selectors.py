"""Reading task reports: what a plan expects of its units, what came in, what is missing or
late, each item's status (taskreports.rollup), the counts the dashboard and the plan tree show,
and the supervision page (docs/supervision.md).

Every function here issues a fixed number of queries, whatever the number of items, units or
reports: rows are read in a few bulk queries and grouped in Python. Reports are read through
taskreports.rules (`visible_reports`, `supervised`), so nobody sees another unit's draft.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, F, Max, OuterRef, QuerySet, Window
from django.utils.translation import gettext_lazy as _

from plans.choices import REPORTED_ITEM_KINDS, UnitKind
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from zjai.dates import end_of_day, today

from . import rules
from .choices import NoticeState, ReportState, TaskStatus
from .models import ConsolidatedReport, Milestone, ReviewRound, SupervisionNotice, TaskReport
from .periods import Period, closed_periods, periods_of
from .rollup import item_status

# An item none of whose reports counts yet (no approved report, no consolidated report).
NOT_REPORTED = "not_reported"
# The order the counts are shown in: 未启动 / 推进中 / 已完成 / 滞后 / 暂缓 / 未报告.
STATUS_CHOICES: list[tuple[str, object]] = [
    *TaskStatus.choices,
    (NOT_REPORTED, _("not reported")),
]
# A report counts as submitted (报送) once sent to the lead unit, whatever the review decided.
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED, ReportState.RETURNED)
# A group of units ("relevant provincial departments") has nobody to write a report: only
# the named units are expected to report.
NON_REPORTING_KINDS = (UnitKind.COLLECTIVE,)
# How many closed periods the completeness and timeliness table shows.
RATE_PERIODS = 4


# --- Items, units, statuses ----------------------------------------------------------------


def reporting_links(plan: Plan, user=None):
    """The (item, unit) pairs of the plan expected to report, item and unit joined, in the
    plan's order, lead unit first; only those `user` follows on the supervision page (all when
    no user: the jobs)."""
    links = (
        ItemUnit.objects.filter(item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS)
        .exclude(unit__kind__in=NON_REPORTING_KINDS)
        .select_related("item__plan", "unit")
        .order_by("item__order", "-is_lead", "order")
    )
    return links if user is None else rules.supervised(links, user)


@dataclass(frozen=True)
class ItemStatus:
    """An item's status and the period it was reported for; `consolidated` when the lead
    unit's consolidated report stated it."""

    status: str
    period_start: dt.date | None = None
    consolidated: bool = False
    # The period's name (2019Q2): shown, not compared.
    period_label: str = field(default="", compare=False)


UNREPORTED = ItemStatus(NOT_REPORTED)


def item_statuses(plan: Plan, day: dt.date | None = None) -> dict[int, ItemStatus]:
    """Each reported item's status now: its status (taskreports.rollup) in the newest period,
    begun by `day`, for which it has an approved report of one of its responsible units or a
    consolidated report. Items with neither are absent (not reported). Two queries; approved
    reports and consolidated reports are seen by every signed-in user, so the answer is the
    same for all."""
    day = day or today()
    # The approved reports of each item's newest approved period: a window over the plan's
    # approved reports, filtered on it (one scan, not one subquery per row).
    approved: dict[int, tuple[dt.date, list[str]]] = {}
    for item_id, start, status in (
        by_responsible_units(
            TaskReport.objects.filter(
                item__plan=plan,
                item__kind__in=REPORTED_ITEM_KINDS,
                state=ReportState.APPROVED,
                period_start__lte=day,
            )
        )
        .annotate(newest=Window(Max("period_start"), partition_by=[F("item_id")]))
        .filter(period_start=F("newest"))
        .order_by()
        .values_list("item_id", "period_start", "status")
    ):
        approved.setdefault(item_id, (start, []))[1].append(status)
    consolidated = {
        item_id: (start, status)
        # Each item's newest: the same window (DISTINCT ON would leave SQLite out).
        for item_id, start, status in ConsolidatedReport.objects.filter(
            item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS, period_start__lte=day
        )
        .annotate(newest=Window(Max("period_start"), partition_by=[F("item_id")]))
        .filter(period_start=F("newest"))
        .order_by()
        .values_list("item_id", "period_start", "status")
    }
    labels = {p.start: p.label for p in periods_of(plan)}
    out: dict[int, ItemStatus] = {}
    for item_id in approved.keys() | consolidated.keys():
        a_start, a_statuses = approved.get(item_id, (None, []))
        c_start, c_status = consolidated.get(item_id, (None, None))
        # The newer period wins; in the same period the consolidated report states the status.
        if c_start is not None and (a_start is None or c_start >= a_start):
            out[item_id] = ItemStatus(
                str(c_status), c_start, consolidated=True, period_label=labels.get(c_start, "")
            )
        else:
            rolled = item_status(a_statuses)
            if rolled is not None and a_start is not None:
                out[item_id] = ItemStatus(rolled, a_start, period_label=labels.get(a_start, ""))
    return out


def period_statuses(
    reports: Iterable[TaskReport],
    consolidated: Iterable[ConsolidatedReport],
    labels: dict[dt.date, str] | None = None,
) -> dict[dt.date, ItemStatus]:
    """One item's status per period (keyed by the period's first day), from its reports and
    consolidated reports (already read)."""
    by_period: dict[dt.date, list[str]] = defaultdict(list)
    for report in reports:
        if report.state == ReportState.APPROVED:
            by_period[report.period_start].append(report.status)
    stated = {c.period_start: c.status for c in consolidated}
    out: dict[dt.date, ItemStatus] = {}
    for start in by_period.keys() | stated.keys():
        status = item_status(by_period.get(start, []), stated.get(start))
        if status is not None:
            out[start] = ItemStatus(
                status,
                start,
                consolidated=start in stated,
                period_label=(labels or {}).get(start, ""),
            )
    return out


def counts_list(counts: Counter) -> list[tuple[str, object, int]]:
    """(status, label, count) in the order STATUS_CHOICES shows them."""
    return [(key, label, counts.get(key, 0)) for key, label in STATUS_CHOICES]


@dataclass
class TaskOverview:
    """What the dashboard and the plan tree show of the plan's tasks."""

    statuses: dict[int, ItemStatus]
    # The reported items' statuses counted for the plan, and for each item above them.
    plan_counts: Counter
    counts: dict[int, Counter]
    # Overdue milestones per item, and in all.
    overdue: dict[int, int]
    tasks: int = 0

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())

    def status_of(self, item_id: int) -> ItemStatus:
        return self.statuses.get(item_id, UNREPORTED)

    def plan_count_list(self) -> list[tuple[str, object, int]]:
        return counts_list(self.plan_counts)

    def count_list(self, item_id: int) -> list[tuple[str, object, int]]:
        return counts_list(self.counts.get(item_id, Counter()))


def overdue_milestone_counts(plan: Plan, day: dt.date | None = None) -> dict[int, int]:
    """The number of overdue milestones (not done by their date) of each item. One query."""
    day = day or today()
    rows = (
        Milestone.objects.filter(item__plan=plan, done_on__isnull=True, due_on__lt=day)
        .values_list("item_id")
        .order_by()
    )
    return dict(Counter(item_id for (item_id,) in rows))


def task_overview(
    plan: Plan, day: dt.date | None = None, items: list[PlanItem] | None = None
) -> TaskOverview:
    """Statuses, counts per plan and per ancestor item, overdue milestones. Four queries, or
    three when the caller has the plan's items already (the plan tree)."""
    day = day or today()
    if items is None:
        items = list(PlanItem.objects.filter(plan=plan).only("id", "parent_id", "kind"))
    statuses = item_statuses(plan, day)
    parent_of = {item.pk: item.parent_id for item in items}
    plan_counts: Counter = Counter()
    counts: dict[int, Counter] = defaultdict(Counter)
    tasks = 0
    for item in items:
        if item.kind not in REPORTED_ITEM_KINDS:
            continue
        tasks += 1
        status = statuses.get(item.pk, UNREPORTED).status
        plan_counts[status] += 1
        ancestor = parent_of.get(item.pk)
        while ancestor is not None:
            counts[ancestor][status] += 1
            ancestor = parent_of.get(ancestor)
    return TaskOverview(
        statuses=statuses,
        plan_counts=plan_counts,
        counts=dict(counts),
        overdue=overdue_milestone_counts(plan, day),
        tasks=tasks,
    )


# --- Expected reports: submitted, late, missing ---------------------------------------------


@dataclass
class Expected:
    """A report a unit owes on an item for a period, and the report it has (as far as the
    reader may see it), if any."""

    item: PlanItem
    unit: ResponsibleUnit
    is_lead: bool
    period: Period
    report: TaskReport | None = None

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.state in SUBMITTED_STATES

    @property
    def on_time(self) -> bool:
        """First submitted by the end of its due day (a resubmission later still counts)."""
        sent = self.report.first_submitted_at if self.report is not None else None
        return self.submitted and sent is not None and sent <= end_of_day(self.period.due)

    @property
    def late(self) -> bool:
        return self.submitted and not self.on_time

    def missing(self, day: dt.date) -> bool:
        """Not submitted, and its due day has passed."""
        return not self.submitted and self.period.is_closed(day)


@dataclass
class Rate:
    """A unit's reporting in a period: 报送率 (submitted / expected) and 及时率 (submitted by
    the due day / expected)."""

    period: Period
    expected: int = 0
    submitted: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> float | None:
        return 100 * self.submitted / self.expected if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return 100 * self.on_time / self.expected if self.expected else None


def expected_reports(
    links: list[ItemUnit], periods: list[Period], reports: Iterable[TaskReport]
) -> list[Expected]:
    """Each link's expected report in each period, matched with the reports read."""
    found = {(r.item_id, r.unit_id, r.period_start): r for r in reports}
    return [
        Expected(
            item=link.item,
            unit=link.unit,
            is_lead=link.is_lead,
            period=period,
            report=found.get((link.item_id, link.unit_id, period.start)),
        )
        for period in periods
        for link in links
    ]


def rates_by_unit(
    expected: Iterable[Expected], periods: list[Period]
) -> list[tuple[ResponsibleUnit, list[Rate]]]:
    """Per unit, its Rate in each of `periods` (in that order), units by code."""
    table: dict[int, dict[dt.date, Rate]] = {}
    units: dict[int, ResponsibleUnit] = {}
    for row in expected:
        units[row.unit.pk] = row.unit
        per_period = table.setdefault(row.unit.pk, {p.start: Rate(p) for p in periods})
        rate = per_period.get(row.period.start)
        if rate is None:
            continue
        rate.expected += 1
        rate.submitted += row.submitted
        rate.on_time += row.on_time
    return [
        (units[pk], [table[pk][p.start] for p in periods])
        for pk in sorted(units, key=lambda pk: units[pk].code)
    ]


def by_responsible_units(reports: QuerySet[TaskReport]) -> QuerySet[TaskReport]:
    """Only the reports of a unit on an item it is responsible for (an ItemUnit): no page
    expects or counts the others (a unit's report on an item it has left, the benchmark's
    filler). A correlated EXISTS on ItemUnit's (item, unit) unique index."""
    return reports.filter(
        Exists(ItemUnit.objects.filter(item_id=OuterRef("item_id"), unit_id=OuterRef("unit_id")))
    )


def reports_of(plan: Plan, user, periods: Iterable[Period]):
    """The plan's reports of these periods by the items' responsible units that `user` may
    see (all for the jobs: no user); only the columns the pages use."""
    reports = by_responsible_units(
        TaskReport.objects.filter(item__plan=plan, period_start__in=[p.start for p in periods])
    )
    reports = reports.only(
        "id", "item_id", "unit_id", "period_start", "state", "status", "first_submitted_at"
    ).order_by()
    if user is None:
        return reports
    return rules.supervised(rules.visible_reports(reports, user), user)


# --- The supervision page ------------------------------------------------------------------


@dataclass
class Supervision:
    """What the supervision page shows a user of a plan on a day (docs/supervision.md)."""

    plan: Plan
    day: dt.date
    periods: list[Period]  # the closed periods, newest first (the period filter)
    period: Period | None  # the period shown
    units: list[ResponsibleUnit]  # the units the user follows (the unit filter)
    unit: ResponsibleUnit | None
    # Each followed item's lead unit (whom its "issue a notice" right depends on).
    lead_of: dict[int, int] = field(default_factory=dict)
    missing: list[Expected] = field(default_factory=list)
    late: list[Expected] = field(default_factory=list)
    behind: list[tuple[PlanItem, ItemStatus]] = field(default_factory=list)
    overdue_milestones: list[Milestone] = field(default_factory=list)
    notices: list[SupervisionNotice] = field(default_factory=list)
    rate_periods: list[Period] = field(default_factory=list)
    rates: list[tuple[ResponsibleUnit, list[Rate]]] = field(default_factory=list)

    @property
    def missing_by_unit(self) -> list[tuple[ResponsibleUnit, list[Expected]]]:
        groups: dict[int, list[Expected]] = {}
        for row in self.missing:
            groups.setdefault(row.unit.pk, []).append(row)
        return sorted(((rows[0].unit, rows) for rows in groups.values()), key=lambda g: g[0].code)

    @property
    def missing_by_item(self) -> list[tuple[PlanItem, list[Expected]]]:
        groups: dict[int, list[Expected]] = {}
        for row in self.missing:
            groups.setdefault(row.item.pk, []).append(row)
        return [(rows[0].item, rows) for rows in groups.values()]

    def notice_overdue(self, notice: SupervisionNotice) -> bool:
        return notice.state == NoticeState.OPEN and notice.reply_by < self.day


def supervision(
    plan: Plan,
    user,
    *,
    day: dt.date | None = None,
    period_start: dt.date | None = None,
    unit_id: int | None = None,
) -> Supervision:
    """The supervision page's content for `user`: the newest closed period unless
    `period_start` names another closed one; every unit followed unless `unit_id` names one.
    Six queries, whatever the plan's size: the units, the reports, the statuses (two), the
    milestones, the notices."""
    day = day or today()
    closed = closed_periods(plan, day)
    periods = list(reversed(closed))
    period = next((p for p in periods if p.start == period_start), periods[0] if periods else None)
    all_links = list(reporting_links(plan, user))
    units = sorted({link.unit_id: link.unit for link in all_links}.values(), key=lambda u: u.code)
    unit = next((u for u in units if u.pk == unit_id), None)
    links = [link for link in all_links if unit is None or link.unit_id == unit.pk]
    result = Supervision(
        plan=plan,
        day=day,
        periods=periods,
        period=period,
        units=units,
        unit=unit,
        lead_of={link.item_id: link.unit_id for link in all_links if link.is_lead},
    )
    if period is not None:
        # The rate table: the RATE_PERIODS closed periods up to the one shown, oldest first.
        index = closed.index(period)
        result.rate_periods = closed[max(0, index - RATE_PERIODS + 1) : index + 1]
        reports = reports_of(plan, user, result.rate_periods)
        if unit is not None:
            reports = reports.filter(unit_id=unit.pk)
        expected = expected_reports(links, result.rate_periods, reports)
        shown = [row for row in expected if row.period == period]
        result.missing = [row for row in shown if row.missing(day)]
        result.late = [row for row in shown if row.late]
        result.rates = rates_by_unit(expected, result.rate_periods)
    items = {link.item_id: link.item for link in links}
    statuses = item_statuses(plan, day)
    result.behind = [
        (item, statuses[pk])
        for pk, item in items.items()
        if pk in statuses and statuses[pk].status == TaskStatus.BEHIND
    ]
    milestones = rules.supervised(
        Milestone.objects.filter(item__plan=plan, done_on__isnull=True, due_on__lt=day),
        user,
    ).select_related("item", "unit")
    notices = rules.visible_notices(
        SupervisionNotice.objects.filter(plan=plan).exclude(state=NoticeState.CLOSED), user
    ).select_related("unit", "item")
    if unit is not None:
        milestones = milestones.filter(unit_id=unit.pk)
        notices = notices.filter(unit_id=unit.pk)
    result.overdue_milestones = list(milestones.order_by("due_on", "id"))
    result.notices = list(notices.order_by("reply_by", "id"))
    return result


# --- The task page -------------------------------------------------------------------------


@dataclass
class TaskPeriod:
    """One period of an item: its status, each unit's report (if the reader may see it), the
    consolidated report."""

    period: Period
    status: ItemStatus | None
    rows: list[Expected]
    consolidated: ConsolidatedReport | None
    closed: bool = False


@dataclass
class TaskPage:
    item: PlanItem
    links: list[ItemUnit]  # lead unit first
    reporting_links: list[ItemUnit]  # those expected to report (the table's columns)
    status: ItemStatus
    periods: list[TaskPeriod]  # newest first, those begun by the day
    milestones: list[tuple[Milestone, bool]]  # and whether each is overdue
    reports: list[TaskReport]  # every report the reader may see, newest first
    current: Period | None  # the period a unit reports on now
    day: dt.date

    @property
    def overdue_milestones(self) -> int:
        return sum(overdue for _, overdue in self.milestones)


def task_page(item: PlanItem, user, day: dt.date | None = None) -> TaskPage:
    """An item's reports over time as `user` may see them. Four queries."""
    from .periods import current_period

    day = day or today()
    plan = item.plan
    links = sorted(
        ItemUnit.objects.filter(item=item).select_related("unit"),
        key=lambda link: (not link.is_lead, link.order),
    )
    reports = list(
        TaskReport.objects.for_user(user)
        .filter(item=item)
        .select_related("unit")
        .order_by("-period_start", "unit__code")
    )
    consolidated = {c.period_start: c for c in ConsolidatedReport.objects.filter(item=item)}
    all_periods = periods_of(plan)
    # As item_statuses: only the reports of the item's responsible units count.
    responsible = {link.unit_id for link in links}
    by_period = period_statuses(
        [r for r in reports if r.unit_id in responsible],
        consolidated.values(),
        {p.start: p.label for p in all_periods},
    )
    begun = [p for p in all_periods if p.start <= day]
    reporting = [link for link in links if link.unit.kind not in NON_REPORTING_KINDS]
    expected = expected_reports(reporting, begun, reports)
    rows_of: dict[dt.date, list[Expected]] = defaultdict(list)
    for row in expected:
        rows_of[row.period.start].append(row)
    periods = [
        TaskPeriod(
            p,
            by_period.get(p.start),
            rows_of[p.start],
            consolidated.get(p.start),
            closed=p.is_closed(day),
        )
        for p in reversed(begun)
    ]
    # Now: the newest period with a status (as item_statuses, for this one item).
    status = next((tp.status for tp in periods if tp.status is not None), UNREPORTED)
    milestones = [
        (m, m.done_on is None and m.due_on < day)
        for m in Milestone.objects.filter(item=item).select_related("unit").order_by("due_on", "id")
    ]
    return TaskPage(
        item=item,
        links=links,
        reporting_links=reporting,
        status=status,
        periods=periods,
        milestones=milestones,
        reports=reports,
        current=current_period(plan, day),
        day=day,
    )


# --- Reminders (taskreports.tasks) ---------------------------------------------------------


def reminders_due(day: dt.date, due_soon_days: int) -> tuple[list[Expected], list[Expected]]:
    """Across the plans not in draft: the reports due within `due_soon_days` days (due day
    not yet passed) that are not submitted, and the reports of each plan's newest closed period
    still missing. Older closed periods were reminded of when they were the newest, so a new
    installation is not flooded with years of reminders. Three queries per plan."""
    due_soon: list[Expected] = []
    overdue: list[Expected] = []
    horizon = day + dt.timedelta(days=due_soon_days)
    for plan in Plan.objects.filter(is_draft=False).order_by("code"):
        all_periods = periods_of(plan)
        soon = [p for p in all_periods if day <= p.due <= horizon]
        closed = [p for p in all_periods if p.is_closed(day)]
        newest_closed = closed[-1:]
        wanted = soon + newest_closed
        if not wanted:
            continue
        links = list(reporting_links(plan))
        expected = expected_reports(links, wanted, reports_of(plan, None, wanted))
        for row in expected:
            if row.submitted:
                continue
            if row.period in soon:
                due_soon.append(row)
            elif row.missing(day):
                overdue.append(row)
    return due_soon, overdue


def reviews_waiting(since: dt.datetime) -> list[tuple[ReviewRound, int | None]]:
    """The open review rounds of reports still submitted since before `since`, each with its
    item's lead unit (whose reviewers review it). Two queries."""
    rounds = list(
        ReviewRound.objects.filter(
            decision="", submitted_at__lt=since, report__state=ReportState.SUBMITTED
        )
        .select_related("report__item__plan", "report__unit")
        .order_by("submitted_at", "pk")
    )
    leads = dict(
        ItemUnit.objects.filter(
            item_id__in={r.report.item_id for r in rounds}, is_lead=True
        ).values_list("item_id", "unit_id")
    )
    return [(r, leads.get(r.report.item_id)) for r in rounds]
