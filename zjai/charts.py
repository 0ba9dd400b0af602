"""Charts as server-side SVG, one module for the browser and the PDF report: no script, no
network, nothing fetched at page load, and WeasyPrint draws the same SVG as vector graphics.

Escaping by construction: every chart is built as an `xml.etree.ElementTree` tree and written by
its serializer, which escapes every text and attribute value (`<`, `>`, `&`, quotes); no value
is ever pasted into markup. One palette and one scale (`axis_ticks`) serve every chart.

Every chart carries a title and a description for screen readers, and tells its series apart
by line style and markers as well as colour (the pages also offer the figures as a table).
No inline style: colours are SVG presentation attributes, which the pages' CSS may override.
"""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

from zjai.templatetags.zjai import format_number

Series = Sequence[tuple[dt.date, float]]
SVG_NS = "http://www.w3.org/2000/svg"


class Palette:
    """The one palette of every chart: dark enough for 4.5:1 contrast on white."""

    ACTUAL = "#0b5cad"
    REQUIRED = "#57606a"
    TARGET = "#116329"
    FORECAST = "#7d4e00"
    DEADLINE = "#a40e26"
    AS_OF = "#57606a"
    GRID = "#eaeef2"
    FRAME = "#d0d7de"
    TICK = "#4a5159"
    TEXT = "#1b1f24"
    BACKGROUND = "#fff"


# --- writing SVG -------------------------------------------------------------------------------


def _f(value: float) -> str:
    """A coordinate: plain decimals, never localized."""
    return f"{value:.1f}"


def _attrs(values: dict[str, object]) -> dict[str, str]:
    """Attribute values as text: floats as coordinates; None leaves the attribute out."""
    return {
        name.rstrip("_").replace("_", "-"): _f(value) if isinstance(value, float) else str(value)
        for name, value in values.items()
        if value is not None
    }


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    """A child element; `stroke_width=2` writes stroke-width="2", `class_` writes class."""
    element = ET.SubElement(parent, tag, _attrs(attrs))
    if text is not None:
        element.text = str(text)
    return element


def _svg(**attrs: object) -> ET.Element:
    return ET.Element("svg", _attrs({"xmlns": SVG_NS, **attrs}))


def _written(root: ET.Element) -> SafeString:
    # Safe: the serializer escaped every text and attribute value.
    return mark_safe(ET.tostring(root, encoding="unicode"))


def text_width(text: str, size: float) -> float:
    """About how wide a text is drawn: CJK characters a full em, others about half."""
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in "WF")
    return (wide + 0.6 * (len(text) - wide)) * size


# --- the scale ---------------------------------------------------------------------------------


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


def axis_ticks(values: Sequence[float], ticks: int = 5) -> list[float]:
    """The value axis of a chart showing `values`: round ticks from at most zero to a little
    above the highest value, the first and last being the axis' ends."""
    low = min([*values, 0.0])
    high = max([*values, 0.0]) or 1.0
    step = nice_step(high - low, ticks)
    first = math.floor(low / step)
    last = max(math.ceil(high * 1.04 / step), first + 1)
    return [i * step for i in range(first, last + 1)]


# --- the charts --------------------------------------------------------------------------------


def sparkline(
    points: Series, *, label: str, width: int = 140, height: int = 36, goal: float | None = None
) -> SafeString:
    """A small trend line of a target's value; the goal, when given, as a dotted line."""
    root = _svg(
        class_="spark", role="img", aria_label=label, width=width, height=height,
        viewBox=f"0 0 {width} {height}",
    )  # fmt: skip
    _add(root, "title", label)
    if len(points) < 2:
        _add(
            root, "line", x1=2, y1=height - 4, x2=width - 2, y2=height - 4,
            stroke=Palette.REQUIRED, stroke_dasharray="2 3",
        )  # fmt: skip
        return _written(root)
    xs = [p[0].toordinal() for p in points]
    ys = [float(p[1]) for p in points]
    low = min([*ys, 0.0])
    high = max([*ys, goal or 0.0]) or 1.0
    x0, x1 = min(xs), max(xs)
    pad = 3

    def sx(x: int) -> float:
        return pad + (x - x0) / ((x1 - x0) or 1) * (width - 2 * pad)

    def sy(y: float) -> float:
        return height - pad - (y - low) / ((high - low) or 1) * (height - 2 * pad)

    if goal is not None:
        _add(
            root, "line", x1=pad, x2=width - pad, y1=sy(goal), y2=sy(goal),
            stroke=Palette.TARGET, stroke_width=1, stroke_dasharray="1 3",
        )  # fmt: skip
    _add(
        root, "polyline", fill="none", stroke=Palette.ACTUAL, stroke_width=2,
        points=" ".join(f"{_f(sx(x))},{_f(sy(y))}" for x, y in zip(xs, ys, strict=True)),
    )  # fmt: skip
    _add(root, "circle", cx=sx(xs[-1]), cy=sy(ys[-1]), r=3, fill=Palette.ACTUAL)
    return _written(root)


def _diamond(parent: ET.Element, x: float, y: float, colour: str) -> None:
    """The baseline's marker: a hollow diamond, told apart from the values' filled dots."""
    r = 5.0
    _add(
        parent, "polygon", fill=Palette.BACKGROUND, stroke=colour, stroke_width=2,
        points=f"{_f(x)},{_f(y - r)} {_f(x + r)},{_f(y)} {_f(x)},{_f(y + r)} {_f(x - r)},{_f(y)}",
    )  # fmt: skip


@dataclass
class TimeSeriesLabels:
    """The words of a time-series chart, in the reader's language (or two, in the PDF)."""

    title: str
    description: str
    actual: str
    required: str
    target: str
    deadline: str
    forecast: str
    # The legend's name of the baseline's diamond ("baseline 80,000"), shown when the chart is
    # given a baseline point; where it comes from goes in the description and beside the chart.
    baseline: str = ""


def time_series(
    *,
    actual: Series,
    required: Series,
    deadline: dt.date,
    target_value: float,
    forecast: tuple[dt.date, float] | None,
    labels: TimeSeriesLabels,
    as_of: dt.date | None = None,
    baseline: tuple[dt.date, float] | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    chart_id: str = "chart",
    width: int = 760,
    height: int = 320,
    fluid: bool = True,
    font_family: str | None = None,
) -> SafeString:
    """A target's values over time against the required path, the target and the deadline;
    the forecast at the deadline, and the as-of date, when given.

    `period` is the span the time axis covers at least (the plan's period: targets.series
    .chart_period), whatever the values cover; `baseline` the point the required path starts
    from, marked with a hollow diamond and named in the legend (`labels.baseline`).
    `fluid` charts fill their box (the browser); others are drawn at their size (the PDF).
    `chart_id` makes the title's and description's ids unique on a page of several charts.
    """
    font_size = 11
    legend = [
        (labels.actual, Palette.ACTUAL, None, "circle"),
        (labels.required, Palette.REQUIRED, "8 4", ""),
        (labels.target, Palette.TARGET, "2 4", ""),
    ]
    if forecast:
        legend.append((labels.forecast, Palette.FORECAST, "2 3", "square"))
    if baseline and labels.baseline:
        legend.append((labels.baseline, Palette.REQUIRED, "none", "diamond"))
    left, right, bottom = 72, 20, 36
    # The legend, in as many rows as it needs, above the plot.
    legend_rows: list[list[tuple[float, tuple]]] = [[]]
    x = float(left)
    for entry in legend:
        item_width = 34 + text_width(entry[0], font_size + 1) + 14
        if legend_rows[-1] and x + item_width > width - right:
            legend_rows.append([])
            x = float(left)
        legend_rows[-1].append((x, entry))
        x += item_width
    top = 18 * len(legend_rows) + 26
    plot_w, plot_h = width - left - right, height - top - bottom

    dates = [d for d, _ in actual] + [d for d, _ in required] + [deadline]
    if forecast:
        dates.append(forecast[0])
    if as_of:
        dates.append(as_of)
    if period:
        dates.extend(period)
    if baseline:
        dates.append(baseline[0])
    start, end = min(dates), max(dates)
    if end <= start:
        end = start + dt.timedelta(days=1)
    values = [float(v) for _, v in actual] + [float(v) for _, v in required] + [target_value]
    if forecast:
        values.append(float(forecast[1]))
    if baseline:
        values.append(float(baseline[1]))
    ticks = axis_ticks(values)
    low, high = ticks[0], ticks[-1]

    def sx(day: dt.date) -> float:
        return left + (day - start).days / (end - start).days * plot_w

    def sy(value: float) -> float:
        return top + plot_h - (value - low) / ((high - low) or 1) * plot_h

    def path(points: Series) -> str:
        return " ".join(f"{_f(sx(d))},{_f(sy(float(v)))}" for d, v in points)

    size = {"width": "100%"} if fluid else {"width": width, "height": height}
    root = _svg(
        class_="chart", role="img", aria_labelledby=f"{chart_id}-title {chart_id}-desc",
        viewBox=f"0 0 {width} {height}", **size, preserveAspectRatio="xMidYMid meet",
        font_family=font_family, font_size=font_size,
    )  # fmt: skip
    _add(root, "title", labels.title, id=f"{chart_id}-title")
    _add(root, "desc", labels.description, id=f"{chart_id}-desc")
    _add(
        root, "rect", x=left, y=top, width=plot_w, height=plot_h,
        fill=Palette.BACKGROUND, stroke=Palette.FRAME,
    )  # fmt: skip
    for tick in ticks:  # horizontal grid and the value axis
        y = sy(tick)
        _add(root, "line", x1=left, x2=left + plot_w, y1=y, y2=y, stroke=Palette.GRID)
        _add(
            root, "text", format_number(tick), x=left - 6, y=y, text_anchor="end",
            dominant_baseline="middle", class_="tick", fill=Palette.TICK,
        )  # fmt: skip
    for year in range(start.year + 1, end.year + 1):  # years on the time axis
        x = sx(dt.date(year, 1, 1))
        _add(root, "line", x1=x, x2=x, y1=top, y2=top + plot_h, stroke=Palette.GRID)
        _add(
            root, "text", str(year), x=x, y=top + plot_h + 18, text_anchor="middle",
            class_="tick", fill=Palette.TICK,
        )  # fmt: skip
    ty = sy(target_value)
    _add(
        root, "line", x1=left, x2=left + plot_w, y1=ty, y2=ty, stroke=Palette.TARGET,
        stroke_width=1.5, stroke_dasharray="2 4",
    )  # fmt: skip
    dx = sx(deadline)
    _add(
        root, "line", x1=dx, x2=dx, y1=top, y2=top + plot_h, stroke=Palette.DEADLINE,
        stroke_width=1.5, stroke_dasharray="6 3",
    )  # fmt: skip
    _add(
        root, "text", labels.deadline, x=dx, y=top - 4, text_anchor="end", class_="note",
        fill=Palette.DEADLINE,
    )  # fmt: skip
    if as_of and as_of != deadline:
        ax = sx(as_of)
        _add(
            root, "line", x1=ax, x2=ax, y1=top, y2=top + plot_h, stroke=Palette.AS_OF,
            stroke_width=0.8, stroke_dasharray="1 2",
        )  # fmt: skip
    if required:
        _add(
            root, "polyline", fill="none", stroke=Palette.REQUIRED, stroke_width=2,
            stroke_dasharray="8 4", points=path(required),
        )  # fmt: skip
    if forecast and actual:  # from the last value to the forecast at the deadline
        last_day, last_value = actual[-1]
        fx, fy = sx(forecast[0]), sy(float(forecast[1]))
        _add(
            root, "line", x1=sx(last_day), y1=sy(float(last_value)), x2=fx, y2=fy,
            stroke=Palette.FORECAST, stroke_width=2, stroke_dasharray="2 3",
        )  # fmt: skip
        _add(
            root, "rect", x=fx - 4, y=fy - 4, width=8, height=8, fill=Palette.BACKGROUND,
            stroke=Palette.FORECAST, stroke_width=2,
        )  # fmt: skip
    if baseline:
        _diamond(root, sx(baseline[0]), sy(float(baseline[1])), Palette.REQUIRED)
    if actual:
        _add(
            root, "polyline", fill="none", stroke=Palette.ACTUAL, stroke_width=2.5,
            points=path(actual),
        )  # fmt: skip
        for day, value in actual if len(actual) <= 60 else actual[-1:]:
            _add(root, "circle", cx=sx(day), cy=sy(float(value)), r=3, fill=Palette.ACTUAL)
    # The legend names each line by its style as well as its colour.
    for row, entries in enumerate(legend_rows):
        y = 14 + 18 * row
        for x, (text, colour, dash, marker) in entries:
            if dash != "none":
                _add(
                    root, "line", x1=x, x2=x + 26, y1=y, y2=y, stroke=colour, stroke_width=2.5,
                    stroke_dasharray=dash,
                )  # fmt: skip
            if marker == "diamond":
                _diamond(root, x + 13, y, colour)
            elif marker == "circle":
                _add(root, "circle", cx=x + 13, cy=y, r=3, fill=colour)
            elif marker == "square":
                _add(
                    root, "rect", x=x + 22, y=y - 4, width=8, height=8,
                    fill=Palette.BACKGROUND, stroke=colour, stroke_width=2,
                )  # fmt: skip
            _add(
                root, "text", text, x=x + 34, y=y, dominant_baseline="middle",
                class_="legend", fill=Palette.TEXT, font_size=font_size + 1,
            )  # fmt: skip
    return _written(root)
