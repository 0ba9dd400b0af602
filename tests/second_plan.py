"""A second plan beside the loaded 2019–2022 one: the same items, targets and units copied under
another code and period, so that every target code exists in both plans."""

from __future__ import annotations

import datetime as dt

from plans.models import ItemUnit, Plan, PlanItem
from targets.models import Target, TargetUnit

SECOND = "zj-ai-2023-2027"


def copy_plan(
    plan: Plan,
    code: str = SECOND,
    start: dt.date = dt.date(2023, 1, 1),
    end: dt.date = dt.date(2027, 12, 31),
) -> Plan:
    """Copy `plan`'s rows under `code`; deadlines move by the shift of the period's start."""
    shift = start - plan.period_start
    copy = Plan.objects.get(pk=plan.pk)
    copy.pk = None
    copy.code = code
    copy.title_zh = plan.title_zh + "（2023–2027）"
    copy.title_en = plan.title_en + " (2023–2027)"
    copy.period_start, copy.period_end = start, end
    copy.save()
    items: dict[int, PlanItem] = {}
    for item in PlanItem.objects.filter(plan=plan).order_by("depth", "order"):
        old = item.pk
        item.pk = None
        item.plan = copy
        item.parent = items[item.parent_id] if item.parent_id else None
        item.save()
        items[old] = item
    item_links = []
    for item_link in ItemUnit.objects.filter(item__plan=plan):
        item_link.pk = None
        item_link.item = items[item_link.item_id]
        item_links.append(item_link)
    ItemUnit.objects.bulk_create(item_links)
    targets: dict[int, Target] = {}
    for target in Target.objects.filter(plan=plan):
        old = target.pk
        target.pk = None
        target.plan = copy
        target.item = items[target.item_id]
        if target.deadline:
            target.deadline = min(target.deadline + shift, end)
        target.save()
        targets[old] = target
    links = []
    for link in TargetUnit.objects.filter(target__plan=plan):
        link.pk = None
        link.target = targets[link.target_id]
        links.append(link)
    TargetUnit.objects.bulk_create(links)
    return copy
