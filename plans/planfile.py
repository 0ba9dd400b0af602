"""Reads a plan file (docs/plan-file.md) and validates it into plain dataclasses.

Two passes. The JSON Schema `plans/plan_file.schema.json` checks the shape of the file: its
fields, their types, the choices and the dates. Then `_SpecBuilder` checks what a schema cannot
state (codes and keys unique in the file, every unit, item and target named exists, dates in
order, compound growth from a baseline and to a target above zero, numbers that fit their
columns) while it builds the `PlanSpec`. Either pass stops at the first problem with a
`PlanFileError`: one line naming the file, the entry and the problem.

Nothing here touches the database or Django: `python -m plans.planfile FILE...` checks files.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import sys
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, cast

import yaml
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

SCHEMA_FILE = Path(__file__).with_name("plan_file.schema.json")

# The (max_digits, decimal_places) of the columns the numbers go into: targets.models's fields
# (tests/plans/test_loader_errors.py checks that they agree). At most 15 digits in all, what
# both databases keep exactly (zjai/decimals.py).
TARGET_VALUE_COLUMN = (15, 4)
WEIGHT_COLUMN = (6, 3)
SCALE_COLUMN = (12, 8)
# A plan file without `reporting:` gets the Plan model's defaults (plans.models.Plan:
# reporting_frequency, report_due_days; tests/plans/test_reporting_section.py checks that
# they agree).
# The keys of a target's `metadata:` mapping, which are the Target's fields of the same names
# (targets.models.METADATA_FIELDS; tests/plans/test_target_metadata.py checks that they agree).
METADATA_KEYS = (
    "definition_zh",
    "definition_en",
    "computation_zh",
    "computation_en",
    "data_source_zh",
    "data_source_en",
    "limitations_zh",
    "limitations_en",
)
DEFAULT_REPORTING_FREQUENCY = "quarterly"
DEFAULT_REPORT_DUE_DAYS = 15


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
    # "PLAN-CODE:TARGET-CODE" of the target it continues in an earlier plan, or "".
    predecessor: str = ""


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
    path: str = ""  # the file, for the loader's errors


def parse_plan_file(path: Path | str) -> PlanSpec:
    path = Path(path)
    data = read_plan_yaml(path)
    error = best_match(plan_file_validator().iter_errors(data))
    if error is not None:
        raise PlanFileError(path, *describe(error, data))
    return _SpecBuilder(path).plan_spec(data)


# --- reading ---------------------------------------------------------------------------------


class _PlanYamlLoader(yaml.SafeLoader):
    """Safe YAML in which unquoted dates stay text, as the schema expects (YYYY-MM-DD).

    PyYAML turns `2022-12-31` into a date itself and raises a bare ValueError for an impossible
    one (`2022-02-30`), which would escape as a traceback naming neither the entry nor the
    file; kept as text, the schema checks it and names the entry.
    """


_PlanYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_plan_yaml(path: Path | str) -> Any:
    """The file's data, its dates kept as text; a file that is not YAML is a PlanFileError."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_PlanYamlLoader)  # a SafeLoader
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


# --- the schema's errors, as one line naming the entry ----------------------------------------


@functools.cache
def plan_file_validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# The lists whose entries have a name of their own: list in the file → (label, naming field).
ENTRY_LISTS = {
    "units": ("units", "code"),
    "items": ("items", "key"),
    "children": ("items", "key"),
    "targets": ("targets", "code"),
    "enterprises": ("enterprises", "key"),
}
TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "text",
    "number": "a number",
    "boolean": "true or false",
}
# Keywords about a mapping's own keys: the mapping is the entry, not a field of its parent.
KEY_KEYWORDS = {"required", "additionalProperties"}


def describe(error: ValidationError, data: Any) -> tuple[str, str]:
    """(entry, problem) for a schema error: `targets[ent-leading]`, `'value' must be …`."""
    while error.context:  # anyOf (a filter's value or list of values): the branch that came closest
        error = min(error.context, key=lambda e: (e.validator == "type", -len(e.absolute_path)))
    path = list(error.absolute_path)
    entry, name = locate(data, path)
    if error.validator in KEY_KEYWORDS and name is not None:
        entry, name = f"{entry}.{name}", None
    return entry, _problem(error, entry, name, _at(data, path[:-1]))


def locate(data: Any, path: list[str | int]) -> tuple[str, str | None]:
    """The entry a path is in (`items[II.1]`, `targets[x].source`) and the field it names."""
    entry, node, tokens = "file", data, list(path)
    while tokens:
        token = tokens.pop(0)
        node = node[token]
        if token in ENTRY_LISTS and tokens and isinstance(tokens[0], int):
            index = tokens.pop(0)
            node = node[index]
            label, naming_field = ENTRY_LISTS[token]
            name = node.get(naming_field) if isinstance(node, dict) else None
            if isinstance(name, str) and name:
                entry = f"{label}[{name}]"
            else:
                entry = f"{token}[{index}]" if entry == "file" else f"{entry}.{token}[{index}]"
        elif entry == "file":  # a top-level field is an entry of its own: schema, plan, units
            entry = str(token)
        elif tokens and isinstance(node, dict):  # a mapping inside an entry: source, baseline
            entry = f"{entry}.{token}"
        else:
            return entry, str(token)
    return entry, None


def _at(data: Any, path: list[str | int]) -> Any:
    for token in path:
        data = data[token]
    return data


def _problem(error: ValidationError, entry: str, name: str | None, parent: Any) -> str:
    # Set on every error a validator reports (only an error made by hand has them unset).
    keyword = cast(str, error.validator)
    value, expected = cast(Any, error.instance), cast(Any, error.validator_value)
    schema = error.schema if isinstance(error.schema, dict) else {}
    kind = schema.get("title")
    if keyword == "required":
        missing = [key for key in expected if key not in value]
        return f"'{missing[0]}' is required"
    if keyword == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        unknown = [key for key in value if key not in allowed]
        if entry.endswith(".filter"):
            return (
                f"{parent.get('register')} cannot be filtered by {unknown[0]!r} "
                f"(allowed: {', '.join(allowed)})"
            )
        return f"unknown field(s): {', '.join(sorted(unknown))}"
    if name is None:  # the entry itself is wrong
        if keyword == "const":
            return f"expected {entry} {json.dumps(expected)}, found {value!r}"
        if keyword == "minItems":
            return f"a non-empty list of {entry} is required"
        if keyword == "type":
            return f"expected {_words(expected)}, found {type(value).__name__}"
        return " ".join(error.message.split())
    what = f"'{name}'"
    if value is None and keyword in ("type", "enum", "pattern"):
        return f"{what} is required"
    if kind == "date" and keyword in ("type", "format"):
        return f"{what} is not a date (YYYY-MM-DD): {value!r}"
    if keyword in ("minimum", "exclusiveMinimum") or (kind == "number" and keyword == "pattern"):
        # The bounds of a number written as text are in its pattern: say which it breaks.
        return _broken_bound(what, schema, value) or f"{what} must be a number, found {value!r}"
    if kind == "number" and keyword == "type":
        return f"{what} must be a number, found {value!r}"
    if kind == "slug" and keyword == "pattern":
        return f"{what} must be a lowercase slug, found {value!r}"
    if kind == "text" and keyword == "pattern":
        return f"{what} is required"  # only blanks
    if keyword == "maxLength":
        return f"{what} is longer than {expected} characters"
    if keyword == "enum":
        choices = ", ".join(str(choice) for choice in expected if choice is not None)
        return f"{what} must be one of {choices}; found {value!r}"
    if keyword == "uniqueItems":
        return f"{what} names the same code twice"
    if keyword == "minItems":
        return f"{what} must not be an empty list"
    if keyword == "type":
        if isinstance(error.absolute_path[-1], int):  # a value in a list
            return f"{what} must list only {_words(expected)}, found {value!r}"
        return f"{what} must be {_words(expected)}, found {value!r}"
    if keyword == "not" and isinstance(parent, dict) and "kind" in parent:  # {"not": {}}
        return f"a {parent['kind']} source takes no {what}"
    return f"{what}: {' '.join(error.message.split())}"


def _words(types: str | list[str]) -> str:
    listed = [types] if isinstance(types, str) else [t for t in types if t != "null"]
    return " or ".join(TYPE_WORDS.get(t, t) for t in listed)


def _broken_bound(what: str, schema: dict[str, Any], value: Any) -> str | None:
    """The problem with a number below the schema's bound (all bounds are zero), if it is one."""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    if "exclusiveMinimum" in schema and number <= 0:
        return f"{what} must be above zero, found {value!r}"
    if "minimum" in schema and number < 0:
        return f"{what} cannot be negative, found {value!r}"
    return None


# --- what a schema cannot state, while building the spec ---------------------------------------


def _text(value: str | None) -> str:
    """Text as stored: folded onto one line when the file wraps it."""
    if not value:
        return ""
    return " ".join(value.split()) if "\n" in value else value.strip()


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class _SpecBuilder:
    """Builds a `PlanSpec` from a file that passed the schema; every error names the file."""

    def __init__(self, path: Path):
        self.path = path
        self.unit_codes: set[str] = set()
        self.items: list[ItemSpec] = []
        self.targets: list[TargetSpec] = []

    def fail(self, entry: str, problem: str) -> PlanFileError:
        return PlanFileError(self.path, entry, problem)

    def plan_spec(self, data: dict[str, Any]) -> PlanSpec:
        plan = self.plan(data["plan"])
        plan.update(self.reporting(data.get("reporting") or {}))
        units = self.units(data["units"])
        self.unit_codes = {unit.code for unit in units}
        self.add_items(data["items"], None, 0, plan)
        target_codes = {target.code for target in self.targets}
        for item in self.items:
            for code in item.restates:
                if code not in target_codes:
                    raise self.fail(f"items[{item.key}]", f"restates unknown target {code!r}")
        enterprises = self.enterprises(data.get("enterprises") or [])
        return PlanSpec(plan, units, self.items, self.targets, enterprises, str(self.path))

    def number(
        self, data: dict[str, Any], name: str, entry: str, column: tuple[int, int]
    ) -> Decimal | None:
        """A number that fits its column: `column` is the (max_digits, decimal_places) of it."""
        value = data.get(name)
        if value is None:
            return None
        number = Decimal(str(value))
        if not number.is_finite():  # YAML's .inf and .nan pass the schema's type "number"
            raise self.fail(entry, f"'{name}' must be a finite number, found {value!r}")
        # A number the column cannot hold would fail at write time (too large) or be rounded
        # on the way in and then differ from the file at every later load (too precise).
        max_digits, places = column
        # A finite number's exponent is an int ('n', 'N', 'F' mark NaN and infinity).
        if number != 0 and cast(int, number.normalize().as_tuple().exponent) < -places:
            raise self.fail(
                entry, f"'{name}' has more than {places} decimal places, found {value!r}"
            )
        largest = Decimal(10) ** (max_digits - places) - Decimal(1).scaleb(-places)
        if abs(number) > largest:
            raise self.fail(
                entry,
                f"'{name}' is out of range (from {-largest:f} to {largest:f}), found {value!r}",
            )
        return number

    def plan(self, data: dict[str, Any]) -> dict[str, Any]:
        plan = {
            "code": data["code"],
            "title_zh": _text(data["title_zh"]),
            "title_en": _text(data["title_en"]),
            "issuer_zh": _text(data.get("issuer_zh")),
            "issuer_en": _text(data.get("issuer_en")),
            "document_number": _text(data.get("document_number")),
            "issued_on": _date(data.get("issued_on")),
            "period_start": _date(data["period_start"]),
            "period_end": _date(data["period_end"]),
            "is_draft": data.get("draft", False),
            "source_note": _text(data.get("source")),
            "coverage_note": _text(data.get("coverage")),
        }
        if plan["period_end"] <= plan["period_start"]:
            raise self.fail("plan", "'period_end' must be after 'period_start'")
        return plan

    def reporting(self, data: dict[str, Any]) -> dict[str, Any]:
        """The plan's task reporting period and due days; what the file leaves out is the
        default, so a reload of a file that drops the section resets the plan."""
        due_days = data.get("due_days")
        return {
            "reporting_frequency": data.get("frequency") or DEFAULT_REPORTING_FREQUENCY,
            "report_due_days": DEFAULT_REPORT_DUE_DAYS if due_days is None else due_days,
        }

    def units(self, entries: list[dict[str, Any]]) -> list[UnitSpec]:
        units: list[UnitSpec] = []
        spellings: dict[str, str] = {}
        for data in entries:
            code = data["code"]
            entry = f"units[{code}]"
            if any(unit.code == code for unit in units):
                raise self.fail(entry, "this code is used twice")
            unit = UnitSpec(
                code=code,
                name_zh=_text(data["name_zh"]),
                name_en=_text(data["name_en"]),
                kind=data["kind"],
                city=data.get("city") or "",
                aliases=data.get("aliases") or [],
            )
            for spelling in [unit.name_en, *unit.aliases]:
                other = spellings.setdefault(spelling.casefold(), code)
                if other != code:
                    raise self.fail(entry, f"the name {spelling!r} is also unit {other!r}")
            units.append(unit)
        return units

    def known_units(self, codes: list[str], entry: str) -> list[str]:
        for code in codes:
            if code not in self.unit_codes:
                raise self.fail(entry, f"unknown unit {code!r}")
        return codes

    def add_items(
        self, entries: list[dict[str, Any]], parent_key: str | None, depth: int, plan: dict
    ) -> None:
        for data in entries:
            key = _text(data["key"])
            entry = f"items[{key}]"
            if any(item.key == key for item in self.items):
                raise self.fail(entry, "this key is used twice")
            values = {
                "kind": data["kind"],
                "number": _text(data.get("number")),
                "title_zh": _text(data.get("title_zh")),
                "title_en": _text(data.get("title_en")),
                "text_zh": _text(data.get("text_zh")),
                "text_en": _text(data.get("text_en")),
                "city": data.get("city") or "",
            }
            if not values["title_zh"] and not values["title_en"]:
                raise self.fail(entry, "a title in at least one language is required")
            units = self.known_units(data.get("units") or [], entry)
            item = ItemSpec(
                key,
                parent_key,
                len(self.items) + 1,
                depth,
                values,
                units,
                data.get("restates") or [],
            )
            self.items.append(item)
            for target in data.get("targets") or []:
                self.targets.append(self.target(target, item, plan))
            self.add_items(data.get("children") or [], key, depth + 1, plan)

    def target(self, data: dict[str, Any], item: ItemSpec, plan: dict) -> TargetSpec:
        code = data["code"]
        entry = f"targets[{code}]"
        if any(target.code == code for target in self.targets):
            raise self.fail(entry, "this code is used twice")
        value = self.number(data, "value", entry, column=TARGET_VALUE_COLUMN)
        baseline = data.get("baseline") or {}
        baseline_value = self.number(
            baseline, "value", f"{entry}.baseline", column=TARGET_VALUE_COLUMN
        )
        from_predecessor = data.get("baseline_from") == "predecessor"
        if from_predecessor and not data.get("predecessor"):
            raise self.fail(entry, "'baseline_from: predecessor' needs a 'predecessor'")
        if from_predecessor and data.get("baseline"):
            raise self.fail(entry, "give either 'baseline' or 'baseline_from', not both")
        growth = data.get("growth_model") or "linear"
        # Growth rates compare ratios of values: from or to zero or below there is none.
        if growth == "compound" and not (baseline_value and baseline_value > 0):
            raise self.fail(entry, "compound growth needs a baseline value above zero")
        if growth == "compound" and not (value and value > 0):
            raise self.fail(
                entry, f"compound growth needs a target value above zero; found {value}"
            )
        deadline = _date(data.get("deadline")) or plan["period_end"]
        if deadline < plan["period_start"]:
            raise self.fail(entry, "'deadline' is before the plan's period starts")
        units = self.known_units(data.get("units") or list(item.units), entry)
        weight = self.number(data, "weight", entry, column=WEIGHT_COLUMN)
        values = {
            "title_zh": _text(data["title_zh"]),
            "title_en": _text(data["title_en"]),
            "quote": _text(data["quote"]),
            "unit_of_measure": _text(data["unit_of_measure"]),
            "unit_of_measure_en": _text(data["unit_of_measure_en"]),
            "comparator": data["comparator"],
            "target_value": value,
            "baseline_value": baseline_value,
            "baseline_date": _date(baseline.get("date")),
            "baseline_from_predecessor": from_predecessor,
            "deadline": deadline,
            "scope": data.get("scope") or "province",
            "growth_model": growth,
            "headline": data.get("headline", False),
            "weight": weight or Decimal(1),
            **self.source(data["source"], f"{entry}.source", plan),
            # A key the file leaves out is empty: a reload without it clears the text.
            **{name: _text((data.get("metadata") or {}).get(name)) for name in METADATA_KEYS},
        }
        return TargetSpec(code, item.key, values, units, data.get("predecessor") or "")

    def source(self, data: dict[str, Any], entry: str, plan: dict) -> dict[str, Any]:
        scale = self.number(data, "scale", entry, column=SCALE_COLUMN)
        window = data.get("window")
        if window == "plan":
            start, end = plan["period_start"], plan["period_end"]
        elif window:
            start = dt.date.fromisoformat(window["from"])
            end = dt.date.fromisoformat(window["to"])
            if end < start:
                raise self.fail(f"{entry}.window", "'to' must not be before 'from'")
        else:
            start = end = None
        return {
            "window_start": start,
            "window_end": end,
            "source_kind": data["kind"],
            "source_register": data.get("register", ""),
            "source_field": data.get("field", ""),
            "source_filter": data.get("filter") or {},
            "source_scale": scale or Decimal(1),
        }

    def enterprises(self, entries: list[dict[str, Any]]) -> list[EnterpriseSpec]:
        item_keys = {item.key for item in self.items}
        enterprises: list[EnterpriseSpec] = []
        for data in entries:
            key = _text(data["key"])
            entry = f"enterprises[{key}]"
            if any(enterprise.key == key for enterprise in enterprises):
                raise self.fail(entry, "this key is used twice")
            named_in = data.get("named_in") or []
            for item_key in named_in:
                if item_key not in item_keys:
                    raise self.fail(entry, f"'named_in' names unknown item {item_key!r}")
            values = {
                "name_zh": _text(data["name_zh"]),
                "name_en": _text(data["name_en"]),
                "city": data["city"],
                "sector": data.get("sector") or "",
            }
            enterprises.append(EnterpriseSpec(key, values, named_in))
        return enterprises


def main(paths: list[str]) -> int:
    """Check plan files without a database: one line per file."""
    failed = 0
    for path in paths:
        try:
            spec = parse_plan_file(path)
        except PlanFileError as exc:
            print(exc)
            failed += 1
        else:
            print(
                f"{path}: valid: {len(spec.units)} units, {len(spec.items)} items, "
                f"{len(spec.targets)} targets, {len(spec.enterprises)} named enterprises"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
