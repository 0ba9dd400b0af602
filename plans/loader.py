"""Writes a plan file (docs/plan-file.md) into the database.

Two steps: `parse_plan_file` (plans/planfile.py) validates the whole file into plain
dataclasses and raises `PlanFileError` naming the file, the entry and the problem; `load_plan`
writes it in one transaction, creating what is new and updating only what differs, so loading
the same file twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction

from audit.services import record_event, snapshot
from enterprises.models import Enterprise
from targets.models import Target, TargetUnit

from .models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from .planfile import PlanFileError, PlanSpec, parse_plan_file

# The callers' names: the command and the tests read and parse through the loader.
__all__ = ["LoadReport", "PlanFileError", "PlanSpec", "load_plan", "parse_plan_file"]


# --- writing -------------------------------------------------------------------------------


@dataclass
class LoadReport:
    plan: Plan | None = None
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))

    def count(self, bucket: dict[str, int], name: str) -> None:
        bucket[name] = bucket.get(name, 0) + 1


class _Writer:
    def __init__(self, report: LoadReport, acting_user=None):
        self.report, self.acting_user = report, acting_user
        # Values moved out of the way before writing (item positions), by (model, pk): the
        # audit shows the value before the load, not the temporary one.
        self.moved: dict[tuple[type[models.Model], Any], dict[str, Any]] = {}

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Create the object, or update just the fields that differ; audit either."""
        name = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            # Audit the values as stored (10 as 10.0000), as every later event will show them.
            obj.refresh_from_db()
            self.report.count(self.report.created, str(name))
            record_event(
                action="create",
                obj=obj,
                acting_user=self.acting_user,
                after=snapshot(obj, [*lookup, *values]),
            )
            return obj
        differing = [k for k, v in values.items() if getattr(obj, k) != v]
        if differing:
            before = snapshot(obj, differing)
            moved = self.moved.get((model, obj.pk), {})
            before.update({k: v for k, v in moved.items() if k in before})
            for k in differing:
                setattr(obj, k, values[k])
            obj.save(update_fields=differing)
            obj.refresh_from_db(fields=differing)
            after = snapshot(obj, differing)
            if before != after:  # not just put back where it was before the load
                self.report.count(self.report.updated, str(name))
                record_event(
                    action="update",
                    obj=obj,
                    acting_user=self.acting_user,
                    before=before,
                    after=after,
                )
        return obj

    def sync_links(self, owner, link_model, owner_field: str, wanted: list[ResponsibleUnit]):
        """Make the owner's responsible units exactly `wanted`, in order, the first leading."""
        want = [(u.pk, i, i == 0) for i, u in enumerate(wanted)]
        have = list(
            link_model.objects.filter(**{owner_field: owner})
            .order_by("order")
            .values_list("unit_id", "order", "is_lead")
        )
        if have == want:
            return
        link_model.objects.filter(**{owner_field: owner}).delete()
        link_model.objects.bulk_create(
            link_model(**{owner_field: owner}, unit_id=pk, order=i, is_lead=lead)
            for pk, i, lead in want
        )
        bucket = self.report.updated if have else self.report.created
        self.report.count(bucket, str(link_model._meta.verbose_name_plural))
        record_event(
            action="set_units",
            obj=owner,
            acting_user=self.acting_user,
            before={"units": [h[0] for h in have]},
            after={"units": [w[0] for w in want]},
        )

    def sync_m2m(self, owner, attr: str, wanted: list[models.Model]) -> None:
        manager = getattr(owner, attr)
        have = set(manager.values_list("pk", flat=True))
        want = {o.pk for o in wanted}
        if have != want:
            manager.set(wanted)
            self.report.count(self.report.updated, attr)
            record_event(
                action=f"set_{attr}",
                obj=owner,
                acting_user=self.acting_user,
                before={attr: sorted(have)},
                after={attr: sorted(want)},
            )


def load_plan(spec: PlanSpec, acting_user=None) -> LoadReport:
    """Write a parsed plan. One transaction: all of it or nothing."""
    report = LoadReport()
    writer = _Writer(report, acting_user)
    with transaction.atomic():
        plan_values = dict(spec.plan)
        code = plan_values.pop("code")
        plan = writer.upsert(Plan, {"code": code}, plan_values)
        report.plan = plan

        units: dict[str, ResponsibleUnit] = {}
        for u in spec.units:
            units[u.code] = writer.upsert(
                ResponsibleUnit,
                {"code": u.code},
                {
                    "name_zh": u.name_zh,
                    "name_en": u.name_en,
                    "kind": u.kind,
                    "city": u.city,
                    "aliases": u.aliases,
                },
            )

        # Positions are unique per plan: if the file reorders items, move the old ones out of
        # the way first so that no intermediate state collides.
        current = dict(PlanItem.objects.filter(plan=plan).values_list("key", "order"))
        if any(current.get(i.key, i.order) != i.order for i in spec.items) or (
            set(current) - {i.key for i in spec.items}
        ):
            for pk, order in PlanItem.objects.filter(plan=plan).values_list("pk", "order"):
                writer.moved[(PlanItem, pk)] = {"order": order}
            PlanItem.objects.filter(plan=plan).update(order=models.F("order") + 1_000_000)

        items: dict[str, PlanItem] = {}
        for i in spec.items:
            parent = items[i.parent_key] if i.parent_key else None
            items[i.key] = writer.upsert(
                PlanItem,
                {"plan": plan, "key": i.key},
                {**i.values, "parent": parent, "order": i.order, "depth": i.depth},
            )
            writer.sync_links(items[i.key], ItemUnit, "item", [units[c] for c in i.units])

        targets: dict[str, Target] = {}
        for order, t in enumerate(spec.targets, start=1):
            targets[t.code] = writer.upsert(
                Target,
                {"plan": plan, "code": t.code},
                {**t.values, "item": items[t.item_key], "order": order},
            )
            writer.sync_links(targets[t.code], TargetUnit, "target", [units[c] for c in t.units])
        restated: dict[str, list[PlanItem]] = {code: [] for code in targets}
        for i in spec.items:
            for code in i.restates:
                restated[code].append(items[i.key])
        for code, target in targets.items():
            writer.sync_m2m(target, "restated_in", restated[code])

        for e in spec.enterprises:
            enterprise = writer.upsert(Enterprise, {"plan_key": e.key}, e.values)
            writer.sync_m2m(enterprise, "named_in", [items[k] for k in e.named_in])
    return report
