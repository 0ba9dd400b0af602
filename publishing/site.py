"""The public pages of a publication (docs/open-data.md, "The public pages").

Every page is made from `publication.content` and the publication's own number, dates and
digest alone: never from the live tables, never from the request (no session, no user, no
context processor), so the same address always answers the same bytes, whoever asks. The
server views (publishing.views) and the static export (export_site) render the same pages;
only their links differ (`Links`).

Addresses, relative to the site's root (/public/ on the server, DIR in an export); English
pages are the same under en/:

    ""                                    the portfolio of published plans
    PLAN/                                 the plan page of the current edition
    PLAN/tasks/KEY/ · targets/CODE/ · units/CODE/ · data/    its other pages
    PLAN/editions/                        the plan's editions
    PLAN/editions/N/…                     edition N's pages, the same as above

Data files (publishing.opendata) have one address per edition, whatever the language.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static as static_url
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from reports.bulletin import NO_REPORT
from targets.choices import COMPARATOR_SYMBOLS, Comparator, ProgressStatus
from taskreports.choices import TaskStatus
from zjai.charts import TimeSeriesLabels, time_series
from zjai.templatetags.zjai import format_number

from . import opendata
from .models import Publication

LANGUAGES = ("zh-hans", "en")
SERVER_ROOT = "/public/"
# The static files the public pages use: the export copies them.
ASSETS = ("css/zjai.css", "img/favicon.svg", "img/favicon.ico")
# The item kinds whose reported status the tree shows.
TASK_KINDS = ("task",)


def language_prefix(language: str) -> str:
    return "" if language == "zh-hans" else "en/"


@dataclass(frozen=True)
class Links:
    """Where a page's links point. `here` is the page's own address and `base` its edition's
    ("PLAN/" for the current edition, "PLAN/editions/N/" for an earlier one), both relative to
    the site's root and without the language prefix.

    On the server (`static=False`) a link is an absolute path under /public/; in an export
    (`static=True`) it is relative from the page's own directory to the target's index.html
    (or file), so the site works from file:// and from any directory of any web server."""

    language: str
    here: str
    base: str = ""
    static: bool = False

    def _href(self, path: str, *, page: bool) -> str:
        if not self.static:
            return SERVER_ROOT + quote(path)
        own = language_prefix(self.language) + self.here
        target = path + "index.html" if page and (path == "" or path.endswith("/")) else path
        return quote(posixpath.relpath(target or ".", own.rstrip("/") or "."))

    def page(self, path: str, language: str | None = None) -> str:
        """A page of the site: `path` relative to the root, without the language prefix."""
        return self._href(language_prefix(language or self.language) + path, page=True)

    def edition(self, path: str = "") -> str:
        """A page of this page's edition."""
        return self.page(self.base + path)

    def file(self, path: str) -> str:
        """A data file of this page's edition (the same in both languages)."""
        return self._href(self.base + path, page=False)

    def asset(self, name: str) -> str:
        if not self.static:
            return static_url(name)
        return self._href("static/" + name, page=False)

    def switch(self) -> str:
        """This page in the other language."""
        other = "en" if self.language == "zh-hans" else "zh-hans"
        return self.page(self.here, other)

    def moved(self, here: str) -> Links:
        return Links(self.language, here, self.base, self.static)


def edition_base(plan_code: str, number: int | None) -> str:
    """The address of an edition's pages: the plan's own for the current edition (None)."""
    return f"{plan_code}/" if number is None else f"{plan_code}/editions/{number}/"


# --- reading the content -----------------------------------------------------------------------


def _pick(mapping: dict[str, Any], name: str, language: str) -> str:
    """A text in the page's language, else in the other one."""
    first, second = ("zh", "en") if language == "zh-hans" else ("en", "zh")
    return mapping.get(f"{name}_{first}") or mapping.get(f"{name}_{second}") or ""


def _fallback_language(mapping: dict[str, Any], name: str, language: str) -> str:
    """The other language when only it has the text, else ""."""
    own, other = ("zh", "en") if language == "zh-hans" else ("en", "zh")
    if mapping.get(f"{name}_{own}") or not mapping.get(f"{name}_{other}"):
        return ""
    return "zh-hans" if other == "zh" else "en"


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text[:10]) if text else None


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def status_word(code: str | None) -> str:
    """A target's status in words."""
    return str(ProgressStatus(code or ProgressStatus.NO_DATA).label)


def task_status_word(code: str | None) -> str:
    if not code:
        return ""
    if code == NO_REPORT:
        return _("no report")
    return str(TaskStatus(code).label)


@dataclass
class World:
    """One publication's content, indexed for the pages."""

    publication: Publication
    language: str

    def __post_init__(self) -> None:
        content = self.publication.content
        self.content = content
        self.items = {item["key"]: item for item in content["items"]}
        self.targets = {t["code"]: t for t in content["targets"]}
        self.units = {u["code"]: u for u in content["units"]}

    def unit_name(self, code: str) -> str:
        unit = self.units.get(code)
        return _pick(unit, "name", self.language) if unit else ""

    def unit_list(self, links: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Responsible units, the lead first."""
        ordered = sorted(links, key=lambda link: not link["lead"])
        return [
            {"code": link["unit"], "name": self.unit_name(link["unit"]), "lead": link["lead"]}
            for link in ordered
        ]

    def item(self, key: str) -> dict[str, Any]:
        raw = self.items[key]
        return {
            "key": key,
            "number": raw["number"],
            "depth": raw["depth"],
            "kind": raw["kind"],
            "title": _pick(raw, "title", self.language),
            "text": _pick(raw, "text", self.language),
            # Set when the text is only in the other language: the page marks it so.
            "text_lang": _fallback_language(raw, "text", self.language),
            "units": self.unit_list(raw["units"]),
            "status": task_status_word(raw["status"]) if raw["kind"] in TASK_KINDS else "",
            "status_code": raw["status"],
        }

    def ancestors(self, key: str | None) -> list[dict[str, Any]]:
        chain = []
        while key:
            chain.append(self.item(key))
            key = self.items[key]["parent"]
        return list(reversed(chain))

    def unit_of_measure(self, target: dict[str, Any]) -> str:
        """As written after a value (targets.explain.unit_of): an English unit that starts
        with a number is bracketed, so two numbers never run together."""
        if self.language == "en" and target["unit_of_measure_en"]:
            name = target["unit_of_measure_en"]
            return f"({name})" if name[:1].isdigit() else name
        return target["row"]["unit"]

    def target(self, code: str) -> dict[str, Any]:
        raw = self.targets[code]
        row = raw["row"]
        comparator = raw["comparator_code"]
        return {
            "code": code,
            "title": _pick(row, "title", self.language),
            "item": raw["item"],
            "quote": raw["quote"],
            "unit": self.unit_of_measure(raw),
            "unit_name": self.unit_of_measure(raw).removeprefix("(").removesuffix(")"),
            "comparator_symbol": COMPARATOR_SYMBOLS.get(comparator, ""),
            "comparator_words": str(Comparator(comparator).label) if comparator else "",
            "target_value": _decimal(row["target_value"]),
            "deadline": _date(row["deadline"]),
            "baseline_value": _decimal(row["baseline_value"]),
            "baseline_date": _date(row["baseline_date"]),
            "current_value": _decimal(row["current_value"]),
            "current_date": _date(row["current_date"]),
            "percent": row["percent"],
            "status": row["status"] or ProgressStatus.NO_DATA,
            "status_word": status_word(row["status"]),
            "explanation": raw["explanation"].get(self.language, ""),
            "units": self.unit_list(raw["units"]),
            "figures": [(_date(day), _decimal(value)) for day, value in raw["figures"]],
            "series": raw["series"],
            "expected_value": row["expected_value"],
            "forecast": row["forecast"],
        }

    def targets_of_item(self, key: str) -> list[dict[str, Any]]:
        return [self.target(code) for code, t in self.targets.items() if t["item"] == key]

    def metadata(self, code: str) -> list[tuple[str, str]]:
        """The target's metadata that is filled in, as (heading, text)."""
        meta = self.targets[code]["metadata"]
        fields = [
            (_("Definition"), _pick(meta, "definition", self.language)),
            (_("How it is measured"), _pick(meta, "computation", self.language)),
            (_("Data source"), _pick(meta, "data_source", self.language)),
            (_("Limitations"), _pick(meta, "limitations", self.language)),
        ]
        return [(heading, text) for heading, text in fields if text]


def chart(world: World, target: dict[str, Any]) -> str:
    """The target's published series against its path, as the staff page draws it."""
    actual = [(dt.date.fromisoformat(day), float(value)) for day, value in target["series"]]
    if target["target_value"] is None or target["deadline"] is None:
        return ""
    baseline = None
    required: list[tuple[dt.date, float]] = []
    if target["baseline_value"] is not None and target["baseline_date"]:
        baseline = (target["baseline_date"], float(target["baseline_value"]))
        required = [baseline]
        as_of = world.publication.as_of
        if target["expected_value"] is not None and baseline[0] < as_of < target["deadline"]:
            required.append((as_of, float(target["expected_value"])))
        required.append((target["deadline"], float(target["target_value"])))
    forecast = None
    final = (ProgressStatus.ACHIEVED, ProgressStatus.MISSED)
    if target["forecast"] is not None and target["status"] not in final:
        forecast = (target["deadline"], float(target["forecast"]))
    plan = world.content["plan"]
    unit = target["unit_name"]
    return time_series(
        actual=actual,
        required=required,
        deadline=target["deadline"],
        target_value=float(target["target_value"]),
        forecast=forecast,
        baseline=baseline,
        as_of=world.publication.as_of,
        period=(
            dt.date.fromisoformat(plan["period_start"]),
            dt.date.fromisoformat(plan["period_end"]),
        ),
        labels=TimeSeriesLabels(
            title=_("%(target)s over time (%(unit)s)") % {"target": target["title"], "unit": unit},
            description=target["explanation"],
            actual=_("value"),
            required=_("required path"),
            target=_("target value"),
            deadline=_("deadline %(date)s") % {"date": date_format(target["deadline"])},
            forecast=_("forecast"),
            baseline=_("baseline %(value)s") % {"value": format_number(target["baseline_value"])}
            if baseline
            else "",
        ),
    )


# --- the pages ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One public page: its kind ("plan", "task", "target", "unit", "data", "editions") and
    the key, code or nothing it shows."""

    kind: str
    key: str = ""

    def path(self) -> str:
        """Its address relative to its edition's."""
        return {
            "plan": "",
            "task": f"tasks/{self.key}/",
            "target": f"targets/{self.key}/",
            "unit": f"units/{self.key}/",
            "data": "data/",
        }[self.kind]


def pages_of(publication: Publication) -> Iterator[Page]:
    """Every page of an edition (its editions list is the plan's, not the edition's)."""
    content = publication.content
    yield Page("plan")
    yield Page("data")
    for item in content["items"]:
        yield Page("task", item["key"])
    for target in content["targets"]:
        yield Page("target", target["code"])
    for unit in content["units"]:
        yield Page("unit", unit["code"])


def exists(publication: Publication, page: Page) -> bool:
    content = publication.content
    if page.kind == "task":
        return any(item["key"] == page.key for item in content["items"])
    if page.kind == "target":
        return any(target["code"] == page.key for target in content["targets"])
    if page.kind == "unit":
        return any(unit["code"] == page.key for unit in content["units"])
    return True


def _chrome(links: Links) -> dict[str, str]:
    """The links every page carries: its assets, the portfolio, itself in the other language."""
    return {
        "css": links.asset("css/zjai.css"),
        "favicon": links.asset("img/favicon.svg"),
        "home": links.page(""),
        "switch": links.switch(),
    }


def _common(publication: Publication, links: Links, language: str) -> dict[str, Any]:
    plan = publication.content["plan"]
    return {
        "chrome": _chrome(links),
        "language": language,
        "other_language": "en" if language == "zh-hans" else "zh-hans",
        "plan": {
            "code": plan["code"],
            "title": _pick(plan, "title", language),
            "issuer": _pick(plan, "issuer", language),
            "period_start": _date(plan["period_start"]),
            "period_end": _date(plan["period_end"]),
        },
        "edition": {
            "number": publication.number,
            "as_of": publication.as_of,
            "published_at": publication.published_at,
            "digest": publication.digest,
            "digest_short": publication.digest[:12],
        },
        "editions_href": links.page(f"{plan['code']}/editions/"),
        "plan_href": links.edition(),
        "data_href": links.edition("data/"),
        "license": settings.PUBLIC_LICENSE,
        # The reporting period the tasks' statuses are those of.
        "period_label": (publication.content.get("period") or {}).get("label", ""),
    }


def _summary(publication: Publication) -> dict[str, Any]:
    summary = publication.content["summary"]
    counts = [
        {"status": code, "word": status_word(code), "count": count}
        for code, count in summary["status_counts"].items()
        if count
    ]
    return {"targets": summary["targets"], "counts": counts, "percent": summary["percent"]}


def _plan_context(world: World, links: Links, published: set[str]) -> dict[str, Any]:
    content = world.content
    by_item: dict[str, list[dict[str, Any]]] = {}
    unplaced = []
    for code, raw in world.targets.items():
        target = world.target(code)
        target["href"] = links.edition(f"targets/{code}/")
        if raw["item"] and raw["item"] in world.items:
            by_item.setdefault(raw["item"], []).append(target)
        else:
            unplaced.append(target)
    # The items nested as the plan nests them (content lists them in the plan's order).
    tree: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for raw in content["items"]:
        item = world.item(raw["key"])
        item["href"] = links.edition(f"tasks/{raw['key']}/")
        item["targets"] = by_item.get(raw["key"], [])
        item["children"] = []
        nodes[raw["key"]] = item
        parent = nodes.get(raw["parent"]) if raw["parent"] else None
        (parent["children"] if parent else tree).append(item)
    plan = content["plan"]
    return {
        "summary": _summary(world.publication),
        "tree": tree,
        "unplaced": unplaced,
        "related": [
            {"word": word, "href": links.page(f"{code}/")}
            for word, codes in (
                (_("The plan it continues"), plan.get("continues", [])),
                (_("The plan that continues it"), plan.get("continued_by", [])),
            )
            for code in codes
            if code in published
        ],
    }


def render(
    publication: Publication,
    page: Page,
    *,
    language: str,
    links: Links,
    editions: list[Publication] | None = None,
    published: set[str] | None = None,
) -> str:
    """The page's HTML. `editions` (the plan's live publications, newest first) is read by the
    editions page only; `published` (the codes of the plans with a live publication) by the plan
    page, which links the plans this one continues or that continue it when they are published."""
    with translation.override(language):
        world = World(publication, language)
        context = _common(publication, links, language)
        context["page"] = page
        template = f"publishing/{page.kind}.html"
        if page.kind == "plan":
            context.update(_plan_context(world, links, published or set()))
        elif page.kind == "task":
            item = world.item(page.key)
            item["targets"] = world.targets_of_item(page.key)
            for target in item["targets"]:
                target["href"] = links.edition(f"targets/{target['code']}/")
            for unit in item["units"]:
                unit["href"] = links.edition(f"units/{unit['code']}/")
            context["item"] = item
            context["ancestors"] = [
                {**a, "href": links.edition(f"tasks/{a['key']}/")}
                for a in world.ancestors(world.items[page.key]["parent"])
            ]
        elif page.kind == "target":
            target = world.target(page.key)
            for unit in target["units"]:
                unit["href"] = links.edition(f"units/{unit['code']}/")
            context["target"] = target
            context["ancestors"] = [
                {**a, "href": links.edition(f"tasks/{a['key']}/")}
                for a in world.ancestors(target["item"])
            ]
            context["chart"] = chart(world, target)
            context["metadata"] = world.metadata(page.key)
            context["updated_at"] = _date(world.targets[page.key]["metadata"]["updated_at"])
            files = opendata.data_files(publication)
            context["files"] = [
                {"name": name.rsplit("/", 1)[-1], "href": links.file(name)}
                for name in (f"data/targets/{page.key}.csv", f"data/targets/{page.key}.json")
                if name in files
            ]
        elif page.kind == "unit":
            code = page.key
            tasks = []
            for raw in world.content["items"]:
                for link in raw["units"]:
                    if link["unit"] == code:
                        item = world.item(raw["key"])
                        item["href"] = links.edition(f"tasks/{raw['key']}/")
                        item["lead"] = link["lead"]
                        tasks.append(item)
            targets = []
            for tcode, raw_target in world.targets.items():
                for link in raw_target["units"]:
                    if link["unit"] == code:
                        target = world.target(tcode)
                        target["href"] = links.edition(f"targets/{tcode}/")
                        target["lead"] = link["lead"]
                        targets.append(target)
            context["unit"] = {"code": code, "name": world.unit_name(code)}
            context["leads"] = [t for t in tasks if t["lead"]]
            context["shares"] = [t for t in tasks if not t["lead"]]
            context["targets"] = targets
        elif page.kind == "data":
            files = opendata.data_files(publication)
            context["files"] = [
                {"name": name, "href": links.file(name), "size": len(data)}
                for name, data in sorted(files.items())
            ]
        elif page.kind == "editions":
            context["editions"] = [
                {
                    "number": p.number,
                    "as_of": p.as_of,
                    "published_at": p.published_at,
                    "digest_short": p.digest[:12],
                    "digest": p.digest,
                    "href": links.page(edition_base(p.plan.code, p.number)),
                }
                for p in editions or []
            ]
        return render_to_string(template, context)


def render_portfolio(publications: list[Publication], *, language: str, links: Links) -> str:
    with translation.override(language):
        plans = []
        for publication in publications:
            plan = publication.content["plan"]
            plans.append(
                {
                    "title": _pick(plan, "title", language),
                    "period_start": _date(plan["period_start"]),
                    "period_end": _date(plan["period_end"]),
                    "number": publication.number,
                    "as_of": publication.as_of,
                    "published_at": publication.published_at,
                    "summary": _summary(publication),
                    "href": links.page(f"{plan['code']}/"),
                }
            )
        return render_to_string(
            "publishing/portfolio.html",
            {
                "chrome": _chrome(links),
                "language": language,
                "plans": plans,
                "license": settings.PUBLIC_LICENSE,
            },
        )


def render_not_found(*, language: str, links: Links) -> str:
    with translation.override(language):
        return render_to_string(
            "publishing/404.html",
            {"chrome": _chrome(links), "language": language, "license": settings.PUBLIC_LICENSE},
        )
