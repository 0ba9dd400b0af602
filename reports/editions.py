"""Editions: the report of a plan as of a date D, as known at an instant K (docs/audit.md).

The same (plan, D, K) gives the same tables forever (reports.builders.AsOfReport). An edition is
summed up by

- its digest: SHA-256 over the CSV text of every table of the report, in order (summary,
  targets, measurements, enterprises, projects, rollup_units, rollup_items), byte for byte as
  the CSV export writes them (UTF-8 with BOM, header row, one line per row). The CSV export's
  table files, concatenated in that order, hash to it (`sha256sum` can check a download). When
  the report was made and which chain head it cites are not part of it (edition.csv);
- the audit chain's head at K: the last event recorded at or before K, as SEQ:HASH.

`payload()` is what the PDF's QR code encodes. `compare()` lists what differs between two
editions, target by target and field by field, with the audit events that explain it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from audit.models import AuditEvent
from targets.choices import SourceKind
from targets.models import Measurement, Target

from .builders import AsOfReport, ChainHead, local_naive
from .csv import write_table

PAYLOAD_VERSION = "zjai-edition:v1"
# The register each counted target reads, as audit object types.
REGISTER_TYPES = {"enterprises": "enterprises.enterprise", "projects": "projects.project"}


class EditionError(ValueError):
    """A (D, K) that names no edition: a one-line reason, for a command, a form or a 400."""


def parse_known_on(text: str) -> dt.datetime:
    """An "as known on" value: a date YYYY-MM-DD (the end of that day, Asia/Shanghai) or an ISO
    datetime with its offset (2021-07-01T12:00:00+08:00)."""
    from zjai.dates import end_of_day

    text = (text or "").strip()
    try:
        return end_of_day(dt.date.fromisoformat(text))
    except ValueError:
        pass
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise EditionError(
            f"as known on must be a date YYYY-MM-DD or a datetime with an offset, not {text!r}"
        ) from None
    if timezone.is_naive(value):
        raise EditionError(f"as known on {text!r} needs its offset, e.g. +08:00")
    try:
        # An instant at the very ends of the calendar has no time in UTC or Asia/Shanghai.
        timezone.localtime(value.astimezone(dt.UTC))
    except OverflowError:
        raise EditionError(f"as known on {text!r} is out of range") from None
    return value


def check_edition(as_of: dt.date, known_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Refuse a date in the future, an instant in the future, and an instant before the day
    the report describes begins (what was known before a day says nothing about it)."""
    now = now or timezone.now()
    if as_of > timezone.localdate(now):
        raise EditionError(f"as of {as_of} is in the future: a report describes the past")
    if known_at > now:
        raise EditionError(f"as known on {_local(known_at)} is in the future")
    if timezone.localdate(known_at) < as_of:
        raise EditionError(
            f"as known on {_local(known_at)} is before {as_of}: a report cannot be known "
            "before the day it describes"
        )


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


class _Hashing(io.TextIOBase):
    """A text stream that hashes what is written to it as UTF-8 (the CSV files' bytes)."""

    def __init__(self) -> None:
        self.sha = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:  # type: ignore[override]
        self.sha.update(text.encode("utf-8"))
        return len(text)


def digest(report: AsOfReport) -> str:
    """SHA-256 (hex) of the CSV text of every table of the report, in order."""
    stream = _Hashing()
    for table in report.tables():
        write_table(table, stream)
    return stream.sha.hexdigest()


@dataclass(frozen=True)
class Edition:
    plan: str
    as_of: dt.date
    known_at: dt.datetime
    digest: str
    head: ChainHead

    @property
    def known_at_text(self) -> str:
        """K in Asia/Shanghai, to the microsecond: the text that names the instant."""
        return timezone.localtime(self.known_at).isoformat()

    def payload(self) -> str:
        """What the PDF's QR code encodes: enough to ask the system for the same edition and
        compare its digest and head."""
        return (
            f"{PAYLOAD_VERSION};plan={self.plan};as_of={self.as_of.isoformat()};"
            f"known_at={self.known_at_text};digest={self.digest};head={self.head.anchor}"
        )

    def rows(self, generated_at: dt.datetime) -> list[tuple[str, str, str, Any]]:
        """(key, Chinese label, English label, value) rows naming the edition."""
        return [
            ("plan", "规划", "plan", self.plan),
            ("as_of", "统计截至", "as of", self.as_of),
            ("known_at", "数据截至时刻", "as known at", self.known_at_text),
            ("digest", "数据摘要（SHA-256）", "digest (SHA-256)", self.digest),
            ("audit_head_seq", "审计链头序号", "audit chain head sequence", self.head.seq),
            ("audit_head_hash", "审计链头哈希", "audit chain head hash", self.head.hash),
            ("generated_at", "生成时间", "generated at", local_naive(generated_at)),
        ]


def edition_of(report: AsOfReport) -> Edition:
    return Edition(report.plan.code, report.as_of, report.known_at, digest(report), report.head)


# --- comparing two editions -------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    target: str
    field: str
    old: str
    new: str


@dataclass
class Comparison:
    old: Edition
    new: Edition
    differences: list[Difference] = field(default_factory=list)
    events: list[AuditEvent] = field(default_factory=list)

    @property
    def targets(self) -> list[str]:
        return list(dict.fromkeys(d.target for d in self.differences))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def target_figures(report: AsOfReport) -> dict[str, dict[str, str]]:
    """code → {column key: value as text} of the report's targets table."""
    table = report.targets_table()
    keys = [c.key for c in table.columns]
    return {
        row[0]: {key: _text(value) for key, value in zip(keys, row, strict=True)}
        for row in table.rows()
    }


def compare(old: AsOfReport, new: AsOfReport) -> Comparison:
    """Each field of each target's row that differs between two editions, and the audit
    events that explain the differences: those recorded after the earlier K and at or before
    the later one on the targets that differ (their definitions and units), on their figures,
    and, for a target counted from a register, on that register's entries."""
    result = Comparison(edition_of(old), edition_of(new))
    before, after = target_figures(old), target_figures(new)
    for code in [*before, *(c for c in after if c not in before)]:
        a, b = before.get(code, {}), after.get(code, {})
        for key in dict.fromkeys([*a, *b]):
            if key != "code" and a.get(key, "") != b.get(key, ""):
                result.differences.append(Difference(code, key, a.get(key, ""), b.get(key, "")))
    result.events = explaining_events(old, new, result.targets)
    return result


def explaining_events(old: AsOfReport, new: AsOfReport, codes: list[str]) -> list[AuditEvent]:
    if not codes or old.known_at == new.known_at:
        return []
    start, end = sorted((old.known_at, new.known_at))
    targets = list(Target.objects.filter(plan=new.plan, code__in=codes))
    ids = [t.pk for t in targets]
    q = Q(object_type="targets.target", object_id__in=[str(pk) for pk in ids])
    figures = Measurement.objects.filter(target_id__in=ids).values_list("pk", flat=True)
    q |= Q(object_type="targets.measurement", object_id__in=[str(pk) for pk in figures])
    for register in {t.source_register for t in targets if t.source_kind != SourceKind.REPORTED}:
        if register in REGISTER_TYPES:
            q |= Q(object_type=REGISTER_TYPES[register])
    return list(
        AuditEvent.objects.filter(q, occurred_at__gt=start, occurred_at__lte=end)
        .select_related("actor")
        .order_by("seq")
    )


def event_row(event: AuditEvent) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at,
        "actor": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object": event.object_repr,
    }


def report_for(
    plan_code: str | None,
    as_of: dt.date,
    known_on: str | dt.datetime | None,
    now: dt.datetime | None = None,
) -> AsOfReport:
    """The report of one edition, from what a command, a form or a query string gives: a plan
    code (default: the latest plan), a date and an "as known on" (default: now). Raises
    EditionError with a one-line reason."""
    from plans.models import Plan

    from .builders import default_plan

    now = now or timezone.now()
    if plan_code:
        plan = Plan.objects.filter(code=plan_code).first()
        if plan is None:
            raise EditionError(f"no plan with the code {plan_code!r}")
    else:
        try:
            plan = default_plan()
        except LookupError as exc:
            raise EditionError(str(exc)) from None
    if isinstance(known_on, dt.datetime):
        known_at = known_on
    else:
        known_at = parse_known_on(known_on) if known_on else now
    check_edition(as_of, known_at, now)
    return AsOfReport(plan, as_of, known_at=known_at, generated_at=now)
