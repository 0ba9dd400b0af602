"""Writes a plan file (docs/plan-file.md) into the database.

Two steps: `parse_plan_file` (plans/planfile.py) validates the whole file into plain
dataclasses and raises `PlanFileError` naming the file, the entry and the problem; `load_plan`
writes it in one transaction, creating what is new and updating only what differs, so loading
the same file twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models, transaction
from django.utils import timezone

from audit.services import record_event, snapshot
from enterprises.models import Enterprise
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from plans.planfile import PlanFileError, PlanSpec, TargetSpec, parse_plan_file
from targets.choices import Register
from targets.models import METADATA_FIELDS, Target, TargetUnit, TargetVerdict
from targets.services import metadata_changed, schedule_recompute

if TYPE_CHECKING:
    from typing_extensions import TypeIs

# The callers' names: the command and the tests read and parse through the loader.
__all__ = ["LoadReport", "PlanFileError", "PlanSpec", "load_plan", "parse_plan_file"]


# --- what plans share ----------------------------------------------------------------------
#
# Units and named enterprises are shared by identity (their code, their key): several plans
# may name the same one. A plan load never takes away what another plan gave (docs/plan-file.md,
# "Several plans"): a shared row's names must agree with every plan naming it, its aliases only
# grow (kept sorted, so that the order of loading leaves no trace), and an enterprise's links
# are synced only among the loading plan's items.


def _unit_shared(unit: ResponsibleUnit, plan: Plan) -> list[str]:
    """The codes of the other plans whose items or targets name the unit."""
    codes = set(
        ItemUnit.objects.filter(unit=unit)
        .exclude(item__plan=plan)
        .values_list("item__plan__code", flat=True)
    ) | set(
        TargetUnit.objects.filter(unit=unit)
        .exclude(target__plan=plan)
        .values_list("target__plan__code", flat=True)
    )
    return sorted(codes)


def _enterprise_shared(enterprise: Enterprise, plan: Plan) -> list[str]:
    """The codes of the other plans whose items name the enterprise."""
    return sorted(set(enterprise.named_in.exclude(plan=plan).values_list("plan__code", flat=True)))


def _agree(
    spec: PlanSpec, entry: str, row: models.Model, values: dict[str, Any], others: list[str]
) -> None:
    """A shared row keeps what the other plans gave it: the file must state the same values."""
    if not others:
        return
    for name, value in values.items():
        if getattr(row, name) != value:
            raise PlanFileError(
                spec.path,
                entry,
                f"{name!r} is {getattr(row, name)!r} in plan(s) {', '.join(others)}, which "
                f"share it; this file says {value!r} (plans sharing a row must agree)",
            )


# --- writing -------------------------------------------------------------------------------


@dataclass
class LoadReport:
    plan: Plan
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))


M = TypeVar("M", bound=models.Model)


def _versioned(row: models.Model) -> TypeIs[Target | Enterprise]:
    """The rows of a plan file with an optimistic-locking version: a reload that changes one
    bumps it, so an API client holding the old version is refused (412) instead of overwriting
    the plan file's change."""
    return isinstance(row, Target | Enterprise)


# The plan file names enterprises with their tier: it is the source, not a proposal, so they
# count at once (no second person confirms them, registers.services) and their events say so.
EXEMPT_FROM_CONFIRMATION = "exempt from confirmation: plan file"


def _reason(model: type[models.Model]) -> str:
    return EXEMPT_FROM_CONFIRMATION if model is Enterprise else ""


def _count(bucket: dict[str, int], name: str) -> None:
    bucket[name] = bucket.get(name, 0) + 1


class _Writer:
    def __init__(self, units: dict[int, ResponsibleUnit], acting_user=None):
        self.acting_user = acting_user
        # How many rows of each kind this load created and updated (LoadReport).
        self.created_counts: dict[str, int] = {}
        self.updated_counts: dict[str, int] = {}
        self.units = units  # by id, to name the units of a link change in its event
        # Values moved out of the way before writing (item positions), by (model, pk): the
        # audit shows the value before the load, not the temporary one.
        self.moved: dict[tuple[type[models.Model], Any], dict[str, Any]] = {}
        # The rows this load created; and every row it created or changed, whose targets it
        # recomputes (targets_to_recompute).
        self.created: set[tuple[type[models.Model], Any]] = set()
        self.changed: list[models.Model] = []

    def _bump(self, obj: models.Model) -> dict[str, dict[str, int]]:
        """Bump the version of a row that existed before this load; the (before, after) of the
        version for its event, empty for anything else."""
        if not _versioned(obj) or (type(obj), obj.pk) in self.created:
            return {}
        obj.version += 1
        obj.save(update_fields=["version"])
        return {"before": {"version": obj.version - 1}, "after": {"version": obj.version}}

    def upsert(self, model: type[M], lookup: dict, values: dict) -> M:
        """Create the object, or update just the fields that differ; audit either."""
        name = model._meta.verbose_name_plural
        obj = model._default_manager.filter(**lookup).first()
        if obj is None:
            obj = model._default_manager.create(**lookup, **values)
            # Audit the values as stored (10 as 10.0000), as every later event will show them.
            obj.refresh_from_db()
            self.created.add((model, obj.pk))
            self.changed.append(obj)
            _count(self.created_counts, str(name))
            record_event(
                action="create",
                obj=obj,
                acting_user=self.acting_user,
                after=snapshot(obj, [*lookup, *values]),
                reason=_reason(model),
            )
            return obj
        differing = [k for k, v in values.items() if getattr(obj, k) != v]
        if differing:
            written = differing + (["version"] if _versioned(obj) else [])
            before = snapshot(obj, written)
            moved = self.moved.get((model, obj.pk), {})
            before.update({k: v for k, v in moved.items() if k in before})
            for k in differing:
                setattr(obj, k, values[k])
            if _versioned(obj):
                obj.version += 1
            obj.save(update_fields=written)
            obj.refresh_from_db(fields=written)
            after = snapshot(obj, written)
            if before != after:  # not just put back where it was before the load
                _count(self.updated_counts, str(name))
                self.changed.append(obj)
                record_event(
                    action="update",
                    obj=obj,
                    acting_user=self.acting_user,
                    before=before,
                    after=after,
                    reason=_reason(model),
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
        bucket = self.updated_counts if have else self.created_counts
        _count(bucket, str(link_model._meta.verbose_name_plural))
        self.changed.append(owner)
        version = self._bump(owner)
        record_event(
            action="set_units",
            obj=owner,
            acting_user=self.acting_user,
            before={
                "units": [self.units[pk].as_link(lead=lead) for pk, _i, lead in have],
                **version.get("before", {}),
            },
            after={
                "units": [self.units[pk].as_link(lead=lead) for pk, _i, lead in want],
                **version.get("after", {}),
            },
        )

    def sync_m2m(
        self, owner, attr: str, wanted: Sequence[models.Model], within: dict | None = None
    ) -> None:
        """Make the owner's links `attr` exactly `wanted`; with `within` (a filter on the linked
        rows), only among the linked rows it selects, leaving the others alone: a named
        enterprise's links to another plan's items are that plan's."""
        manager = getattr(owner, attr)
        linked = manager.filter(**within) if within else manager.all()
        have = set(linked.values_list("pk", flat=True))
        want = {o.pk for o in wanted}
        if have != want:
            manager.remove(*(have - want))
            manager.add(*(want - have))
            _count(self.updated_counts, attr)
            self.changed.append(owner)
            version = self._bump(owner)
            record_event(
                action=f"set_{attr}",
                obj=owner,
                acting_user=self.acting_user,
                before={attr: sorted(have), **version.get("before", {})},
                after={attr: sorted(want), **version.get("after", {})},
            )

    def targets_to_recompute(self, plan: Plan) -> set[int]:
        """The targets whose progress a reload may have moved: those changed or added, every
        target of the plan when its dates, tree or items changed (their start and roll-ups),
        and the targets counting the enterprises when a named enterprise changed. None on a
        plan's first load (the nightly recompute, or `recompute_progress`, computes it)."""
        if (Plan, plan.pk) in self.created:
            return set()
        ids = {obj.pk for obj in self.changed if isinstance(obj, Target)}
        if any(isinstance(obj, Plan | PlanItem) for obj in self.changed):
            ids |= set(Target.objects.filter(plan=plan).values_list("pk", flat=True))
        if any(isinstance(obj, Enterprise) for obj in self.changed):
            ids |= set(
                Target.objects.filter(source_register=Register.ENTERPRISES).values_list(
                    "pk", flat=True
                )
            )
        return ids


def _spellings_taken() -> dict[str, str]:
    """Every unit's English name and aliases, casefolded → the unit's code."""
    taken: dict[str, str] = {}
    for code, name_en, aliases in ResponsibleUnit.objects.values_list("code", "name_en", "aliases"):
        for spelling in [name_en, *aliases]:
            taken[spelling.casefold()] = code
    return taken


def _predecessor(spec: PlanSpec, plan: Plan, target: TargetSpec) -> Target | None:
    """The target a target continues in another plan, loaded before it."""
    if not target.predecessor:
        return None
    plan_code, code = target.predecessor.split(":")
    entry = f"targets[{target.code}]"
    if plan_code == plan.code:
        raise PlanFileError(spec.path, entry, "'predecessor' must name a target of another plan")
    if not Plan.objects.filter(code=plan_code).exists():
        raise PlanFileError(
            spec.path,
            entry,
            f"'predecessor' names plan {plan_code!r}, which is not loaded (load it first)",
        )
    found = Target.objects.filter(plan__code=plan_code, code=code).select_related("plan").first()
    if found is None:
        raise PlanFileError(
            spec.path, entry, f"'predecessor' names no target {code!r} in plan {plan_code!r}"
        )
    # Only an earlier plan: no chain of predecessors can loop back.
    if found.plan.period_start >= plan.period_start:
        raise PlanFileError(
            spec.path,
            entry,
            f"'predecessor' must be in an earlier plan: {plan_code!r} does not start before "
            f"{plan.code!r}",
        )
    return found


def _baseline_from(predecessor: Target | None, target: TargetSpec) -> dict[str, Any]:
    """The baseline taken from the predecessor's frozen verdict: its value at the deadline and
    that value's date; none while the predecessor is not closed (a reload after closing fills
    it in, and one after reopening empties it)."""
    if predecessor is None or not target.values.get("baseline_from_predecessor"):
        return {}
    verdict = TargetVerdict.objects.filter(target=predecessor).first()
    if verdict is None or verdict.value is None:
        return {"baseline_value": None, "baseline_date": None}
    return {"baseline_value": verdict.value, "baseline_date": verdict.value_date}


def _metadata_of(plan: Plan) -> dict[str, dict[str, Any]]:
    """The plan's targets' metadata texts and stamps as stored, by code, in one query."""
    rows = Target.objects.filter(plan=plan).values("code", *METADATA_FIELDS, "metadata_updated_at")
    return {row["code"]: row for row in rows}


def _metadata_stamp(stored: dict[str, Any] | None, target: TargetSpec, now) -> Any:
    """`metadata_updated_at` as the load leaves it: now when the file changes a metadata text
    (targets.services.metadata_changed, the service's rule), else as it was; empty for a new
    target without metadata."""
    if metadata_changed(stored or {}, target.values):
        return now
    return stored["metadata_updated_at"] if stored else None


def load_plan(spec: PlanSpec, acting_user=None) -> LoadReport:
    """Write a parsed plan. One transaction: all of it or nothing.

    A reload that changes a row of the plan bumps the row's version (targets, enterprises),
    audits it field by field and queues the recompute of the targets it may move once the load
    commits (targets.services.schedule_recompute). Loading the same file again changes nothing
    and records nothing.
    """
    with transaction.atomic():
        plan_values = dict(spec.plan)
        code = plan_values.pop("code")
        writer = _Writer({u.pk: u for u in ResponsibleUnit.objects.all()}, acting_user)
        plan = writer.upsert(Plan, {"code": code}, plan_values)

        units: dict[str, ResponsibleUnit] = {}
        taken = _spellings_taken()
        for u in spec.units:
            values: dict[str, Any] = {
                "name_zh": u.name_zh,
                "name_en": u.name_en,
                "kind": u.kind,
                "city": u.city,
            }
            aliases = set(u.aliases)
            existing = ResponsibleUnit.objects.filter(code=u.code).first()
            if existing is not None:
                others = _unit_shared(existing, plan)
                _agree(spec, f"units[{u.code}]", existing, values, others)
                if others:  # another plan's spellings stay
                    aliases |= set(existing.aliases)
            # A unit's names belong to it alone, across every plan loaded, as in one file.
            for spelling in [u.name_en, *u.aliases]:
                owner = taken.get(spelling.casefold(), u.code)
                if owner != u.code:
                    raise PlanFileError(
                        spec.path, f"units[{u.code}]", f"the name {spelling!r} is unit {owner!r}"
                    )
            units[u.code] = writer.upsert(
                ResponsibleUnit, {"code": u.code}, {**values, "aliases": sorted(aliases)}
            )
            writer.units[units[u.code].pk] = units[u.code]

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
        metadata = _metadata_of(plan)
        now = timezone.now()
        for order, t in enumerate(spec.targets, start=1):
            predecessor = _predecessor(spec, plan, t)
            targets[t.code] = writer.upsert(
                Target,
                {"plan": plan, "code": t.code},
                {
                    **t.values,
                    **_baseline_from(predecessor, t),
                    "item": items[t.item_key],
                    "order": order,
                    "predecessor": predecessor,
                    "metadata_updated_at": _metadata_stamp(metadata.get(t.code), t, now),
                },
            )
            writer.sync_links(targets[t.code], TargetUnit, "target", [units[c] for c in t.units])
        restated: dict[str, list[PlanItem]] = {code: [] for code in targets}
        for i in spec.items:
            for code in i.restates:
                restated[code].append(items[i.key])
        for code, target in targets.items():
            writer.sync_m2m(target, "restated_in", restated[code])

        for e in spec.enterprises:
            named = Enterprise.objects.filter(plan_key=e.key).first()
            if named is not None:
                others = _enterprise_shared(named, plan)
                _agree(spec, f"enterprises[{e.key}]", named, e.values, others)
            enterprise = writer.upsert(Enterprise, {"plan_key": e.key}, e.values)
            writer.sync_m2m(
                enterprise, "named_in", [items[k] for k in e.named_in], within={"plan": plan}
            )
        schedule_recompute(writer.targets_to_recompute(plan))
    return LoadReport(plan, writer.created_counts, writer.updated_counts)
