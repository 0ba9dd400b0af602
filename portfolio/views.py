"""Browser pages of the plans app: the dashboard and the plan as a tree.

Reads never compute: both pages read the Progress and RollupProgress rows the recompute jobs
wrote, as of the newest date computed (or an earlier computed date the reader picks).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from plans.choice import current_plan, plan_by_code, remember_plan
from plans.choices import REPORTED_ITEM_KINDS, ItemKind
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from registers.rules import confirms_changes
from registers.selectors import (
    COUNT_CAP,
    changes_to_confirm,
    entry_url_name,
    to_confirm_count,
)
from targets.choices import MeasurementState
from targets.models import Progress, RollupProgress, Target
from targets.selectors import ATTENTION_ROWS, attention_for
from targets.series import progress_history
from taskreports import selectors as task_selectors
from taskreports.choices import ReportState
from taskreports.rules import ReportRules, issues_notices_as_lead, may_see_supervision
from zjai.access import RoleRequiredMixin
from zjai.charts import sparkline
from zjai.dates import today

from .selectors import unit_page


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
    kwargs: dict

    def plan_context(self) -> dict:
        # /plans/<plan>/... names the plan; / and /plan/ show ?plan=, the remembered choice or
        # the plan in force.
        plan = current_plan(self.request, self.kwargs.get("plan"))
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
            # The longest waiting first, as on the queue's page.
            context["registers_oldest"] = [
                (change, entry_url_name(change.content_type))
                for change in changes_to_confirm(user)[:ATTENTION_ROWS]
            ]
        # The tasks' statuses come from the reports, not from the computed progress: shown
        # whether or not progress was computed.
        context["tasks"] = task_selectors.task_overview(plan)
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
        tasks = context["tasks"]
        context["task_counts"] = {
            g.pk: tasks.count_list(g.pk) for g in groups if g.pk in tasks.counts
        }
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
    # Task reports: a reported item's status; the statuses counted below an item; overdue
    # milestones of the item.
    task_status: task_selectors.ItemStatus | None = None
    task_counts: list | None = None
    overdue_milestones: int = 0


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
        overview = task_selectors.task_overview(plan, items=items)
        nodes = {
            item.pk: Node(
                item,
                rollup=rollups.get(item.pk),
                task_status=overview.status_of(item.pk)
                if item.kind in REPORTED_ITEM_KINDS
                else None,
                task_counts=overview.count_list(item.pk) if item.pk in overview.counts else None,
                overdue_milestones=overview.overdue.get(item.pk, 0),
            )
            for item in items
        }
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
        context["tasks"] = overview
        return context


class ChoosePlanView(RoleRequiredMixin, View):
    """The top bar's plan switcher: remember the plan and go back to the page; from a page
    under another plan, to the same page of the chosen plan (same_page_of)."""

    def post(self, request: HttpRequest) -> HttpResponseRedirect:
        plan = plan_by_code(request.POST.get("plan", ""))
        remember_plan(request, plan)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = reverse("portfolio:dashboard")
        # A ?plan= left in the page's address would choose the old plan again.
        parts = urlsplit(target)
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "plan"])
        target = parts.path + (f"?{query}" if query else "")
        try:
            match = resolve(parts.path)
        except Resolver404:
            match = None
        if match is None:
            target = reverse("portfolio:plan-dashboard", args=[plan.code])
        elif "plan" in match.kwargs:
            target = same_page_of(plan, match.view_name, match.kwargs)
        return HttpResponseRedirect(target)


def same_page_of(plan: Plan, view_name: str, kwargs: dict) -> str:
    """The page of `plan` matching a page under another plan: its tree, or its target of the
    same code where it has one; else its dashboard."""
    if view_name in ("portfolio:plan-tree", "portfolio:plan-supervision"):
        return reverse(view_name, args=[plan.code])
    code = kwargs.get("code")
    if (
        view_name.startswith("targets:")
        and code
        and Target.objects.filter(plan=plan, code=code).exists()
    ):
        return reverse(view_name, kwargs={**kwargs, "plan": plan.code})
    return reverse("portfolio:plan-dashboard", args=[plan.code])


class PortfolioView(RoleRequiredMixin, TemplateView):
    """Every plan side by side: period, issuer, state and headline progress as of its newest
    computed date. Two queries, whatever the number of plans."""

    template_name = "portfolio/portfolio.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plans = list(Plan.objects.order_by("-period_start", "code"))
        newest = RollupProgress.objects.filter(
            scope=RollupProgress.Scope.PLAN, plan=OuterRef("plan")
        ).order_by("-as_of")
        summaries = {
            r.plan_id: r
            for r in RollupProgress.objects.filter(
                scope=RollupProgress.Scope.PLAN, as_of=Subquery(newest.values("as_of")[:1])
            )
        }
        day = today()
        shown = current_plan(self.request)
        context["rows"] = []
        for plan in plans:
            summary = summaries.get(plan.pk)
            state = plan.state_on(day)
            # Targets past their deadline count as achieved or missed; the rest are running.
            achieved = summary.achieved if summary else 0
            missed = summary.missed if summary else 0
            running = summary.targets - achieved - missed if summary else 0
            context["rows"].append(
                {
                    "plan": plan,
                    "issuer": plan.issuer,
                    "state": state.value,
                    "state_label": state.label,
                    "summary": summary,
                    "achieved": achieved,
                    "missed": missed,
                    "running": running,
                    "shown": shown is not None and plan.pk == shown.pk,
                }
            )
        return context


class TaskView(PlanContextMixin, TemplateView):
    """Any item of a plan: its text, its units, the items below it and its targets; for a
    task-like item also its status now and per period, each unit's reports, the consolidated
    reports and the milestones, as far as the reader may see them."""

    template_name = "portfolio/task.html"
    # /plans/<plan>/tasks/<key>/ names task-like items only; /plans/<plan>/items/<key>/ any.
    only_tasks = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = current_plan(self.request, self.kwargs["plan"])
        items = PlanItem.objects.select_related("plan", "parent")
        if self.only_tasks:
            items = items.filter(kind__in=REPORTED_ITEM_KINDS)
        item = get_object_or_404(items, plan=plan, key=self.kwargs["key"])
        user = self.request.user
        context["plan"] = plan
        context["item"] = item
        if item.kind in REPORTED_ITEM_KINDS:
            page = task_selectors.task_page(item, user)
            context["page"] = page
            context["links"] = page.links
            # The link to write this period's report (the write page checks again).
            context["may_write"] = ReportRules.for_item(user, item.pk).may_write_report(
                item.pk, getattr(user, "unit_id", None)
            )
        else:
            context["links"] = sorted(
                ItemUnit.objects.filter(item=item).select_related("unit"),
                key=lambda link: (not link.is_lead, link.order),
            )
        context["children"] = list(PlanItem.objects.filter(parent=item).order_by("order"))
        targets = list(Target.objects.for_user(user).filter(item=item).order_by("order", "code"))
        progress = {
            p.target_id: p for p in Progress.objects.latest_per_target().filter(target__in=targets)
        }
        context["targets"] = [(t, progress.get(t.pk)) for t in targets]
        return context


class UnitView(RoleRequiredMixin, TemplateView):
    """A responsible unit in the chosen plan: its items (lead or taking part), its targets and
    their progress, its figures and task reports, its reporting completeness and timeliness."""

    template_name = "portfolio/unit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = get_object_or_404(ResponsibleUnit, code=self.kwargs["code"])
        plan = current_plan(self.request)
        context["unit"] = unit
        context["plan"] = plan
        if plan is None:
            return context
        page = unit_page(unit, plan, self.request.user)
        context["page"] = page
        context["figure_states"] = [
            (state, label, page.figures.get(state, 0))
            for state, label in MeasurementState.choices
            if page.figures.get(state)
        ]
        context["report_states"] = [
            (state, label, page.reports.get(state, 0))
            for state, label in ReportState.choices
            if page.reports.get(state)
        ]
        return context


def _date_param(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _int_param(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


class SupervisionView(PlanContextMixin, TemplateView):
    """督办: reports missing after a period closes, late reports, tasks behind, overdue
    milestones, open supervision notices, each unit's completeness and timeliness. A fixed
    number of queries (taskreports.selectors.supervision)."""

    template_name = "portfolio/supervision.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not may_see_supervision(request.user):
            raise PermissionDenied(_("Your role may not open this page."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = current_plan(self.request, self.kwargs.get("plan"))
        context["plan"] = plan
        if plan is None:
            return context
        user = self.request.user
        board = task_selectors.supervision(
            plan,
            user,
            period_start=_date_param(self.request.GET.get("period")),
            unit_id=_int_param(self.request.GET.get("unit")),
        )
        context["board"] = board
        # Which missing reports get an "issue a notice" link: by the item's lead unit, which
        # the board has read already.
        lead_of = board.lead_of
        context["missing_by_item"] = [
            (item, [(row, issues_notices_as_lead(user, lead_of.get(item.pk))) for row in rows])
            for item, rows in board.missing_by_item
        ]
        context["missing_by_unit"] = [
            (unit, rows, any(issues_notices_as_lead(user, lead_of.get(r.item.pk)) for r in rows))
            for unit, rows in board.missing_by_unit
        ]
        context["notices"] = [(notice, board.notice_overdue(notice)) for notice in board.notices]
        return context
