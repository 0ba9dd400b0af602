"""What a plan load writes, as plain rows, so two states of the database can be compared."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import connections

from audit.models import AuditChainHead, AuditEvent
from enterprises.models import Enterprise
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from targets.models import Target, TargetUnit

PLAN_FILE = Path(settings.ZJAI_DEFAULT_PLAN_FILE)

LOADED_MODELS = [
    Plan,
    ResponsibleUnit,
    PlanItem,
    ItemUnit,
    Target,
    TargetUnit,
    Target.restated_in.through,
    Enterprise,
    Enterprise.named_in.through,
]


def db_snapshot() -> dict[str, Any]:
    """Every field of every row the loader writes, plus the audit trail's length and head."""
    state: dict[str, Any] = {
        model._meta.label: list(model.objects.order_by("pk").values()) for model in LOADED_MODELS
    }
    state["audit.AuditEvent"] = AuditEvent.objects.count()
    state["audit.AuditChainHead"] = list(AuditChainHead.objects.values())
    return state


def is_empty(state: dict[str, Any]) -> bool:
    return (
        not any(state[model._meta.label] for model in LOADED_MODELS)
        and not state["audit.AuditEvent"]
    )


# The C implementation of YAML, where installed, only to make the many variants quickly; the
# loader reads them with its own parser.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def _plan_text() -> str:
    return PLAN_FILE.read_text(encoding="utf-8")


def plan_data() -> dict[str, Any]:
    """The real plan file as a fresh Python dict, to edit into variants."""
    return yaml.load(_plan_text(), Loader=_Loader)


def dump_plan(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def write_plan(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(dump_plan(data), encoding="utf-8")
    return path


def walk_items(items: list[dict], parent: str | None = None, depth: int = 0):
    """(item, parent key, depth) for every item of a file's tree, depth first."""
    for item in items:
        yield item, parent, depth
        yield from walk_items(item.get("children") or [], item["key"], depth + 1)


def find_item(data: dict[str, Any], key: str) -> dict[str, Any]:
    for item, _parent, _depth in walk_items(data["items"]):
        if item["key"] == key:
            return item
    raise KeyError(key)


def find_target(data: dict[str, Any], code: str) -> dict[str, Any]:
    for item, _parent, _depth in walk_items(data["items"]):
        for target in item.get("targets") or []:
            if target["code"] == code:
                return target
    raise KeyError(code)


def wipe_loaded_rows() -> None:
    """Delete what a plan load commits (used outside a test's transaction)."""
    Target.restated_in.through.objects.all().delete()
    Enterprise.named_in.through.objects.all().delete()
    TargetUnit.objects.all().delete()
    ItemUnit.objects.all().delete()
    Target.objects.all().delete()
    PlanItem.objects.all().delete()
    Enterprise.objects.all().delete()
    ResponsibleUnit.objects.all().delete()
    Plan.objects.all().delete()
    # Audit rows are append-only on PostgreSQL (audit.guard): emptied by TRUNCATE instead.
    wipe_audit_log()


def wipe_audit_log(using: str = "default") -> None:
    """Empty the trail and its head: for test fixtures that reset a committed database.

    Uses TRUNCATE on PostgreSQL, which the trigger does not refuse (a table owner's operation;
    the application role has no TRUNCATE grant in production).
    """
    from audit.guard import TABLE
    from audit.models import AuditChainHead, AuditEvent

    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if not connection.get_autocommit():
                # Foreign keys are checked at commit; TRUNCATE wants none pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {TABLE}, {AuditChainHead._meta.db_table}")
        return
    AuditEvent.objects.using(using).all().delete()
    AuditChainHead.objects.using(using).all().delete()
