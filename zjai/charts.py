"""Charts as server-side SVG: no script, no network, nothing fetched at page load.

Every chart carries a title and a description for screen readers, and tells its series apart
by line style and markers as well as colour (a page also offers the figures as a table).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zjai.templatetags.zjai import format_number

Series = Sequence[tuple[dt.date, float]]

ACTUAL = "#0b5cad"
REQUIRED = "#57606a"
TARGET = "#116329"
FORECAST = "#7d4e00"
DEADLINE = "#a40e26"


def _f(value: float) -> str:
    """A coordinate: plain decimals, never localized."""
    return f"{value:.1f}"


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2, 2.5, 5 × 10ⁿ) that cuts `span` into about `ticks` parts."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def sparkline(
    points: Series, *, label: str, width: int = 140, height: int = 36, goal: float | None = None
) -> SafeString:
    """A small trend line of a target's value; the goal, when given, as a dotted line."""
    title = escape(label)
    if len(points) < 2:
        return mark_safe(
            f'<svg class="spark" role="img" aria-label="{title}" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}"><title>{title}</title>'
            f'<line x1="2" y1="{height - 4}" x2="{width - 2}" y2="{height - 4}" '
            f'stroke="{REQUIRED}" stroke-dasharray="2 3"/></svg>'
        )
    xs = [p[0].toordinal() for p in points]
    ys = [float(p[1]) for p in points]
    low = min([*ys, 0.0])
    high = max([*ys, goal or 0.0]) or 1.0
    x0, x1 = min(xs), max(xs)
    pad = 3

    def sx(x):
        return pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad)

    def sy(y):
        return height - pad - (y - low) / ((high - low) or 1) * (height - 2 * pad)

    path = " ".join(f"{_f(sx(x))},{_f(sy(y))}" for x, y in zip(xs, ys, strict=True))
    parts = [
        f'<svg class="spark" role="img" aria-label="{title}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{title}</title>'
    ]
    if goal is not None:
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{_f(sy(goal))}" y2="{_f(sy(goal))}" '
            f'stroke="{TARGET}" stroke-width="1" stroke-dasharray="1 3"/>'
        )
    parts.append(
        f'<polyline fill="none" stroke="{ACTUAL}" stroke-width="2" points="{path}"/>'
        f'<circle cx="{_f(sx(xs[-1]))}" cy="{_f(sy(ys[-1]))}" r="3" fill="{ACTUAL}"/></svg>'
    )
    return mark_safe("".join(parts))


@dataclass
class TimeSeriesLabels:
    title: str
    description: str
    actual: str
    required: str
    target: str
    deadline: str
    forecast: str


def time_series(
    *,
    actual: Series,
    required: Series,
    deadline: dt.date,
    target_value: float,
    forecast: tuple[dt.date, float] | None,
    labels: TimeSeriesLabels,
    width: int = 760,
    height: int = 320,
) -> SafeString:
    """A target's values over time against the required path, the target and the deadline."""
    left, right, top, bottom = 72, 20, 44, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    dates = [d for d, _ in actual] + [d for d, _ in required] + [deadline]
    if forecast:
        dates.append(forecast[0])
    start = min(dates)
    end = max(dates)
    if end <= start:
        end = start + dt.timedelta(days=1)
    values = [float(v) for _, v in actual] + [float(v) for _, v in required] + [target_value]
    if forecast:
        values.append(float(forecast[1]))
    low = min([*values, 0.0])
    high = max(values) or 1.0
    step = nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high * 1.04 / step) * step

    def sx(day: dt.date) -> float:
        return left + (day - start).days / (end - start).days * plot_w

    def sy(value: float) -> float:
        return top + plot_h - (value - low) / ((high - low) or 1) * plot_h

    title = escape(labels.title)
    out = [
        f'<svg class="chart" role="img" aria-labelledby="chart-title chart-desc" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet">',
        f'<title id="chart-title">{title}</title>',
        f'<desc id="chart-desc">{escape(labels.description)}</desc>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#fff" '
        f'stroke="#d0d7de"/>',
    ]
    # Horizontal grid and value axis.
    tick = low
    while tick <= high + step / 2:
        y = _f(sy(tick))
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y}" y2="{y}" stroke="#eaeef2"/>'
            f'<text x="{left - 6}" y="{y}" text-anchor="end" dominant-baseline="middle" '
            f'class="tick">{escape(format_number(tick))}</text>'
        )
        tick += step
    # Years on the time axis.
    for year in range(start.year + 1, end.year + 1):
        x = _f(sx(dt.date(year, 1, 1)))
        out.append(
            f'<line x1="{x}" x2="{x}" y1="{top}" y2="{top + plot_h}" stroke="#eaeef2"/>'
            f'<text x="{x}" y="{top + plot_h + 18}" text-anchor="middle" class="tick">'
            f"{year}</text>"
        )
    # The target value and the deadline.
    ty = _f(sy(target_value))
    out.append(
        f'<line x1="{left}" x2="{left + plot_w}" y1="{ty}" y2="{ty}" stroke="{TARGET}" '
        f'stroke-width="1.5" stroke-dasharray="2 4"/>'
    )
    dx = _f(sx(deadline))
    out.append(
        f'<line x1="{dx}" x2="{dx}" y1="{top}" y2="{top + plot_h}" stroke="{DEADLINE}" '
        f'stroke-width="1.5" stroke-dasharray="6 3"/>'
        f'<text x="{dx}" y="{top - 4}" text-anchor="end" class="note" fill="{DEADLINE}">'
        f"{escape(labels.deadline)}</text>"
    )
    # The required path.
    if required:
        pts = " ".join(f"{_f(sx(d))},{_f(sy(float(v)))}" for d, v in required)
        out.append(
            f'<polyline fill="none" stroke="{REQUIRED}" stroke-width="2" '
            f'stroke-dasharray="8 4" points="{pts}"/>'
        )
    # The forecast: from the last value to the deadline.
    if forecast and actual:
        last_d, last_v = actual[-1]
        out.append(
            f'<line x1="{_f(sx(last_d))}" y1="{_f(sy(float(last_v)))}" '
            f'x2="{_f(sx(forecast[0]))}" y2="{_f(sy(float(forecast[1])))}" stroke="{FORECAST}" '
            f'stroke-width="2" stroke-dasharray="2 3"/>'
            f'<rect x="{_f(sx(forecast[0]) - 4)}" y="{_f(sy(float(forecast[1])) - 4)}" '
            f'width="8" height="8" fill="#fff" stroke="{FORECAST}" stroke-width="2"/>'
        )
    # The values.
    if actual:
        pts = " ".join(f"{_f(sx(d))},{_f(sy(float(v)))}" for d, v in actual)
        out.append(f'<polyline fill="none" stroke="{ACTUAL}" stroke-width="2.5" points="{pts}"/>')
        marks = actual if len(actual) <= 60 else actual[-1:]
        out.extend(
            f'<circle cx="{_f(sx(d))}" cy="{_f(sy(float(v)))}" r="3" fill="{ACTUAL}"/>'
            for d, v in marks
        )
    # The legend, which names each line by its style as well as its colour.
    legend = [
        (labels.actual, ACTUAL, "", "circle"),
        (labels.required, REQUIRED, "8 4", ""),
        (labels.target, TARGET, "2 4", ""),
        (labels.forecast, FORECAST, "2 3", "square"),
    ]
    x = left
    for text, colour, dash, marker in legend:
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{x}" x2="{x + 26}" y1="14" y2="14" stroke="{colour}" stroke-width="2.5"'
            f"{dash_attr}/>"
        )
        if marker == "circle":
            out.append(f'<circle cx="{x + 13}" cy="14" r="3" fill="{colour}"/>')
        elif marker == "square":
            out.append(
                f'<rect x="{x + 22}" y="10" width="8" height="8" fill="#fff" stroke="{colour}" '
                f'stroke-width="2"/>'
            )
        out.append(
            f'<text x="{x + 34}" y="14" dominant-baseline="middle" class="legend">'
            f"{escape(text)}</text>"
        )
        x += 44 + 13 * max(len(text), 4)
    out.append("</svg>")
    return mark_safe("".join(out))
