"""The global search: one text, found in targets, plan items, units, enterprises, projects and
task reports, each group limited to what the reader may read by the owning app's rule.

- targets: code or title (`Target.objects.for_user`: public to every signed-in user);
- plan items: number, title or text (`plans.rules.may_read_plans`);
- units: code or name (part of the plan, as its items);
- enterprises: name, or part of the credit code; projects: name, or the number (编号) that
  names a project on its page and in the exports. New entries awaiting confirmation are found
  by their managing unit, administrators and auditors only (`registers.rules.visible_entries`);
  a proposed change is a record of its own and is never searched, so only confirmed values
  are found;
- task reports: work done, next steps, problems (`TaskReport.objects.for_user`: approved ones
  for everyone, one's own unit's in any state, the submitted ones of the items one's unit leads;
  never another unit's draft).

Case-insensitive substrings (`icontains`), on PostgreSQL and SQLite alike. Each group is one
query, whatever it finds: the first `LIMIT` rows with the group's total beside each row (a
window count), so a page costs the same number of queries for any text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Window
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise
from plans.choices import REPORTED_ITEM_KINDS
from plans.models import PlanItem, ResponsibleUnit
from plans.rules import may_read_plans
from projects.models import Project
from registers.rules import visible_entries
from targets.models import Target
from taskreports.models import TaskReport

# The rows shown per group; the rest are counted, and a "more" link opens the filtered list
# where one exists.
LIMIT = 20
MIN_LENGTH = 2
MAX_LENGTH = 100
SNIPPET = 40  # characters of text shown on each side of a match


@dataclass
class Hit:
    title: str
    url: str
    detail: str = ""


@dataclass
class Group:
    kind: str
    label: str | Promise  # translated when the page is drawn
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    more_url: str | None = None

    @property
    def more(self) -> int:
        return self.total - len(self.hits)


def clean_query(text: str | None) -> str:
    """The text searched: without NUL characters (PostgreSQL refuses them in a literal),
    trimmed, at most MAX_LENGTH characters."""
    return (text or "").replace("\x00", "").strip()[:MAX_LENGTH]


def snippet(text: str, query: str) -> str:
    """The part of `text` around the first match of `query` (case-insensitive)."""
    at = text.lower().find(query.lower())
    if at < 0:
        return ""
    start, end = max(at - SNIPPET, 0), min(at + len(query) + SNIPPET, len(text))
    return ("…" if start else "") + text[start:end].strip() + ("…" if end < len(text) else "")


def matched(obj, fields: tuple[str, ...], query: str, shown: str = "") -> str:
    """The part around the match in the first of `fields` that matches and is not the text
    already `shown` (a title matched in the other language shows in it)."""
    for name in fields:
        text = getattr(obj, name) or ""
        if text and text != shown:
            found = snippet(text, query)
            if found:
                return found
    return ""


def _first(queryset: QuerySet) -> tuple[list, int]:
    """The first LIMIT rows and the total, in one query."""
    rows = list(queryset.annotate(search_total=Window(Count("pk")))[:LIMIT])
    return rows, (rows[0].search_total if rows else 0)


def _list_url(route: str, query: str) -> str:
    return f"{reverse(route)}?{urlencode({'q': query})}"


def _targets(user, query: str) -> Group:
    rows, total = _first(
        Target.objects.for_user(user)
        .filter(
            Q(code__icontains=query) | Q(title_zh__icontains=query) | Q(title_en__icontains=query)
        )
        .select_related("plan")
        .order_by("-plan__period_start", "plan__code", "order", "code")
    )
    hits = []
    for t in rows:
        other = matched(t, ("title_zh", "title_en"), query, shown=t.title)
        detail = " · ".join(part for part in (t.code, other, t.plan.title) if part)
        hits.append(Hit(t.title, reverse("targets:detail", args=[t.plan.code, t.code]), detail))
    return Group("targets", _("Targets"), total, hits, _list_url("targets:list", query))


def _items(user, query: str) -> Group:
    items = PlanItem.objects.all() if may_read_plans(user) else PlanItem.objects.none()
    rows, total = _first(
        items.filter(
            Q(number__icontains=query)
            | Q(title_zh__icontains=query)
            | Q(title_en__icontains=query)
            | Q(text_zh__icontains=query)
            | Q(text_en__icontains=query)
        )
        .select_related("plan")
        .order_by("-plan__period_start", "plan__code", "order")
    )
    hits = []
    for item in rows:
        if item.kind in REPORTED_ITEM_KINDS:
            url = reverse("portfolio:task", args=[item.plan.code, item.key])
        else:
            url = reverse("portfolio:plan-tree", args=[item.plan.code]) + f"#item-{item.key}"
        found = matched(item, ("text_zh", "text_en", "title_zh", "title_en"), query, item.title)
        title = f"{item.number} {item.title}".strip() or item.key
        hits.append(Hit(title, url, found or f"{item.get_kind_display()} · {item.plan.title}"))
    return Group("items", _("Plan items"), total, hits)


def _units(user, query: str) -> Group:
    units = (
        ResponsibleUnit.objects.all() if may_read_plans(user) else ResponsibleUnit.objects.none()
    )
    rows, total = _first(
        units.filter(
            Q(code__icontains=query) | Q(name_zh__icontains=query) | Q(name_en__icontains=query)
        ).order_by("code")
    )
    # A unit's page is the list of the targets it is responsible for.
    hits = [
        Hit(
            u.name,
            f"{reverse('targets:list')}?{urlencode({'unit': u.code})}",
            " · ".join(p for p in (u.code, matched(u, ("name_zh", "name_en"), query, u.name)) if p),
        )
        for u in rows
    ]
    return Group("units", _("Responsible units"), total, hits)


def _enterprises(user, query: str) -> Group:
    code = query.upper()
    rows, total = _first(
        visible_entries(Enterprise.objects.for_user(user), user)
        .filter(
            Q(name_zh__icontains=query)
            | Q(name_en__icontains=query)
            | Q(credit_code__contains=code)
        )
        .order_by("name_zh", "pk")
    )
    hits = [
        Hit(
            e.name,
            reverse("enterprises:detail", args=[e.pk]),
            " · ".join(
                p for p in (e.credit_code, matched(e, ("name_zh", "name_en"), query, e.name)) if p
            ),
        )
        for e in rows
    ]
    return Group("enterprises", _("Enterprises"), total, hits, _list_url("enterprises:list", query))


def _projects(user, query: str) -> Group:
    found = Q(name_zh__icontains=query) | Q(name_en__icontains=query)
    if query.isascii() and query.isdigit() and len(query) < 19:
        found |= Q(pk=int(query))  # the number (编号) that names a project
    rows, total = _first(
        visible_entries(Project.objects.for_user(user), user).filter(found).order_by("-pk")
    )
    hits = [
        Hit(p.name, reverse("projects:detail", args=[p.pk]), f"{p.pk} · {p.get_kind_display()}")
        for p in rows
    ]
    return Group("projects", _("Projects"), total, hits, _list_url("projects:list", query))


def _task_reports(user, query: str) -> Group:
    rows, total = _first(
        TaskReport.objects.for_user(user)
        .filter(
            Q(work_done__icontains=query)
            | Q(next_steps__icontains=query)
            | Q(problems__icontains=query)
        )
        .select_related("item", "unit")
        .order_by("-period_start", "item__order", "unit__code")
    )
    hits = [
        Hit(
            f"{r.item.number} {r.item.title} · {r.unit.name} · {r.period_start:%Y-%m-%d}",
            reverse("taskreports:report-detail", args=[r.pk]),
            matched(r, ("work_done", "next_steps", "problems"), query),
        )
        for r in rows
    ]
    return Group("task_reports", _("Task reports"), total, hits)


KINDS: list[Callable[[object, str], Group]] = [
    _targets,
    _items,
    _units,
    _enterprises,
    _projects,
    _task_reports,
]


def search(user, query: str) -> list[Group]:
    """Every group for `query` (already cleaned, at least MIN_LENGTH characters), as `user`
    may read them: one query per group."""
    return [kind(user, query) for kind in KINDS]
