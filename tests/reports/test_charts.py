"""The one chart module (zjai.charts) of the browser and the PDF: well-formed SVG whatever the
labels say, every value escaped, one scale, and names for screen readers."""

from __future__ import annotations

import datetime as dt
import itertools
import xml.etree.ElementTree as ET

import pytest

from zjai.charts import TimeSeriesLabels, axis_ticks, nice_step, sparkline, time_series

NS = {"svg": "http://www.w3.org/2000/svg"}
NASTY = "<script>alert('x')</script> \"quoted\" & 'single' </svg><svg onload=alert(1)>"
POINTS = [(dt.date(2020, 6, 30), 60000.0), (dt.date(2021, 6, 30), 95000.0)]


def nasty_labels() -> TimeSeriesLabels:
    return TimeSeriesLabels(
        title=f"title {NASTY}",
        description=f"desc {NASTY}",
        actual=f"actual {NASTY}",
        required="required & path",
        target='target "150,000"',
        deadline="deadline <2022-12-31>",
        forecast="forecast & more",
    )


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on anything but well-formed XML
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


@pytest.mark.parametrize("fluid", [True, False])
def test_a_time_series_shows_any_label_as_text_never_as_markup(fluid):
    svg = time_series(
        actual=POINTS,
        required=[(dt.date(2019, 1, 1), 0.0), (dt.date(2022, 12, 31), 150000.0)],
        deadline=dt.date(2022, 12, 31),
        target_value=150000.0,
        forecast=(dt.date(2022, 12, 31), 140000.0),
        labels=nasty_labels(),
        as_of=dt.date(2021, 6, 30),
        chart_id='c"1<',
        fluid=fluid,
        font_family='Noto "Sans" & co',
    )
    assert "<script" not in svg and "<svg onload" not in svg
    assert "&lt;script&gt;" in svg and "&amp;" in svg and "&quot;" in svg
    root = parsed(svg)
    # The only elements are the chart's own: the labels stayed text.
    tags = {element.tag.split("}")[1] for element in root.iter()}
    assert tags <= {"svg", "title", "desc", "rect", "line", "text", "polyline", "circle"}
    assert sum(1 for e in root.iter() if e.tag.endswith("}svg")) == 1
    # Read back, every text is exactly what was given.
    assert root.find("svg:title", NS).text == f"title {NASTY}"
    assert root.find("svg:desc", NS).text == f"desc {NASTY}"
    texts = [t.text for t in root.iterfind("svg:text", NS)]
    for label in (f"actual {NASTY}", "required & path", 'target "150,000"', "forecast & more"):
        assert label in texts
    assert "deadline <2022-12-31>" in texts
    assert root.get("aria-labelledby") == 'c"1<-title c"1<-desc'
    assert root.get("font-family") == 'Noto "Sans" & co'
    assert root.find("svg:title", NS).get("id") == 'c"1<-title'
    assert "style" not in svg  # no inline style: the pages' CSP forbids them


def test_a_sparkline_escapes_its_name():
    for points in (POINTS, POINTS[:1]):
        root = parsed(sparkline(points, label=NASTY, goal=150000.0))
        assert root.get("aria-label") == NASTY
        assert root.find("svg:title", NS).text == NASTY


def test_one_scale_round_ticks_from_zero_past_the_highest_value():
    assert nice_step(100) == 20 and nice_step(7) == 2 and nice_step(0) == 1
    ticks = axis_ticks([60000.0, 95000.0, 150000.0])
    assert ticks[0] == 0 and ticks[-1] >= 150000
    steps = {round(b - a, 6) for a, b in itertools.pairwise(ticks)}
    assert len(steps) == 1 and steps.pop() in (25000, 50000, 20000)
    assert axis_ticks([-5.0, 10.0])[0] <= -5


def test_the_axis_covers_the_period_and_the_baseline_is_a_named_diamond():
    """Values from 2020-06 only, the plan from 2019: the time axis starts with the plan (2020's
    year line is drawn inside it), and the baseline's diamond is in the legend by its name."""
    labels = nasty_labels()
    labels.baseline = "baseline <80,000>"
    svg = time_series(
        actual=POINTS,
        required=[(dt.date(2018, 12, 31), 80000.0), (dt.date(2022, 12, 31), 150000.0)],
        deadline=dt.date(2022, 12, 31),
        target_value=150000.0,
        forecast=None,
        labels=labels,
        baseline=(dt.date(2018, 12, 31), 80000.0),
        period=(dt.date(2019, 1, 1), dt.date(2022, 12, 31)),
    )
    root = parsed(svg)
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2019" in texts and "2020" in texts  # the axis begins before 2019
    assert "baseline <80,000>" in texts
    assert len(root.findall("svg:polygon", NS)) == 2  # on the chart and in the legend


def test_the_pdf_charts_a_counted_target_from_the_plans_first_quarter(plan):
    """The PDF's headline charts start at the plan's first quarter end, whatever the as-of."""
    from reports.builders import AsOfReport
    from targets.models import Target
    from tests.targets.factories import recognise

    leading = Target.objects.get(code="ent-leading")
    recognise(2, "leading", dt.date(2019, 2, 1))
    report = AsOfReport(leading.plan, dt.date(2026, 3, 31))
    points = report.quarter_series([leading])[leading.pk]
    assert points[0] == (dt.date(2019, 3, 31), 2.0)
    assert points[-1][0] == dt.date(2026, 3, 31)
