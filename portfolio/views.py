"""Browser pages of the plans app: the dashboard and the plan as a tree.

Reads never compute: both pages read the Progress and RollupProgress rows the recompute jobs
wrote, as of the newest date computed (or an earlier computed date the reader picks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpRequest
from django.views.generic import TemplateView

from plans.choices import ItemKind
from plans.models import ItemUnit, Plan, PlanItem
from registers.rules import confirms_changes
from registers.selectors import COUNT_CAP, to_confirm_count
from targets.models import Progress, RollupProgress, Target
from targets.selectors import attention_for
from targets.series import progress_history
from zjai.access import RoleRequiredMixin
from zjai.charts import sparkline


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-period_start", "code").first()


def computed_dates(plan: Plan) -> list[dt.date]:
    """The dates the plan's progress was computed for, newest first (at most 60)."""
    return list(
        RollupProgress.objects.filter(plan=plan, scope=RollupProgress.Scope.PLAN)
        .order_by("-as_of")
        .values_list("as_of", flat=True)[:60]
    )


def pick_as_of(request, dates: list[dt.date]) -> dt.date | None:
    """The newest computed date, or the computed date the reader asked for (?as_of=)."""
    wanted = request.GET.get("as_of")
    if wanted:
        try:
            day = dt.date.fromisoformat(wanted)
        except ValueError:
            day = None
        if day in dates:
            return day
    return dates[0] if dates else None


class PlanContextMixin(RoleRequiredMixin):
    request: HttpRequest  # the view's request (django.views.View sets it)

    def plan_context(self) -> dict:
        plan = current_plan()
        if plan is None:
            return {"plan": None}
        dates = computed_dates(plan)
        as_of = pick_as_of(self.request, dates)
        return {"plan": plan, "dates": dates, "as_of": as_of, "latest": dates[0] if dates else None}


class DashboardView(PlanContextMixin, TemplateView):
    """The plan at a glance, and what needs the reader's attention."""

    template_name = "portfolio/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.plan_context())
        plan, as_of = context["plan"], context.get("as_of")
        if plan is None:
            return context
        user = self.request.user
        context["attention"] = attention_for(user, plan, as_of)
        # Register changes that wait for the reader's confirmation (reviewers, administrators).
        if confirms_changes(user):
            context["registers_to_confirm"] = to_confirm_count(user)
            context["registers_cap"] = COUNT_CAP
        if as_of is None:
            return context
        context["summary"] = RollupProgress.objects.filter(
            plan=plan, scope=RollupProgress.Scope.PLAN, as_of=as_of
        ).first()
        groups = list(
            PlanItem.objects.filter(
                plan=plan, kind__in=[ItemKind.OBJECTIVE, ItemKind.TASK_GROUP]
            ).order_by("order")
        )
        rollups = {
            r.item_id: r
            for r in RollupProgress.objects.filter(
                plan=plan, scope=RollupProgress.Scope.ITEM, as_of=as_of, item__in=groups
            )
        }
        context["objectives"] = [
            (g, rollups.get(g.pk)) for g in groups if g.kind == ItemKind.OBJECTIVE
        ]
        context["task_groups"] = [
            (g, rollups.get(g.pk)) for g in groups if g.kind == ItemKind.TASK_GROUP
        ]
        headline = list(
            Target.objects.for_user(user).filter(plan=plan, headline=True).order_by("order", "code")
        )
        progress = {
            p.target_id: p for p in Progress.objects.filter(target__in=headline, as_of=as_of)
        }
        history = progress_history(headline, as_of)
        context["headline"] = [
            {
                "target": t,
                "progress": progress.get(t.pk),
                "trend": sparkline(
                    history.get(t.pk, []),
                    label=t.title,
                    goal=float(t.target_value),
                ),
            }
            for t in headline
        ]
        counts = context["summary"].counts if context["summary"] else {}
        context["status_counts"] = [
            (status, label, counts.get(status, 0)) for status, label in Progress.Status.choices
        ]
        return context


@dataclass
class Node:
    item: PlanItem
    children: list[Node] = field(default_factory=list)
    targets: list[tuple[Target, Progress | None]] = field(default_factory=list)
    rollup: RollupProgress | None = None


class PlanTreeView(PlanContextMixin, TemplateView):
    """The whole plan in its own order and numbering: text, units (lead first), targets,
    rolled-up progress."""

    template_name = "portfolio/tree.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.plan_context())
        plan, as_of = context["plan"], context.get("as_of")
        if plan is None:
            return context
        items = list(
            PlanItem.objects.filter(plan=plan)
            .prefetch_related(
                Prefetch(
                    "unit_links",
                    queryset=ItemUnit.objects.select_related("unit").order_by("order"),
                )
            )
            .order_by("order")
        )
        targets = list(
            Target.objects.for_user(self.request.user).filter(plan=plan).order_by("order", "code")
        )
        progress, rollups = {}, {}
        if as_of is not None:
            progress = {
                p.target_id: p for p in Progress.objects.filter(target__plan=plan, as_of=as_of)
            }
            rollups = {
                r.item_id: r
                for r in RollupProgress.objects.filter(
                    plan=plan, scope=RollupProgress.Scope.ITEM, as_of=as_of
                )
            }
        nodes = {item.pk: Node(item, rollup=rollups.get(item.pk)) for item in items}
        roots = []
        for item in items:
            node = nodes[item.pk]
            if item.parent_id and item.parent_id in nodes:
                nodes[item.parent_id].children.append(node)
            else:
                roots.append(node)
        for target in targets:
            if target.item_id in nodes:
                nodes[target.item_id].targets.append((target, progress.get(target.pk)))
        context["roots"] = roots
        return context
