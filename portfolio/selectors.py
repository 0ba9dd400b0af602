"""Reads of the readers' pages that gather one thing from several apps: a unit's page (its
items, targets, figures, task reports and reporting completeness in one plan). A fixed number
of queries, whatever the unit's size."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from plans.models import ItemUnit, Plan, ResponsibleUnit
from targets.models import Measurement, Progress, Target, TargetUnit
from taskreports import selectors as task_selectors
from taskreports.models import TaskReport
from taskreports.rules import may_see_supervision


@dataclass
class UnitPage:
    """What a unit does in a plan, as far as the reader may see it."""

    unit: ResponsibleUnit
    plan: Plan
    items: list[ItemUnit] = field(default_factory=list)  # plan order; lead or taking part
    targets: list[tuple[TargetUnit, Progress | None]] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)  # state → count
    reports: dict[str, int] = field(default_factory=dict)  # state → count
    # 报送率 / 及时率: the supervision page's rates of this unit (None: the reader does not
    # follow this unit's reporting).
    board: task_selectors.Supervision | None = None

    @property
    def leads(self) -> int:
        return sum(link.is_lead for link in self.items)

    @property
    def rates(self):
        if self.board is None:
            return None
        return next((rates for unit, rates in self.board.rates if unit.pk == self.unit.pk), None)


def unit_page(unit: ResponsibleUnit, plan: Plan, user) -> UnitPage:
    """A unit's items, targets (with their newest progress), its figures and task reports
    counted by state, and its reporting completeness and timeliness (the supervision page's
    own reading, taskreports.selectors.supervision, for this one unit)."""
    page = UnitPage(unit=unit, plan=plan)
    page.items = list(
        ItemUnit.objects.filter(unit=unit, item__plan=plan)
        .select_related("item")
        .order_by("item__order")
    )
    links = list(
        TargetUnit.objects.filter(
            unit=unit, target__in=Target.objects.for_user(user).filter(plan=plan)
        )
        .select_related("target__plan")
        .order_by("target__order", "target__code")
    )
    progress = {
        p.target_id: p
        for p in Progress.objects.latest_per_target().filter(
            target__in=[link.target_id for link in links]
        )
    }
    page.targets = [(link, progress.get(link.target_id)) for link in links]
    page.figures = _by_state(
        Measurement.objects.for_user(user).filter(unit=unit, target__plan=plan)
    )
    page.reports = _by_state(TaskReport.objects.for_user(user).filter(unit=unit, item__plan=plan))
    if may_see_supervision(user):
        board = task_selectors.supervision(plan, user, unit_id=unit.pk)
        # Someone who does not follow this unit's reporting is given the board of every unit
        # they follow: not this unit's.
        page.board = board if board.unit is not None else None
    return page


def _by_state(rows) -> dict[str, int]:
    return dict(
        rows.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
