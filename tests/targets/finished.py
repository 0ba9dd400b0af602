"""A plan after its deadlines, for the roll-up tests of the dashboard, the plan page, the API and
the reports: an item whose only target was achieved, one whose only target was missed, and one
whose targets are mixed (two final, one still running because its deadline was moved later)."""

from __future__ import annotations

import datetime as dt

from targets.models import Target
from tests.targets.factories import approved_figure, recognise

# Every target of the plan falls due on 2022-12-31 unless moved below.
AFTER = dt.date(2023, 6, 30)
ALL_ACHIEVED = "II.2.1"  # ic-12inch-line only: 1 line by 2022-06-30, achieved
ALL_MISSED = "I.4"  # platform-provincial only: no platform accepted, missed
MIXED = "I.3"  # ent-leading achieved, ent-benchmark missed, ent-specialised running
RUNNING = "ent-specialised"


def finish_plan(reviewer) -> None:
    approved_figure("ic-12inch-line", 1, dt.date(2022, 6, 30), reviewer)
    recognise(10, "leading", dt.date(2020, 6, 1))  # 10 of "10 以上": achieved
    recognise(40, "benchmark", dt.date(2020, 6, 1))  # 40 of 100 at the deadline: missed
    recognise(300, "specialised", dt.date(2020, 6, 1))  # 300 of 500, due in 2025: running
    Target.objects.filter(code=RUNNING).update(deadline=dt.date(2025, 12, 31))
