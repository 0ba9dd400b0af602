"""What a publication makes public: one edition of a plan, as plain JSON (docs/open-data.md).

`build(report)` reads the edition's report (reports.builders.AsOfReport: approved figures and
confirmed register entries as of D as known at K) and writes only what the public may read:

- the plan: its codes, titles, period and the plans it continues or that continue it;
- the summary: status counts and the roll-up of the whole plan;
- the plan tree: each item's number, kind, titles and the plan's words, its responsible units
  (the lead first), and for a reported task its status in the newest reporting period closed
  by D, rolled up from the reports approved by K (reports.bulletin, no report's text);
- each target: the row of the edition's targets table (the same cells as the export's
  targets.csv), its units, its metadata, its status told in words in both languages, its
  series (the value at every quarter end and at D) and, for a reported target, its approved
  figures (date and value: never who entered, submitted or approved them, nor their notes,
  comments or evidence);
- the units named by the tree and the targets (codes and names).

Values are JSON text as the export writes them: a decimal as its digits, a date as ISO.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.utils import translation

from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from reports.builders import AsOfReport
from reports.bulletin import build_bulletin
from reports.editions import edition_of
from targets.choices import ProgressStatus, SourceKind
from targets.explain import explain
from targets.models import Target
from taskreports.periods import closed_periods

FORMAT = "zjai-publication:v1"
LANGUAGES = ("zh-hans", "en")
# The metadata texts of a target (targets.models.Target), each in Chinese and English.
METADATA_FIELDS = ("definition", "computation", "data_source", "limitations")


def jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode(
        "utf-8"
    )


def content_digest(content: dict[str, Any]) -> str:
    """SHA-256 of what the content says, less when it was known (the instant and the chain
    head it cites): two publications with the same digest show the public the same things."""
    edition = {k: v for k, v in content["edition"].items() if k not in ("known_at", "audit_head")}
    return hashlib.sha256(canonical({**content, "edition": edition})).hexdigest()


def _progress_of(result, as_of: dt.date) -> SimpleNamespace:
    """A result as the stored progress row targets.explain reads."""
    return SimpleNamespace(
        **{name: getattr(result, name) for name in vars(result)},
        as_of=as_of,
        get_status_display=lambda: str(ProgressStatus(result.status).label),
    )


def _explained(target: Target, result, as_of: dt.date) -> dict[str, str]:
    progress = _progress_of(result, as_of)
    out = {}
    for language in LANGUAGES:
        with translation.override(language):
            out[language] = explain(target, progress)
    return out


def _metadata(target: Target, updated_at: dt.datetime | None) -> dict[str, Any]:
    texts = {
        f"{name}_{lang}": getattr(target, f"{name}_{lang}", "") or ""
        for name in METADATA_FIELDS
        for lang in ("zh", "en")
    }
    return {**texts, "updated_at": jsonable(updated_at)}


def _units(report: AsOfReport, unit_ids: set[int]) -> list[dict[str, str]]:
    return [
        {"code": u.code, "name_zh": u.name_zh, "name_en": u.name_en}
        for u in ResponsibleUnit.objects.filter(pk__in=unit_ids).order_by("code")
    ]


def _plan_links(plan: Plan) -> dict[str, list[str]]:
    """The plans whose targets this plan's targets continue, and the plans that continue it."""
    continues = (
        Target.objects.filter(plan=plan, predecessor__isnull=False)
        .exclude(predecessor__plan=plan)
        .values_list("predecessor__plan__code", flat=True)
    )
    continued_by = (
        Target.objects.filter(predecessor__plan=plan)
        .exclude(plan=plan)
        .values_list("plan__code", flat=True)
    )
    return {
        "continues": sorted(set(continues)),
        "continued_by": sorted(set(continued_by)),
    }


def _task_statuses(plan: Plan, report: AsOfReport) -> tuple[dict[int, str], dict[str, str] | None]:
    """Each reported task's status in the newest period closed by D, as known at K."""
    periods = closed_periods(plan, report.as_of)
    if not periods:
        return {}, None
    period = periods[-1]
    bulletin = build_bulletin(plan, period, known_at=report.known_at)
    statuses = {entry.item.pk: str(entry.status) for entry in bulletin.items}
    return statuses, {
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def build(report: AsOfReport) -> dict[str, Any]:
    plan = report.plan
    edition = edition_of(report)
    table = report.targets_table()
    keys = [c.key for c in table.columns]
    rows = {row[0]: dict(zip(keys, row, strict=True)) for row in table.rows()}
    series = report.quarter_series(report.targets)
    figures: dict[int, list[list[Any]]] = {}
    for target_id, observed_on, value in (
        report.measurements_queryset()
        .order_by("target_id", "observed_on", "id")
        .values_list("target_id", "observed_on", "value")
    ):
        figures.setdefault(target_id, []).append([observed_on.isoformat(), jsonable(value)])
    units_by_id = {u.pk: u for u in ResponsibleUnit.objects.all()}
    unit_ids: set[int] = set()

    items = list(PlanItem.objects.filter(plan=plan).order_by("order"))
    by_pk = {i.pk: i for i in items}
    item_units: dict[int, list[dict[str, Any]]] = {}
    for link in ItemUnit.objects.filter(item__plan=plan).order_by("item_id", "order", "pk"):
        item_units.setdefault(link.item_id, []).append(
            {"unit": units_by_id[link.unit_id].code, "lead": link.is_lead}
        )
        unit_ids.add(link.unit_id)
    statuses, period = _task_statuses(plan, report)

    targets = []
    for target in report.targets:
        result = report.results[target.pk]
        links = report.unit_links.get(target.pk, [])
        unit_ids.update(unit_id for unit_id, _lead in links)
        # The value at every quarter end, and the value at D after the last quarter end.
        points: list[tuple[str, float]] = [
            (day.isoformat(), value) for day, value in series.get(target.pk, [])
        ]
        if result.current_date and result.current_value is not None:
            current = (result.current_date.isoformat(), float(result.current_value))
            if not points or points[-1][0] < current[0]:
                points.append(current)
        item = by_pk.get(target.item_id) if target.item_id else None
        targets.append(
            {
                "code": target.code,
                "item": item.key if item else None,
                "quote": target.quote,
                "unit_of_measure_en": target.unit_of_measure_en,
                "comparator_code": target.comparator,
                "row": {key: jsonable(value) for key, value in rows[target.code].items()},
                "units": [
                    {"unit": units_by_id[unit_id].code, "lead": lead} for unit_id, lead in links
                ],
                "metadata": _metadata(target, getattr(target, "metadata_updated_at", None)),
                "explanation": _explained(target, result, report.as_of),
                "series": [list(point) for point in points],
                "figures": figures.get(target.pk, [])
                if target.source_kind == SourceKind.REPORTED
                else [],
            }
        )

    roll = report.plan_rollup
    return {
        "format": FORMAT,
        "plan": {
            "code": plan.code,
            "title_zh": plan.title_zh,
            "title_en": plan.title_en,
            "issuer_zh": plan.issuer_zh,
            "issuer_en": plan.issuer_en,
            "document_number": plan.document_number,
            "issued_on": jsonable(plan.issued_on),
            "period_start": plan.period_start.isoformat(),
            "period_end": plan.period_end.isoformat(),
            **_plan_links(plan),
        },
        "edition": {
            "as_of": report.as_of.isoformat(),
            "known_at": edition.known_at_text,
            "digest": edition.digest,
            "audit_head": edition.head.anchor,
        },
        "summary": {
            "targets": len(report.targets),
            "status_counts": dict(report.status_counts),
            # Rounded as the edition's summary table rounds them.
            "percent": None if roll.percent is None else round(roll.percent, 2),
            "score": None if roll.score is None else round(roll.score, 4),
            "band": roll.band,
            "achieved": roll.achieved,
            "missed": roll.missed,
            "final_score": None if roll.final_score is None else round(roll.final_score, 4),
        },
        "period": period,
        "items": [
            {
                "key": item.key,
                "parent": by_pk[item.parent_id].key if item.parent_id else None,
                "kind": item.kind,
                "number": item.number,
                "depth": item.depth,
                "title_zh": item.title_zh,
                "title_en": item.title_en,
                "text_zh": item.text_zh,
                "text_en": item.text_en,
                "units": item_units.get(item.pk, []),
                "status": statuses.get(item.pk),
            }
            for item in items
        ],
        "targets": targets,
        "units": _units(report, unit_ids),
        "target_columns": [
            {"key": c.key, "title_zh": c.zh, "title_en": c.en, "kind": c.kind}
            for c in table.columns
        ],
    }
