"""The PDF progress report, drawn by WeasyPrint from templates/reports/report_pdf.html.

Cover, summary, one section per objective and key task group with its targets (targets stated
elsewhere — implementation paths, safeguard measures — get a section per part of the plan),
charts of the headline targets, the targets of each status short of on track (each under its
own label) and the stale ones, and in every page's
footer the audit chain's head at K and the instant K the report is as known at. The cover
names the edition: K, the digest of its tables, the chain head, and a QR code of them
(reports.editions.Edition.payload, drawn by segno as SVG). The file's /CreationDate is K: no
clock time is written, so two exports of one edition are the same bytes. The file is tagged
(PDF/UA-1, `PDF_VARIANT`): headings, tables and paragraphs in a structure tree, with the
document's language and title. Text is
set in Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by `make install`), embedded in
the file.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from plans.choices import ItemKind
from plans.models import PlanItem
from targets.baselines import Baseline
from targets.choices import BaselineSource, Comparator
from targets.models import Target
from targets.recompute import spec_for
from targets.series import chart_period, required_path
from zjai.charts import TimeSeriesLabels, time_series
from zjai.templatetags.zjai import format_number

from .builders import STATUSES, AsOfReport, TargetRow, labels, local_naive

if TYPE_CHECKING:
    from .editions import Edition

FONT_FAMILY = "Noto Sans CJK SC"
# Every PDF the app makes is tagged (PDF/UA-1): a structure tree a screen reader follows, the
# document's language and title (from <html lang> and <title>, which the templates must keep).
PDF_VARIANT = "pdf/ua-1"
CHART_WIDTH, CHART_HEIGHT = 600, 260


@dataclass
class Section:
    item: PlanItem
    rows: list[TargetRow] = field(default_factory=list)

    @property
    def heading(self) -> str:
        return f"{self.item.number} {self.item.title_zh or self.item.title_en}".strip()


def sections(report: AsOfReport) -> list[Section]:
    """Every objective and key task group in the plan's order, each with its targets; then a
    section for each other part of the plan that states targets."""
    by_item = {
        pk: Section(item)
        for pk, item in report.items.items()
        if item.kind in (ItemKind.OBJECTIVE, ItemKind.TASK_GROUP)
    }
    for row in report.target_rows:
        if row.section is None:
            continue
        section = by_item.setdefault(row.section.pk, Section(row.section))
        section.rows.append(row)
    return sorted(by_item.values(), key=lambda s: s.item.order)


def baseline_words(target: Target, baseline: Baseline) -> tuple[str, str]:
    """The baseline and its source, in Chinese and in English (the choices' own labels)."""
    zh, en = labels(BaselineSource)[baseline.source]
    value, day = format_number(baseline.value), baseline.on.isoformat()
    unit = target.unit_of_measure
    return f"基期 {value} {unit}（{day}，{zh}）", f"baseline {value} on {day}: {en}"


def chart(
    target: Target,
    points: list[tuple[dt.date, float]],
    as_of: dt.date,
    baseline: Baseline,
) -> SafeString:
    """A headline target's chart, in both languages: the value counted at each quarter end
    over the whole plan period, the path required from the baseline (marked, with its source)
    to the target at the deadline, the deadline and the as-of date. The browser's chart
    (zjai.charts), drawn at a fixed size in the report's font."""
    title = f"{target.title_zh}（{target.unit_of_measure}）"
    day = as_of.isoformat()
    zh, en = baseline_words(target, baseline)
    description = (
        f"截至 {day} 的 {len(points)} 个季末数值，要求路径，目标值与期限；{zh}。"
        f"{len(points)} quarter-end values to {day}, the required path, the target, the "
        f"deadline; {en}."
    )
    return time_series(
        actual=points,
        required=required_path(spec_for(target, baseline)),
        deadline=target.deadline,
        target_value=float(target.target_value),
        forecast=None,
        as_of=as_of,
        baseline=(baseline.on, float(baseline.value)),
        period=chart_period(target, as_of, baseline),
        labels=TimeSeriesLabels(
            title=title,
            description=description,
            actual="实际 actual",
            required="要求路径 required path",
            target=f"目标 target {format_number(target.target_value)}",
            deadline=f"期限 deadline {target.deadline.isoformat()}",
            forecast="预测 forecast",
            baseline=f"基期 baseline {format_number(baseline.value)}",
        ),
        chart_id=f"chart-{target.pk}",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        fluid=False,
        font_family=f"{FONT_FAMILY}, sans-serif",
    )


def qr_svg(edition: Edition) -> SafeString:
    """The edition's QR code as inline SVG (medium error correction: a smudged print still
    reads)."""
    code = segno.make(edition.payload(), error="m", micro=False)
    return mark_safe(code.svg_inline(scale=4, border=4, omitsize=False))


def context(report: AsOfReport, edition: Edition) -> dict:
    labels_dict = report.status_labels
    headline = [r for r in report.target_rows if r.target.headline]
    series = report.quarter_series([r.target for r in headline])
    baselines = report.baselines
    charts = [
        {
            "row": row,
            "baseline": baseline_words(row.target, baselines[row.target.pk]),
            "svg": chart(
                row.target,
                series.get(row.target.pk, []),
                report.as_of,
                baselines[row.target.pk],
            ),
        }
        for row in headline
    ]
    roll = report.plan_rollup
    return {
        "report": report,
        "plan": report.plan,
        "as_of": report.as_of,
        "generated_at": local_naive(report.generated_at),
        # The file's /CreationDate is K's, not the clock's: one edition, one file, byte for byte.
        "created_w3c": timezone.localtime(edition.known_at).isoformat(timespec="seconds"),
        # K to the microsecond: the text names the instant exactly (export_report takes it).
        "known_at_text": edition.known_at_text,
        "edition": edition,
        "qr": qr_svg(edition),
        "head": report.head,
        "status_rows": [
            (s, *labels_dict.get(s, (s, s)), report.status_counts[s]) for s in STATUSES
        ],
        "status_labels": labels_dict,
        "roll": roll,
        "band": labels_dict.get(roll.band, ("期满", "final")) if roll.band else ("期满", "final"),
        "sections": sections(report),
        "charts": charts,
        # Each listed status under its own label, as the classification names it.
        "listed": [
            (status, *labels_dict.get(status, (status, status)), rows)
            for status, rows in report.listed_statuses
        ],
        "stale": report.stale_rows,
        "counts": {
            "figures": report.measurements_queryset().count(),
            "enterprises": report.enterprises_queryset(["pk"]).count(),
            "projects": report.projects_queryset(["pk"]).count(),
        },
        "font_family": FONT_FAMILY,
        "comparators": labels(Comparator),
    }


def render_html(report: AsOfReport, edition: Edition) -> str:
    return render_to_string("reports/report_pdf.html", context(report, edition))


def write_pdf(
    report: AsOfReport,
    edition: Edition,
    output: Path,
    progress: Callable[[float], None] | None = None,
) -> int:
    """Write the PDF; returns its number of pages."""
    from weasyprint import HTML

    html = render_html(report, edition)
    if progress:
        progress(0.3)
    document = HTML(string=html, base_url=str(Path(__file__).resolve().parent)).render()
    if progress:
        progress(0.8)
    document.write_pdf(Path(output), pdf_variant=PDF_VARIANT)
    return len(document.pages)
