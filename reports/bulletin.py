"""The progress bulletin (季度进展通报): a plan's task reports for one reporting period, for the
whole plan or one unit, as known at an instant K (docs/operations.md, "Progress bulletin").

What it holds, for every task-like item (plans.choices.REPORTED_ITEM_KINDS) that has units:
the item's status for the period (taskreports.rollup.item_status over its units' reports
approved by K, or the lead unit's consolidated report written by K), each responsible unit's
report (status, percent, work done, next steps, problems) or where it stood at K (awaiting
review, returned, not reported; for a reader who may not read a unit's report, "not yet
approved": reports.rules), and the item's milestones overdue at the period's end. Then a
summary: items by status, and per unit

- completeness (报送率): reports approved by K / reports expected (one per item the unit is
  responsible for);
- timeliness (及时率): reports approved by K whose first submission came by the end of the
  due day / reports expected.

As known at K: a report's state at K comes from its review rounds (the newest round submitted
by K, and its decision if taken by K); only reports approved by K show their content, which
does not change once approved (taskreports' workflow); drafts never show. Consolidated reports
written by K and milestones created by K count; a milestone is overdue when due by the period's
end and not done by then. The items and their units are the plan's as loaded now. So the same
plan, period, unit and K give the same bulletin on any later day: its digest (SHA-256 of its
content, the same in both languages and formats) and the audit chain's head at K are printed
in it, and the files carry K as their time (no clock time), so they are the same bytes. (A
bulletin made by a staff member or a reviewer names the pending state of only the reports they
may read today, reports.rules: the one they make later may name more, once reports are
approved.)

The document's words are fixed pairs (Chinese, English) here, like the report's columns
(reports.builders.Column): the bulletin is drawn in the language asked, whatever the reader's.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from plans.choices import REPORTED_ITEM_KINDS, ReportingFrequency
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from taskreports.choices import ReportState, ReviewDecision, TaskStatus
from taskreports.models import ConsolidatedReport, Milestone, ReviewRound, TaskReport
from taskreports.periods import Period, period_of
from taskreports.rollup import item_status
from zjai.dates import end_of_day

from .builders import ChainHead, Column, Table, chain_head
from .choices import BulletinFormat
from .rules import masked_reports

FORMATS = tuple(BulletinFormat.values)
LANGUAGES = ("zh-hans", "en")
NO_REPORT = "no_report"
MISSING = "missing"  # no report submitted by K
# A report the bulletin's reader may not read, not approved by K (reports.rules.masked_reports).
NOT_APPROVED = "not_approved"
PENDING_STATES = (ReportState.SUBMITTED, ReportState.RETURNED)

# The statuses in the words of the issue (未启动 / 推进中 / 已完成 / 滞后 / 暂缓).
STATUS_WORDS: dict[str, tuple[str, str]] = {
    TaskStatus.NOT_STARTED: ("未启动", "not started"),
    TaskStatus.IN_PROGRESS: ("推进中", "in progress"),
    TaskStatus.COMPLETED: ("已完成", "completed"),
    TaskStatus.BEHIND: ("滞后", "behind"),
    TaskStatus.SUSPENDED: ("暂缓", "suspended"),
    NO_REPORT: ("未报送", "no report"),
}
STATE_WORDS: dict[str, tuple[str, str]] = {
    ReportState.APPROVED: ("已审核", "approved"),
    ReportState.SUBMITTED: ("待审核", "awaiting review"),
    ReportState.RETURNED: ("已退回", "returned"),
    MISSING: ("未报送", "not reported"),
    NOT_APPROVED: ("尚未审核通过", "not yet approved"),
}
WORDS: dict[str, tuple[str, str]] = {
    "title": ("进展通报", "Progress bulletin"),
    "plan": ("规划", "Plan"),
    "period": ("报告期", "Period"),
    "due": ("报送截止日", "Reports due"),
    "unit": ("单位", "Unit"),
    "whole_plan": ("全部责任单位", "All responsible units"),
    "known_at": ("数据截至", "As known at"),
    "digest": ("数据摘要", "Digest"),
    "head": ("审计链头", "Audit chain head"),
    "summary": ("概览", "Summary"),
    "items": ("任务数", "Tasks"),
    "by_status": ("按状态", "Tasks by status"),
    "status": ("状态", "Status"),
    "count": ("数量", "Count"),
    "units": ("各单位报送情况", "Reporting by unit"),
    "expected": ("应报", "Expected"),
    "reported": ("已报", "Reported"),
    "on_time": ("按时", "On time"),
    "completeness": ("报送率", "Completeness"),
    "timeliness": ("及时率", "Timeliness"),
    "definitions": (
        "报送率＝截至数据时刻已审核通过的报告数÷应报数；及时率＝其中首次报送不晚于截止日的报告数÷应报数。",
        "Completeness: reports approved by the instant above ÷ reports expected. Timeliness: "
        "those first submitted by the end of the due day ÷ reports expected.",
    ),
    "tasks": ("分项进展", "Progress by task"),
    "lead": ("牵头", "lead"),
    "percent": ("完成度", "Percent"),
    "work_done": ("工作进展", "Work done"),
    "next_steps": ("下一步计划", "Next steps"),
    "problems": ("困难和问题", "Problems and support needed"),
    "late": ("逾期报送", "submitted late"),
    "consolidated": ("牵头单位汇总", "Lead unit's summary"),
    "overdue": ("逾期未完成的节点", "Overdue milestones"),
    "none": ("无", "None"),
    "no_items": ("本报告期无应报任务。", "No task is due for a report in this period."),
    "integrity": (
        "同一规划、报告期、单位和数据时刻生成的通报内容相同；摘要和审计链头可与系统核对。",
        "The same plan, period, unit and instant give the same bulletin; check the digest and "
        "the audit chain head against the system.",
    ),
}


# The title names the plan's reporting period (季度进展通报 for the default, quarterly).
TITLES: dict[str, tuple[str, str]] = {
    ReportingFrequency.MONTHLY: ("月度进展通报", "Monthly progress bulletin"),
    ReportingFrequency.QUARTERLY: ("季度进展通报", "Quarterly progress bulletin"),
    ReportingFrequency.HALF_YEARLY: ("半年进展通报", "Half-yearly progress bulletin"),
    ReportingFrequency.YEARLY: ("年度进展通报", "Yearly progress bulletin"),
}


class BulletinError(ValueError):
    """A plan, period, unit or instant that names no bulletin: one line, for a command or a
    form."""


def word(key: str, language: str) -> str:
    zh, en = {**WORDS, **STATE_WORDS, **STATUS_WORDS}[key]
    return en if language == "en" else zh


def _name(obj, language: str) -> str:
    with translation.override(language):
        return obj.name if isinstance(obj, ResponsibleUnit) else obj.title


@dataclass
class UnitEntry:
    """One responsible unit's part in an item, as known at K."""

    unit: ResponsibleUnit
    is_lead: bool
    state: str  # approved | submitted | returned | missing | not_approved
    report: TaskReport | None = None  # only when approved by K
    on_time: bool = False

    @property
    def late(self) -> bool:
        return self.report is not None and not self.on_time


@dataclass
class ItemEntry:
    item: PlanItem
    status: str  # a TaskStatus, or NO_REPORT
    consolidated: ConsolidatedReport | None
    units: list[UnitEntry]
    overdue: list[Milestone]


@dataclass
class UnitStats:
    unit: ResponsibleUnit
    expected: int = 0
    reported: int = 0
    on_time: int = 0

    @property
    def completeness(self) -> float | None:
        return round(100 * self.reported / self.expected, 1) if self.expected else None

    @property
    def timeliness(self) -> float | None:
        return round(100 * self.on_time / self.expected, 1) if self.expected else None


@dataclass
class Bulletin:
    plan: Plan
    period: Period
    unit: ResponsibleUnit | None
    known_at: dt.datetime
    language: str
    items: list[ItemEntry] = field(default_factory=list)
    stats: list[UnitStats] = field(default_factory=list)
    head: ChainHead | None = None

    @property
    def known_at_text(self) -> str:
        """K in Asia/Shanghai, to the microsecond (what export_bulletin --as-of takes)."""
        return timezone.localtime(self.known_at).isoformat()

    @property
    def title(self) -> str:
        zh, en = TITLES.get(self.period.frequency, WORDS["title"])
        return en if self.language == "en" else zh

    @property
    def status_counts(self) -> list[tuple[str, int]]:
        counts = Counter(entry.status for entry in self.items)
        return [(status, counts[status]) for status in STATUS_WORDS]

    def content(self) -> dict:
        """Everything the bulletin says, in neither language: what the digest sums up."""
        return {
            "plan": self.plan.code,
            "period": [self.period.start.isoformat(), self.period.end.isoformat()],
            "unit": self.unit.code if self.unit else None,
            "known_at": self.known_at_text,
            "items": [
                {
                    "item": entry.item.key,
                    "status": entry.status,
                    "consolidated": entry.consolidated.summary if entry.consolidated else None,
                    "units": [
                        [
                            u.unit.code,
                            u.state,
                            u.on_time,
                            *(
                                (
                                    u.report.status,
                                    u.report.percent_complete,
                                    u.report.work_done,
                                    u.report.next_steps,
                                    u.report.problems,
                                )
                                if u.report
                                else ()
                            ),
                        ]
                        for u in entry.units
                    ],
                    "overdue": [[m.due_on.isoformat(), m.description] for m in entry.overdue],
                }
                for entry in self.items
            ],
            "units": [[s.unit.code, s.expected, s.reported, s.on_time] for s in self.stats],
        }

    @property
    def digest(self) -> str:
        text = json.dumps(self.content(), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    @property
    def filename(self) -> str:
        unit = f"-{self.unit.code}" if self.unit else ""
        return f"zjai-bulletin-{self.plan.code}-{self.period.label}{unit}-{self.language}"


def find_period(plan: Plan, day: dt.date) -> Period:
    period = period_of(plan, day)
    if period is None:
        raise BulletinError(
            f"{day} is outside the plan's period ({plan.period_start} to {plan.period_end})"
        )
    return period


def _state_at(report: TaskReport, rounds: list[ReviewRound], known_at: dt.datetime) -> str:
    """Where a report stood at K: its newest round submitted by K and that round's decision
    if taken by K; a report without rounds (demo data without people) by its own times."""
    seen = [r for r in rounds if r.submitted_at <= known_at]
    if rounds:
        if not seen:
            return MISSING
        last = seen[-1]
        if last.decision and last.reviewed_at and last.reviewed_at <= known_at:
            return (
                ReportState.APPROVED
                if last.decision == ReviewDecision.APPROVED
                else ReportState.RETURNED
            )
        return ReportState.SUBMITTED
    if report.first_submitted_at is None or report.first_submitted_at > known_at:
        return MISSING
    if (
        report.state in (ReportState.APPROVED, ReportState.RETURNED)
        and report.reviewed_at
        and report.reviewed_at <= known_at
    ):
        return report.state
    return ReportState.SUBMITTED


def build_bulletin(
    plan: Plan,
    period: Period,
    *,
    known_at: dt.datetime,
    unit: ResponsibleUnit | None = None,
    language: str = "zh-hans",
    reader=None,
) -> Bulletin:
    """The bulletin of `plan` for `period`, as known at `known_at` (module docstring), as
    `reader` may see it (None: everything, as for the command line; reports.rules)."""
    if language not in LANGUAGES:
        raise BulletinError(f"unknown language {language!r}: use one of {', '.join(LANGUAGES)}")
    links = list(
        ItemUnit.objects.filter(item__plan=plan, item__kind__in=REPORTED_ITEM_KINDS)
        .select_related("item", "unit")
        .order_by("item__order", "order")
    )
    if unit is not None:
        mine = {link.item_id for link in links if link.unit_id == unit.pk}
        links = [link for link in links if link.item_id in mine]
    reports = {
        (r.item_id, r.unit_id): r
        for r in TaskReport.objects.filter(
            item__plan=plan, period_start=period.start, first_submitted_at__lte=known_at
        )
    }
    masked = masked_reports(reader, [r.pk for r in reports.values()])
    rounds: dict[int, list[ReviewRound]] = defaultdict(list)
    for r in ReviewRound.objects.filter(report__in=[r.pk for r in reports.values()]).order_by(
        "report_id", "number"
    ):
        rounds[r.report_id].append(r)
    consolidated = {
        c.item_id: c
        for c in ConsolidatedReport.objects.filter(
            item__plan=plan, period_start=period.start, written_at__lte=known_at
        )
    }
    milestones: dict[int, list[Milestone]] = defaultdict(list)
    overdue = Milestone.objects.filter(
        item__plan=plan, due_on__lte=period.end, created_at__lte=known_at
    ).filter(Q(done_on__isnull=True) | Q(done_on__gt=period.end))
    if unit is not None:
        overdue = overdue.filter(unit=unit)
    for m in overdue.order_by("due_on", "id"):
        milestones[m.item_id].append(m)

    due_by = end_of_day(period.due)
    bulletin = Bulletin(plan, period, unit, known_at, language, head=chain_head(known_at))
    stats: dict[int, UnitStats] = {}
    by_item: dict[int, list[ItemUnit]] = defaultdict(list)
    for link in links:
        by_item[link.item_id].append(link)
    for item_links in by_item.values():
        item = item_links[0].item
        entries, approved = [], []
        for link in item_links:
            report = reports.get((item.pk, link.unit_id))
            state = _state_at(report, rounds[report.pk], known_at) if report else MISSING
            if report is not None and report.pk in masked and state in PENDING_STATES:
                state = NOT_APPROVED
            entry = UnitEntry(link.unit, link.is_lead, state)
            if state == ReportState.APPROVED and report is not None:
                entry.report = report
                entry.on_time = report.first_submitted_at is not None and (
                    report.first_submitted_at <= due_by
                )
                approved.append(report.status)
            if unit is None or link.unit_id == unit.pk:
                entries.append(entry)
                counted = stats.setdefault(link.unit_id, UnitStats(link.unit))
                counted.expected += 1
                counted.reported += entry.report is not None
                counted.on_time += entry.on_time
        summary = consolidated.get(item.pk)
        status = item_status(approved, summary.status if summary else None) or NO_REPORT
        bulletin.items.append(ItemEntry(item, status, summary, entries, milestones[item.pk]))
    bulletin.stats = sorted(stats.values(), key=lambda s: s.unit.code)
    return bulletin


# --- PDF ------------------------------------------------------------------------------------


def render_html(bulletin: Bulletin) -> str:
    from .pdf import FONT_FAMILY

    language = bulletin.language
    with translation.override(language):
        return render_to_string(
            "reports/bulletin_pdf.html",
            {
                "b": bulletin,
                "w": {key: word(key, language) for key in WORDS} | {"title": bulletin.title},
                "plan_title": _name(bulletin.plan, language),
                "unit_name": _name(bulletin.unit, language) if bulletin.unit else "",
                "items": [
                    {
                        "entry": entry,
                        "title": f"{entry.item.number} {_name(entry.item, language)}".strip(),
                        "status": word(entry.status, language),
                        "units": [
                            {
                                "u": u,
                                "name": _name(u.unit, language),
                                "state": word(u.state, language),
                                "status": word(u.report.status, language) if u.report else "",
                            }
                            for u in entry.units
                        ],
                    }
                    for entry in bulletin.items
                ],
                "status_rows": [
                    (code, word(code, language), n) for code, n in bulletin.status_counts
                ],
                "stats": [(s, _name(s.unit, language)) for s in bulletin.stats],
                "created_w3c": timezone.localtime(bulletin.known_at).isoformat(timespec="seconds"),
                "font_family": FONT_FAMILY,
                "html_lang": "en" if language == "en" else "zh-Hans",
            },
        )


def write_pdf(bulletin: Bulletin, output: Path) -> int:
    """Write the PDF (WeasyPrint, the report's fonts, tagged as the report is); returns its
    number of pages."""
    from weasyprint import HTML

    from .pdf import PDF_VARIANT

    document = HTML(
        string=render_html(bulletin), base_url=str(Path(__file__).resolve().parent)
    ).render()
    document.write_pdf(Path(output), pdf_variant=PDF_VARIANT)
    return len(document.pages)


# --- XLSX -----------------------------------------------------------------------------------


def _fixed(rows: Iterable[tuple]) -> list[tuple]:
    return list(rows)


def tables(bulletin: Bulletin) -> list[Table]:
    """The workbook's sheets, through the report's table and sheet writers (reports.xlsx)."""
    language = bulletin.language

    def say(key: str) -> str:
        return word(key, language)

    summary = [
        ("title", say("title"), bulletin.title),
        ("plan", say("plan"), bulletin.plan.code),
        ("plan_title", say("plan"), _name(bulletin.plan, language)),
        ("period", say("period"), bulletin.period.label),
        ("period_start", say("period"), bulletin.period.start.isoformat()),
        ("period_end", say("period"), bulletin.period.end.isoformat()),
        ("due", say("due"), bulletin.period.due.isoformat()),
        (
            "unit",
            say("unit"),
            _name(bulletin.unit, language) if bulletin.unit else say("whole_plan"),
        ),
        ("known_at", say("known_at"), bulletin.known_at_text),
        ("digest", say("digest"), bulletin.digest),
        ("audit_head", say("head"), bulletin.head.anchor if bulletin.head else ""),
        ("items", say("items"), len(bulletin.items)),
        *((f"status_{code}", word(code, language), n) for code, n in bulletin.status_counts),
        ("definitions", say("completeness"), say("definitions")),
    ]
    items = [
        (
            entry.item.number,
            _name(entry.item, language),
            word(entry.status, language),
            entry.consolidated.summary if entry.consolidated else None,
            "; ".join(f"{m.due_on.isoformat()} {m.description}" for m in entry.overdue) or None,
        )
        for entry in bulletin.items
    ]
    reports = [
        (
            entry.item.number,
            _name(entry.item, language),
            _name(u.unit, language),
            say("lead") if u.is_lead else None,
            word(u.state, language),
            word(u.report.status, language) if u.report else None,
            u.report.percent_complete if u.report else None,
            u.report.work_done if u.report else None,
            u.report.next_steps if u.report else None,
            u.report.problems if u.report else None,
            (
                timezone.localtime(u.report.first_submitted_at).replace(tzinfo=None)
                if u.report and u.report.first_submitted_at
                else None
            ),
            (say("on_time") if u.on_time else say("late")) if u.report else None,
        )
        for entry in bulletin.items
        for u in entry.units
    ]
    units = [
        (
            s.unit.code,
            _name(s.unit, language),
            s.expected,
            s.reported,
            s.on_time,
            s.completeness,
            s.timeliness,
        )
        for s in bulletin.stats
    ]

    def table(name, key, columns, rows):
        zh, en = WORDS[key]
        return Table(name, zh, en, columns, lambda rows=rows: rows, lambda rows=rows: len(rows))

    return [
        table(
            "summary",
            "summary",
            [
                Column("key", "键", "key", width=18),
                Column("label", "项目", "item", width=24),
                Column("value", "值", "value", width=70),
            ],
            _fixed(summary),
        ),
        table(
            "tasks",
            "tasks",
            [
                Column("number", "编号", "number", width=8),
                Column("task", "任务", "task", width=40),
                Column("status", "状态", "status", width=12),
                Column("consolidated", "牵头单位汇总", "lead unit's summary", width=40),
                Column("overdue", "逾期未完成的节点", "overdue milestones", width=40),
            ],
            items,
        ),
        table(
            "reports",
            "units",
            [
                Column("number", "编号", "number", width=8),
                Column("task", "任务", "task", width=30),
                Column("unit", "单位", "unit", width=24),
                Column("lead", "牵头", "lead", width=8),
                Column("state", "报送状态", "report state", width=12),
                Column("status", "进展状态", "status", width=12),
                Column("percent", "完成度", "percent complete", "percent", width=10),
                Column("work_done", "工作进展", "work done", width=50),
                Column("next_steps", "下一步计划", "next steps", width=40),
                Column("problems", "困难和问题", "problems", width=40),
                Column("first_submitted", "首次报送", "first submitted", "datetime", width=20),
                Column("on_time", "是否按时", "on time", width=10),
            ],
            reports,
        ),
        table(
            "units",
            "units",
            [
                Column("code", "单位代码", "unit code", width=16),
                Column("unit", "单位", "unit", width=30),
                Column("expected", "应报", "expected", "int", width=10),
                Column("reported", "已报", "reported", "int", width=10),
                Column("on_time", "按时", "on time", "int", width=10),
                Column("completeness", "报送率", "completeness", "percent", width=12),
                Column("timeliness", "及时率", "timeliness", "percent", width=12),
            ],
            units,
        ),
    ]


def write_xlsx(bulletin: Bulletin, output: Path) -> list[str]:
    """Write the workbook; returns its sheet names."""
    from openpyxl import Workbook

    from .xlsx import save_stamped, write_table

    book = Workbook(write_only=True)
    for each in tables(bulletin):
        write_table(book, each)
    names = book.sheetnames
    save_stamped(book, Path(output), bulletin.known_at)
    return names


# --- the one entry point --------------------------------------------------------------------


@dataclass
class BulletinResult:
    bulletin: Bulletin
    output: Path
    parts: list[str]


def export_bulletin(
    fmt: str,
    output: Path,
    *,
    plan: Plan,
    period: Period,
    known_at: dt.datetime,
    unit: ResponsibleUnit | None = None,
    language: str = "zh-hans",
    reader=None,
) -> BulletinResult:
    """Write the bulletin in `fmt` to `output` (the command and the background job), as
    `reader` may see it (None: everything)."""
    if fmt not in FORMATS:
        raise BulletinError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    bulletin = build_bulletin(
        plan, period, known_at=known_at, unit=unit, language=language, reader=reader
    )
    if fmt == "pdf":
        parts = [f"{write_pdf(bulletin, output)} pages"]
    else:
        parts = write_xlsx(bulletin, output)
    return BulletinResult(bulletin, Path(output), parts)
