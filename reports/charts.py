"""Server-side SVG charts of the PDF report: a target's values over time against the path the
plan requires, its target value and its deadline. Plain SVG text, no JavaScript, no library:
WeasyPrint draws it as vector graphics, so it prints sharp."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape

from targets.progress import TargetSpec, expected_value

WIDTH, HEIGHT = 520, 230
LEFT, RIGHT, TOP, BOTTOM = 62, 16, 14, 40
ACTUAL, REQUIRED, TARGET, DEADLINE, AS_OF = "#1f5fa8", "#8a8a8a", "#2e7d32", "#c62828", "#555"


@dataclass(frozen=True)
class ChartLabels:
    actual: str = "实际 actual"
    required: str = "要求路径 required path"
    target: str = "目标 target"
    deadline: str = "期限 deadline"
    as_of: str = "统计日 as of"


def _fmt(value: float) -> str:
    if abs(value) >= 10000:
        return f"{value / 10000:,.1f}万"
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def target_chart(
    spec: TargetSpec,
    points: list[tuple[dt.date, float]],
    as_of: dt.date,
    *,
    title: str,
    labels: ChartLabels | None = None,
) -> str:
    """An SVG line chart: actual values (points), the required path from the baseline to the
    target at the deadline, the target value and the deadline, and the as-of date."""
    labels = labels or ChartLabels()
    start = spec.start
    end = max(spec.deadline, as_of)
    span = max((end - start).days, 1)
    top_value = _nice_max(max([spec.target_value, spec.baseline, *(v for _, v in points)]) * 1.08)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: dt.date) -> float:
        return LEFT + plot_w * min(max((day - start).days, 0), span) / span

    def y(value: float) -> float:
        return TOP + plot_h * (1 - min(max(value, 0.0), top_value) / top_value)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="{escape(title)}" '
        'font-family="Noto Sans CJK SC, sans-serif" font-size="10">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#ccc"/>',
    ]
    for i in range(5):  # horizontal grid and value axis
        value = top_value * i / 4
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#e4e4e4"/>'
            f'<text x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end" fill="#444">'
            f"{escape(_fmt(value))}</text>"
        )
    for year in range(start.year, end.year + 1):  # years on the time axis
        day = dt.date(year, 1, 1)
        if start <= day <= end:
            parts.append(
                f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{TOP + plot_h}" '
                f'y2="{TOP + plot_h + 4}" stroke="#888"/>'
                f'<text x="{x(day):.1f}" y="{TOP + plot_h + 15}" text-anchor="middle" '
                f'fill="#444">{year}</text>'
            )
    # The required path, sampled monthly (a curve for compound growth).
    path_days = [start]
    day = start
    while day < spec.deadline:
        day = min(day + dt.timedelta(days=30), spec.deadline)
        path_days.append(day)
    required = " ".join(f"{x(d):.1f},{y(expected_value(spec, d)):.1f}" for d in path_days)
    parts.append(
        f'<polyline points="{required}" fill="none" stroke="{REQUIRED}" stroke-width="1.5" '
        'stroke-dasharray="5 3"/>'
    )
    parts.append(
        f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y(spec.target_value):.1f}" '
        f'y2="{y(spec.target_value):.1f}" stroke="{TARGET}" stroke-width="1" '
        'stroke-dasharray="2 2"/>'
    )
    parts.append(
        f'<line x1="{x(spec.deadline):.1f}" x2="{x(spec.deadline):.1f}" y1="{TOP}" '
        f'y2="{TOP + plot_h}" stroke="{DEADLINE}" stroke-width="1.2"/>'
        f'<text x="{x(spec.deadline) - 3:.1f}" y="{TOP + 10}" text-anchor="end" '
        f'fill="{DEADLINE}">{escape(labels.deadline)} {spec.deadline.isoformat()}</text>'
    )
    if as_of != spec.deadline:
        parts.append(
            f'<line x1="{x(as_of):.1f}" x2="{x(as_of):.1f}" y1="{TOP}" y2="{TOP + plot_h}" '
            f'stroke="{AS_OF}" stroke-width="0.8" stroke-dasharray="1 2"/>'
        )
    if points:
        line = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{ACTUAL}" stroke-width="2"/>')
        parts += [
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="2.2" fill="{ACTUAL}"/>' for d, v in points
        ]
    legend_y = HEIGHT - 8
    legend = [
        (ACTUAL, labels.actual, ""),
        (REQUIRED, labels.required, 'stroke-dasharray="5 3"'),
        (TARGET, f"{labels.target} {_fmt(spec.target_value)}", 'stroke-dasharray="2 2"'),
    ]
    lx = LEFT
    for color, text, dash in legend:
        parts.append(
            f'<line x1="{lx}" x2="{lx + 18}" y1="{legend_y - 3}" y2="{legend_y - 3}" '
            f'stroke="{color}" stroke-width="2" {dash}/>'
            f'<text x="{lx + 22}" y="{legend_y}" fill="#222">{escape(text)}</text>'
        )
        lx += 30 + 9 * len(text)
    parts.append("</svg>")
    return "".join(parts)
