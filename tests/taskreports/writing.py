"""What the task-report write tests share: the two tasks they use and a report in any state,
written through the services (imported by the test modules; not a conftest, so the other
task-report test modules keep their own fixtures)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# II.2.1 is led by econ-it, sci-tech takes part; II.1.1 is led by sci-tech, econ-it takes part.
ECON_LED = "II.2.1"
SCI_LED = "II.1.1"


@dataclass
class Tasks:
    plan: Any
    econ_led: Any
    sci_led: Any
    econ: Any
    sci: Any
    talent: Any
    period: Any  # the plan's 2021Q1 period
    next_period: Any


def tasks(plan) -> Tasks:
    from plans.models import PlanItem, ResponsibleUnit
    from taskreports.periods import periods_of

    quarters = [p for p in periods_of(plan) if p.start.year == 2021]
    return Tasks(
        plan=plan,
        econ_led=PlanItem.objects.get(plan=plan, key=ECON_LED),
        sci_led=PlanItem.objects.get(plan=plan, key=SCI_LED),
        econ=ResponsibleUnit.objects.get(code="econ-it"),
        sci=ResponsibleUnit.objects.get(code="sci-tech"),
        talent=ResponsibleUnit.objects.get(code="talent-office"),
        period=quarters[0],
        next_period=quarters[1],
    )


def pdf(name: str = "进展材料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def report(
    t: Tasks,
    author,
    state: str = "draft",
    *,
    item=None,
    unit=None,
    reviewer=None,
    period=None,
    status: str = "in_progress",
):
    """A report of `unit` (the author's) on `item` (the econ-led task) in `state`."""
    from taskreports import services

    item = item or t.econ_led
    unit = unit or author.unit
    made = services.create_report(
        item=item,
        unit=unit,
        period_start=(period or t.period).start,
        status=status,
        percent_complete=40,
        work_done="完成企业走访",
        acting_user=author,
    )
    if state in ("submitted", "approved", "returned"):
        made = services.submit_report(made, acting_user=author)
    if state == "approved":
        made = services.approve_report(made, acting_user=reviewer, comment="同意")
    if state == "returned":
        made = services.return_report(made, acting_user=reviewer, comment="请补充数据")
    return made
