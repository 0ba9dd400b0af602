"""Which plan a page shows: the one the address names, else the reader's remembered choice,
else the plan in force, else the newest.

Below portfolio, targets and reports so that all of them pick the plan the same way; the top
bar's switcher (plans.context_processors) reads the same choice.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from zjai.dates import today

from .models import Plan

SESSION_KEY = "zjai_plan"


def selectable(plans: QuerySet[Plan]) -> QuerySet[Plan]:
    """Plans that may be the default: not drafts (a draft is shown only when named in the
    address or chosen)."""
    return plans.filter(is_draft=False)


def plan_in_force() -> Plan | None:
    """The plan whose period holds today (the one that started last); else the newest that has
    started; else the newest."""
    day = today()
    plans = selectable(Plan.objects.order_by("-period_start", "code"))
    return (
        plans.filter(period_start__lte=day, period_end__gte=day).first()
        or plans.filter(period_start__lte=day).first()
        or plans.first()
        or Plan.objects.order_by("-period_start", "code").first()
    )


def plan_by_code(code: str) -> Plan:
    plan = Plan.objects.filter(code=code).first() if "\x00" not in code else None
    if plan is None:
        raise Http404(_("No such plan."))
    return plan


def current_plan(request: HttpRequest, code: str | None = None) -> Plan | None:
    """The plan named by `code` (from the address) or `?plan=` (404 if unknown, remembered in
    the session), else the reader's remembered choice, else the plan in force. Kept on the
    request for the top bar."""
    code = code or request.GET.get("plan") or None
    if code is not None:
        plan: Plan | None = plan_by_code(code)
        # Naming a plan (an address under it, a link, the switcher) is choosing it.
        remember_plan(request, plan)  # type: ignore[arg-type]
    else:
        remembered = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
        plan = Plan.objects.filter(code=remembered).first() if remembered else None
        plan = plan or plan_in_force()
    request.zjai_plan = plan  # type: ignore[attr-defined]
    return plan


def remember_plan(request: HttpRequest, plan: Plan) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) != plan.code:
        session[SESSION_KEY] = plan.code
