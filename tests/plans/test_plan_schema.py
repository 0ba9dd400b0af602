"""The published JSON Schema of the plan file (plans/plan_file.schema.json, docs/plan-file.md).

It is a valid 2020-12 schema, the plan file validates against it with plain `jsonschema` as
the docs say, and its choices are the apps' choices, so the file and the models cannot drift.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from jsonschema import Draft202012Validator

from enterprises.choices import Tier
from enterprises.models import Enterprise
from plans.choices import ItemKind, UnitKind
from plans.planfile import SCHEMA_FILE, read_plan_yaml
from projects.choices import ProjectKind, ProjectLevel, ProjectStatus
from projects.models import Project
from targets.choices import Comparator, GrowthModel, Register, SourceKind
from tests.plans.dbstate import PLAN_FILE
from zjai.choices import City, Sector

SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
DEFS = SCHEMA["$defs"]
SOURCE_RULES = DEFS["source"]["allOf"]


def filter_fields(register: str) -> dict[str, list[str]]:
    """A register's filter fields in the schema, with the values each accepts."""
    rule = next(
        rule
        for rule in SOURCE_RULES
        if rule["if"]["properties"].get("register", {}).get("const") == register
    )
    fields = rule["then"]["properties"]["filter"]["properties"]
    return {
        name: DEFS[spec["anyOf"][0]["$ref"].rsplit("/", 1)[-1]]["enum"]
        for name, spec in fields.items()
    }


def test_the_schema_is_a_valid_2020_12_schema():
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(SCHEMA)


def test_the_plan_file_validates_with_plain_jsonschema():
    # As docs/plan-file.md says: YAML read with dates as text, the schema's formats checked.
    data = read_plan_yaml(PLAN_FILE)
    validator = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [error.message for error in validator.iter_errors(data)] == []


def test_the_command_line_check_names_the_file_and_what_it_holds(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text(PLAN_FILE.read_text(encoding="utf-8").replace("schema: 1", "schema: 2"))
    result = subprocess.run(
        [sys.executable, "-m", "plans.planfile", str(PLAN_FILE), str(broken)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{PLAN_FILE}: valid: 33 units, 98 items, 15 targets, 8 named enterprises",
        f"{broken}: schema: expected schema 1, found 2",
    ]


@pytest.mark.parametrize(
    ("schema_enum", "choices"),
    [
        (DEFS["unit"]["properties"]["kind"]["enum"], UnitKind.values),
        (DEFS["item"]["properties"]["kind"]["enum"], ItemKind.values),
        (DEFS["target"]["properties"]["comparator"]["enum"], Comparator.values),
        (DEFS["target"]["properties"]["growth_model"]["enum"], GrowthModel.values),
        (DEFS["target"]["properties"]["scope"]["enum"], ["province", *City.values]),
        (DEFS["source"]["properties"]["kind"]["enum"], SourceKind.values),
        (DEFS["source"]["properties"]["register"]["enum"], Register.values),
        (DEFS["city"]["enum"], City.values),
        (DEFS["optional_city"]["enum"], [None, *City.values]),
        (DEFS["sector"]["enum"], Sector.values),
        (DEFS["enterprise"]["properties"]["sector"]["enum"], [None, *Sector.values]),
        (DEFS["tier"]["enum"], Tier.values),
        (DEFS["project_kind"]["enum"], ProjectKind.values),
        (DEFS["project_level"]["enum"], ProjectLevel.values),
        (DEFS["project_status"]["enum"], ProjectStatus.values),
    ],
)
def test_the_schema_lists_the_apps_choices(schema_enum, choices):
    assert schema_enum == choices


def test_filters_name_fields_of_their_register():
    for register, model in [(Register.ENTERPRISES, Enterprise), (Register.PROJECTS, Project)]:
        for name, values in filter_fields(register).items():
            assert [c[0] for c in model._meta.get_field(name).choices] == values, name


def test_a_sum_adds_a_number_field_of_the_projects():
    for name in DEFS["source"]["properties"]["field"]["enum"]:
        assert Project._meta.get_field(name).get_internal_type() == "DecimalField", name
