"""The plan file's `reporting:` section: the plan's task reporting period and due days.

Optional (the model's defaults otherwise), checked by the schema with a clear one-line error,
loaded into the Plan, and reset to the defaults when a later version of the file drops it.
"""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from plans.choices import ReportingFrequency
from plans.models import Plan
from plans.planfile import (
    DEFAULT_REPORT_DUE_DAYS,
    DEFAULT_REPORTING_FREQUENCY,
    PlanFileError,
    parse_plan_file,
)
from tests.plans.dbstate import PLAN_FILE, dump_plan, plan_data
from tests.plans.test_plan_schema import DEFS

PLAN_CODE = "zj-ai-2019-2022"


def write(tmp_path, reporting, name="plan.yaml"):
    data = plan_data()
    if reporting is None:
        data.pop("reporting", None)
    else:
        data["reporting"] = reporting
    path = tmp_path / name
    path.write_text(dump_plan(data), encoding="utf-8")
    return path


def test_the_defaults_are_the_models():
    assert Plan._meta.get_field("reporting_frequency").default == DEFAULT_REPORTING_FREQUENCY
    assert Plan._meta.get_field("report_due_days").default == DEFAULT_REPORT_DUE_DAYS


def test_the_schema_lists_the_frequencies_of_the_model():
    assert DEFS["reporting"]["properties"]["frequency"]["enum"] == ReportingFrequency.values


@pytest.mark.parametrize("path", sorted(PLAN_FILE.parent.glob("*.yaml")), ids=lambda p: p.stem)
def test_the_plan_files_report_quarterly_due_in_15_days(path):
    spec = parse_plan_file(path)
    assert (spec.plan["reporting_frequency"], spec.plan["report_due_days"]) == ("quarterly", 15)


def test_a_file_without_the_section_gets_the_defaults(tmp_path):
    spec = parse_plan_file(write(tmp_path, None))
    assert (spec.plan["reporting_frequency"], spec.plan["report_due_days"]) == ("quarterly", 15)


def test_half_of_the_section_leaves_the_other_half_default(tmp_path):
    spec = parse_plan_file(write(tmp_path, {"due_days": 0}))
    assert (spec.plan["reporting_frequency"], spec.plan["report_due_days"]) == ("quarterly", 0)
    spec = parse_plan_file(write(tmp_path, {"frequency": "yearly"}))
    assert (spec.plan["reporting_frequency"], spec.plan["report_due_days"]) == ("yearly", 15)


@pytest.mark.parametrize(
    ("reporting", "problem"),
    [
        (
            {"frequency": "weekly"},
            "reporting: 'frequency' must be one of monthly, quarterly, half_yearly, yearly; "
            "found 'weekly'",
        ),
        ({"due_days": -1}, "reporting: 'due_days' cannot be negative, found -1"),
        ({"due_days": "ten"}, "reporting: 'due_days' must be integer, found 'ten'"),
        ({"due_days": 400}, "reporting: 'due_days': 400 is greater than the maximum of 366"),
        ({"every": 3}, "reporting: unknown field(s): every"),
        ("monthly", "reporting: expected a mapping, found str"),
    ],
)
def test_a_bad_section_is_one_line_naming_it(tmp_path, reporting, problem):
    path = write(tmp_path, reporting)
    with pytest.raises(PlanFileError) as caught:
        parse_plan_file(path)
    assert str(caught.value) == f"{path}: {problem}"


def test_the_command_stops_on_a_bad_section_and_writes_nothing(db, tmp_path):
    path = write(tmp_path, {"frequency": "fortnightly"})
    with pytest.raises(CommandError, match=r"reporting: 'frequency' must be one of"):
        call_command("load_action_plan", file=str(path), verbosity=0)
    assert not Plan.objects.exists()


def test_the_section_is_loaded_into_the_plan_and_reset_when_dropped(db, tmp_path):
    call_command(
        "load_action_plan",
        file=str(write(tmp_path, {"frequency": "half_yearly", "due_days": 30})),
        verbosity=0,
    )
    plan = Plan.objects.get(code=PLAN_CODE)
    assert (plan.reporting_frequency, plan.report_due_days) == ("half_yearly", 30)
    call_command("load_action_plan", file=str(write(tmp_path, None)), verbosity=0)
    plan.refresh_from_db()
    assert (plan.reporting_frequency, plan.report_due_days) == ("quarterly", 15)
