"""Reads a plan file (docs/plan-file.md) and writes it into the database.

Two steps: `parse_plan_file` validates the whole file into plain dataclasses and raises
`PlanFileError` naming the file, the entry and the problem; `load_plan` writes it in one
transaction, creating what is new and updating only what differs, so loading the same file
twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from django.db import models, transaction

from audit.services import record_event, snapshot
from enterprises.choices import Tier
from enterprises.models import Enterprise
from projects.choices import ProjectKind, ProjectLevel, ProjectStatus
from targets.choices import Comparator, GrowthModel, Register, SourceKind
from targets.models import Target, TargetUnit
from targets.services import schedule_recompute
from zjai.choices import City, Sector

from .choices import ItemKind, UnitKind
from .models import ItemUnit, Plan, PlanItem, ResponsibleUnit

SCHEMA_VERSION = 1
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Register fields a target's filter may use, with the values each accepts.
FILTER_FIELDS: dict[str, dict[str, list[str]]] = {
    Register.ENTERPRISES: {
        "tier": Tier.values,
        "sector": Sector.values,
        "city": City.values,
    },
    Register.PROJECTS: {
        "kind": ProjectKind.values,
        "level": ProjectLevel.values,
        "status": ProjectStatus.values,
        "city": City.values,
        "sector": Sector.values,
    },
}
SUMMABLE_FIELDS = {Register.PROJECTS: ["planned_investment", "completed_investment"]}


class PlanFileError(Exception):
    """A problem in a plan file: which file, which entry, what is wrong."""

    def __init__(self, path: Path | str, entry: str, problem: str):
        self.path, self.entry, self.problem = str(path), entry, problem
        super().__init__(f"{path}: {entry}: {problem}")


@dataclass
class UnitSpec:
    code: str
    name_zh: str
    name_en: str
    kind: str
    city: str
    aliases: list[str]


@dataclass
class TargetSpec:
    code: str
    item_key: str
    values: dict[str, Any]
    units: list[str]


@dataclass
class ItemSpec:
    key: str
    parent_key: str | None
    order: int
    depth: int
    values: dict[str, Any]
    units: list[str]
    restates: list[str] = field(default_factory=list)


@dataclass
class EnterpriseSpec:
    key: str
    values: dict[str, Any]
    named_in: list[str]


@dataclass
class PlanSpec:
    plan: dict[str, Any]
    units: list[UnitSpec]
    items: list[ItemSpec]
    targets: list[TargetSpec]
    enterprises: list[EnterpriseSpec]


# --- parsing -------------------------------------------------------------------------------


class _Reader:
    """Validation helpers bound to one file, so every error names it."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, entry: str, problem: str) -> PlanFileError:
        return PlanFileError(self.path, entry, problem)

    def mapping(self, value: Any, entry: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(entry, f"expected a mapping, found {type(value).__name__}")
        return value

    def only(self, data: dict, allowed: set[str], entry: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(entry, f"unknown field(s): {', '.join(unknown)}")

    def text(self, data: dict, name: str, entry: str, required: bool = True, max_len=None) -> str:
        value = data.get(name)
        if value is None or value == "":
            if required:
                raise self.fail(entry, f"'{name}' is required")
            return ""
        if not isinstance(value, str):
            raise self.fail(entry, f"'{name}' must be text, found {value!r}")
        value = " ".join(value.split()) if "\n" in value else value.strip()
        if max_len and len(value) > max_len:
            raise self.fail(entry, f"'{name}' is longer than {max_len} characters")
        return value

    def date(self, data: dict, name: str, entry: str, required: bool = True) -> dt.date | None:
        value = data.get(name)
        if value is None:
            if required:
                raise self.fail(entry, f"'{name}' is required")
            return None
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise self.fail(entry, f"'{name}' is not a date (YYYY-MM-DD): {value!r}") from None
        if not isinstance(value, dt.date):
            raise self.fail(entry, f"'{name}' is not a date (YYYY-MM-DD): {value!r}")
        return value

    def number(
        self,
        data: dict,
        name: str,
        entry: str,
        required: bool = True,
        column: tuple[int, int] = (20, 4),
    ) -> Decimal | None:
        """A number that fits its column: `column` is the (max_digits, decimal_places) of it."""
        value = data.get(name)
        if value is None:
            if required:
                raise self.fail(entry, f"'{name}' is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(entry, f"'{name}' must be a number, found {value!r}")
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(entry, f"'{name}' must be a number, found {value!r}") from None
        if not number.is_finite():
            raise self.fail(entry, f"'{name}' must be a finite number, found {value!r}")
        # A number the column cannot hold would fail at write time (too large) or be rounded
        # on the way in and then differ from the file at every later load (too precise).
        max_digits, places = column
        if number != 0 and number.normalize().as_tuple().exponent < -places:
            raise self.fail(
                entry, f"'{name}' has more than {places} decimal places, found {value!r}"
            )
        if abs(number) >= Decimal(10) ** (max_digits - places):
            raise self.fail(
                entry,
                f"'{name}' is too large (at most {max_digits - places} digits before the "
                f"decimal point), found {value!r}",
            )
        return number

    def choice(
        self, data: dict, name: str, choices: list[str], entry: str, default: str | None = None
    ) -> str:
        value = data.get(name, default)
        if value is None:
            raise self.fail(entry, f"'{name}' is required")
        if value not in choices:
            raise self.fail(entry, f"'{name}' must be one of {', '.join(choices)}; found {value!r}")
        return value

    def codes(self, data: dict, name: str, entry: str) -> list[str]:
        value = data.get(name) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(entry, f"'{name}' must be a list of codes")
        if len(set(value)) != len(value):
            raise self.fail(entry, f"'{name}' names the same code twice")
        return value


class _PlanYamlLoader(yaml.SafeLoader):
    """Safe YAML in which unquoted dates stay text.

    PyYAML turns `2022-12-31` into a date itself and raises a bare ValueError for an impossible
    one (`2022-02-30`), which would escape as a traceback naming neither the entry nor the
    file; kept as text, the reader checks it and names the entry.
    """


_PlanYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_plan_file(path: Path | str) -> PlanSpec:
    path = Path(path)
    reader = _Reader(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_PlanYamlLoader)  # a SafeLoader
    except FileNotFoundError:
        raise PlanFileError(path, "file", "no such file") from None
    except UnicodeDecodeError:
        raise PlanFileError(path, "file", "not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "file"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise PlanFileError(path, where, f"not valid YAML: {problem}") from None
    except ValueError as exc:  # a value YAML itself constructs, e.g. an explicit !!timestamp
        raise PlanFileError(path, "file", f"not valid YAML: {exc}") from None

    top = reader.mapping(raw, "file")
    reader.only(top, {"schema", "plan", "units", "items", "enterprises"}, "file")
    if top.get("schema") != SCHEMA_VERSION:
        raise reader.fail(
            "schema", f"expected schema {SCHEMA_VERSION}, found {top.get('schema')!r}"
        )

    plan = _parse_plan(reader, top.get("plan"))
    units = _parse_units(reader, top.get("units"))
    unit_codes = {u.code for u in units}
    items: list[ItemSpec] = []
    targets: list[TargetSpec] = []
    raw_items = top.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        raise reader.fail("items", "a non-empty list of items is required")
    _parse_items(reader, raw_items, None, 0, items, targets, unit_codes, plan)

    item_keys = {i.key for i in items}
    target_codes = {t.code for t in targets}
    for item in items:
        for code in item.restates:
            if code not in target_codes:
                raise reader.fail(f"items[{item.key}]", f"restates unknown target {code!r}")
    enterprises = _parse_enterprises(reader, top.get("enterprises") or [], item_keys)
    return PlanSpec(plan, units, items, targets, enterprises)


def _parse_plan(reader: _Reader, raw: Any) -> dict[str, Any]:
    data = reader.mapping(raw, "plan")
    reader.only(
        data,
        {
            "code",
            "title_zh",
            "title_en",
            "issuer_zh",
            "issuer_en",
            "issued_on",
            "period_start",
            "period_end",
            "source",
        },
        "plan",
    )
    code = reader.text(data, "code", "plan", max_len=64)
    if not SLUG.match(code):
        raise reader.fail("plan", f"'code' must be a lowercase slug, found {code!r}")
    plan = {
        "code": code,
        "title_zh": reader.text(data, "title_zh", "plan", max_len=300),
        "title_en": reader.text(data, "title_en", "plan", max_len=300),
        "issuer_zh": reader.text(data, "issuer_zh", "plan", required=False, max_len=200),
        "issuer_en": reader.text(data, "issuer_en", "plan", required=False, max_len=200),
        "issued_on": reader.date(data, "issued_on", "plan", required=False),
        "period_start": reader.date(data, "period_start", "plan"),
        "period_end": reader.date(data, "period_end", "plan"),
        "source_note": reader.text(data, "source", "plan", required=False),
    }
    if plan["period_end"] <= plan["period_start"]:
        raise reader.fail("plan", "'period_end' must be after 'period_start'")
    return plan


def _parse_units(reader: _Reader, raw: Any) -> list[UnitSpec]:
    if not isinstance(raw, list) or not raw:
        raise reader.fail("units", "a non-empty list of units is required")
    units, seen, spellings = [], set(), {}
    for index, entry_raw in enumerate(raw):
        data = reader.mapping(entry_raw, f"units[{index}]")
        code = reader.text(data, "code", f"units[{index}]", max_len=64)
        entry = f"units[{code}]"
        reader.only(data, {"code", "name_zh", "name_en", "kind", "city", "aliases"}, entry)
        if not SLUG.match(code):
            raise reader.fail(entry, "'code' must be a lowercase slug")
        if code in seen:
            raise reader.fail(entry, "this code is used twice")
        seen.add(code)
        spec = UnitSpec(
            code=code,
            name_zh=reader.text(data, "name_zh", entry, max_len=200),
            name_en=reader.text(data, "name_en", entry, max_len=200),
            kind=reader.choice(data, "kind", UnitKind.values, entry),
            city=reader.choice(data, "city", ["", *City.values], entry, default=""),
            aliases=reader.codes(data, "aliases", entry),
        )
        for spelling in [spec.name_en, *spec.aliases]:
            other = spellings.setdefault(spelling.casefold(), code)
            if other != code:
                raise reader.fail(entry, f"the name {spelling!r} is also unit {other!r}")
        units.append(spec)
    return units


ITEM_FIELDS = {
    "key",
    "kind",
    "number",
    "title_zh",
    "title_en",
    "text_zh",
    "text_en",
    "units",
    "city",
    "targets",
    "restates",
    "children",
}
TARGET_FIELDS = {
    "code",
    "title_zh",
    "title_en",
    "quote",
    "unit_of_measure",
    "unit_of_measure_en",
    "comparator",
    "value",
    "baseline",
    "deadline",
    "scope",
    "units",
    "growth_model",
    "headline",
    "weight",
    "source",
}


def _parse_items(reader, raw_items, parent_key, depth, items, targets, unit_codes, plan) -> None:
    seen = {i.key for i in items}
    for index, entry_raw in enumerate(raw_items):
        where = f"items[{parent_key}].children[{index}]" if parent_key else f"items[{index}]"
        data = reader.mapping(entry_raw, where)
        key = reader.text(data, "key", where, max_len=64)
        entry = f"items[{key}]"
        reader.only(data, ITEM_FIELDS, entry)
        if key in seen:
            raise reader.fail(entry, "this key is used twice")
        seen.add(key)
        values = {
            "kind": reader.choice(data, "kind", ItemKind.values, entry),
            "number": reader.text(data, "number", entry, required=False, max_len=32),
            "title_zh": reader.text(data, "title_zh", entry, required=False, max_len=500),
            "title_en": reader.text(data, "title_en", entry, required=False, max_len=500),
            "text_zh": reader.text(data, "text_zh", entry, required=False),
            "text_en": reader.text(data, "text_en", entry, required=False),
            "city": reader.choice(data, "city", ["", *City.values], entry, default=""),
        }
        if not values["title_zh"] and not values["title_en"]:
            raise reader.fail(entry, "a title in at least one language is required")
        units = reader.codes(data, "units", entry)
        for code in units:
            if code not in unit_codes:
                raise reader.fail(entry, f"unknown unit {code!r}")
        item = ItemSpec(
            key,
            parent_key,
            len(items) + 1,
            depth,
            values,
            units,
            reader.codes(data, "restates", entry),
        )
        items.append(item)
        raw_targets = data.get("targets") or []
        if not isinstance(raw_targets, list):
            raise reader.fail(entry, "'targets' must be a list")
        for t_index, target_raw in enumerate(raw_targets):
            targets.append(
                _parse_target(
                    reader,
                    target_raw,
                    f"{entry}.targets[{t_index}]",
                    item,
                    unit_codes,
                    plan,
                    {t.code for t in targets},
                )
            )
        children = data.get("children") or []
        if not isinstance(children, list):
            raise reader.fail(entry, "'children' must be a list")
        _parse_items(reader, children, key, depth + 1, items, targets, unit_codes, plan)
        seen = {i.key for i in items}


def _parse_target(reader, raw, where, item: ItemSpec, unit_codes, plan, codes) -> TargetSpec:
    data = reader.mapping(raw, where)
    code = reader.text(data, "code", where, max_len=64)
    entry = f"targets[{code}]"
    reader.only(data, TARGET_FIELDS, entry)
    if not SLUG.match(code):
        raise reader.fail(entry, "'code' must be a lowercase slug")
    if code in codes:
        raise reader.fail(entry, "this code is used twice")
    value = reader.number(data, "value", entry)
    if value < 0:
        raise reader.fail(entry, f"'value' cannot be negative, found {value}")
    growth = reader.choice(data, "growth_model", GrowthModel.values, entry, default="linear")
    baseline_value, baseline_date = None, None
    if data.get("baseline") is not None:
        baseline = reader.mapping(data["baseline"], f"{entry}.baseline")
        reader.only(baseline, {"value", "date"}, f"{entry}.baseline")
        baseline_value = reader.number(baseline, "value", f"{entry}.baseline")
        baseline_date = reader.date(baseline, "date", f"{entry}.baseline", required=False)
    if growth == GrowthModel.COMPOUND and not (baseline_value and baseline_value > 0):
        raise reader.fail(entry, "compound growth needs a baseline value above zero")
    deadline = reader.date(data, "deadline", entry, required=False) or plan["period_end"]
    if deadline < plan["period_start"]:
        raise reader.fail(entry, "'deadline' is before the plan's period starts")
    units = reader.codes(data, "units", entry) or list(item.units)
    for unit in units:
        if unit not in unit_codes:
            raise reader.fail(entry, f"unknown unit {unit!r}")
    weight = reader.number(data, "weight", entry, required=False, column=(6, 3)) or Decimal(1)
    if weight <= 0:
        raise reader.fail(entry, "'weight' must be above zero")
    headline = data.get("headline", False)
    if not isinstance(headline, bool):
        raise reader.fail(entry, "'headline' must be true or false")
    values = {
        "title_zh": reader.text(data, "title_zh", entry, max_len=300),
        "title_en": reader.text(data, "title_en", entry, max_len=300),
        "quote": reader.text(data, "quote", entry),
        "unit_of_measure": reader.text(data, "unit_of_measure", entry, max_len=32),
        "unit_of_measure_en": reader.text(data, "unit_of_measure_en", entry, max_len=64),
        "comparator": reader.choice(data, "comparator", Comparator.values, entry),
        "target_value": value,
        "baseline_value": baseline_value,
        "baseline_date": baseline_date,
        "deadline": deadline,
        "scope": reader.choice(data, "scope", ["province", *City.values], entry, "province"),
        "growth_model": growth,
        "headline": headline,
        "weight": weight,
        **_parse_source(reader, data.get("source"), entry),
    }
    return TargetSpec(code, item.key, values, units)


def _parse_source(reader: _Reader, raw: Any, entry: str) -> dict[str, Any]:
    where = f"{entry}.source"
    data = reader.mapping(raw, where)
    reader.only(data, {"kind", "register", "field", "filter", "scale"}, where)
    kind = reader.choice(data, "kind", SourceKind.values, where)
    if kind == SourceKind.REPORTED:
        if set(data) - {"kind"}:
            raise reader.fail(where, "a reported target takes no register, field, filter or scale")
        return {
            "source_kind": kind,
            "source_register": "",
            "source_field": "",
            "source_filter": {},
            "source_scale": Decimal(1),
        }
    register = reader.choice(data, "register", Register.values, where)
    summed = ""
    if kind == SourceKind.SUM:
        summed = reader.choice(data, "field", SUMMABLE_FIELDS.get(register, []), where)
    elif "field" in data:
        raise reader.fail(where, "a count takes no 'field'")
    raw_filter = reader.mapping(data.get("filter") or {}, f"{where}.filter")
    allowed = FILTER_FIELDS[register]
    clean_filter: dict[str, Any] = {}
    for name, value in raw_filter.items():
        if name not in allowed:
            raise reader.fail(
                f"{where}.filter",
                f"{register} cannot be filtered by {name!r} (allowed: {', '.join(allowed)})",
            )
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v not in allowed[name]:
                raise reader.fail(f"{where}.filter", f"{name} {v!r} is not one of {allowed[name]}")
        clean_filter[name] = value
    scale = reader.number(data, "scale", where, required=False, column=(12, 8)) or Decimal(1)
    if scale <= 0:
        raise reader.fail(where, "'scale' must be above zero")
    return {
        "source_kind": kind,
        "source_register": register,
        "source_field": summed,
        "source_filter": clean_filter,
        "source_scale": scale,
    }


def _parse_enterprises(reader: _Reader, raw: Any, item_keys: set[str]) -> list[EnterpriseSpec]:
    if not isinstance(raw, list):
        raise reader.fail("enterprises", "must be a list")
    result, seen = [], set()
    for index, entry_raw in enumerate(raw):
        data = reader.mapping(entry_raw, f"enterprises[{index}]")
        key = reader.text(data, "key", f"enterprises[{index}]", max_len=64)
        entry = f"enterprises[{key}]"
        reader.only(data, {"key", "name_zh", "name_en", "city", "sector", "named_in"}, entry)
        if key in seen:
            raise reader.fail(entry, "this key is used twice")
        seen.add(key)
        named_in = reader.codes(data, "named_in", entry)
        for item_key in named_in:
            if item_key not in item_keys:
                raise reader.fail(entry, f"'named_in' names unknown item {item_key!r}")
        result.append(
            EnterpriseSpec(
                key,
                {
                    "name_zh": reader.text(data, "name_zh", entry, max_len=200),
                    "name_en": reader.text(data, "name_en", entry, max_len=200),
                    "city": reader.choice(data, "city", City.values, entry),
                    "sector": reader.choice(
                        data, "sector", ["", *Sector.values], entry, default=""
                    ),
                },
                named_in,
            )
        )
    return result


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


def _versioned(model: type[models.Model]) -> bool:
    """Rows with an optimistic-locking version (targets, enterprises): a reload that changes one
    bumps it, so an API client holding the old version is refused (412) instead of overwriting
    the plan file's change."""
    return any(f.name == "version" for f in model._meta.concrete_fields)


class _Writer:
    def __init__(self, report: LoadReport, units: dict[int, ResponsibleUnit], acting_user=None):
        self.report, self.acting_user = report, acting_user
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
        if not _versioned(type(obj)) or (type(obj), obj.pk) in self.created:
            return {}
        obj.version += 1
        obj.save(update_fields=["version"])
        return {"before": {"version": obj.version - 1}, "after": {"version": obj.version}}

    def upsert(self, model: type[models.Model], lookup: dict, values: dict) -> models.Model:
        """Create the object, or update just the fields that differ; audit either."""
        name = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model.objects.create(**lookup, **values)
            # Audit the values as stored (10 as 10.0000), as every later event will show them.
            obj.refresh_from_db()
            self.created.add((model, obj.pk))
            self.changed.append(obj)
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
            written = differing + (["version"] if _versioned(model) else [])
            before = snapshot(obj, written)
            moved = self.moved.get((model, obj.pk), {})
            before.update({k: v for k, v in moved.items() if k in before})
            for k in differing:
                setattr(obj, k, values[k])
            if _versioned(model):
                obj.version += 1
            obj.save(update_fields=written)
            obj.refresh_from_db(fields=written)
            after = snapshot(obj, written)
            if before != after:  # not just put back where it was before the load
                self.report.count(self.report.updated, str(name))
                self.changed.append(obj)
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

    def sync_m2m(self, owner, attr: str, wanted: list[models.Model]) -> None:
        manager = getattr(owner, attr)
        have = set(manager.values_list("pk", flat=True))
        want = {o.pk for o in wanted}
        if have != want:
            manager.set(wanted)
            self.report.count(self.report.updated, attr)
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


def load_plan(spec: PlanSpec, acting_user=None) -> LoadReport:
    """Write a parsed plan. One transaction: all of it or nothing.

    A reload that changes a row of the plan bumps the row's version (targets, enterprises),
    audits it field by field and queues the recompute of the targets it may move once the load
    commits (targets.services.schedule_recompute). Loading the same file again changes nothing
    and records nothing.
    """
    report = LoadReport()
    with transaction.atomic():
        plan_values = dict(spec.plan)
        code = plan_values.pop("code")
        writer = _Writer(report, {u.pk: u for u in ResponsibleUnit.objects.all()}, acting_user)
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
        schedule_recompute(writer.targets_to_recompute(plan))
    return report
