"""Targets, figures and progress rows: what full_clean says and what the database refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone, translation

from accounts.models import User
from plans.models import Plan, PlanItem
from targets.models import Measurement, Progress, Target

pytestmark = pytest.mark.django_db
UTC = dt.UTC

SOURCE_INCOMPLETE = "A counted target names its register; a summed one also names the field."
REVIEW_UNRECORDED = "A reviewed figure records who reviewed it and when."


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def item() -> PlanItem:
    plan = Plan.objects.create(
        code="test-plan",
        title_zh="测试计划",
        title_en="Test plan",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )
    return PlanItem.objects.create(
        plan=plan, key="I.1", kind="objective", title_en="An objective", order=1
    )


@pytest.fixture
def people() -> dict[str, User]:
    return {name: User.objects.create_user(username=name) for name in ("reporter", "reviewer")}


def target(item: PlanItem, **fields) -> Target:
    values = {
        "plan": item.plan,
        "item": item,
        "code": "smart-factories",
        "title_zh": "智能工厂",
        "title_en": "Smart factories",
        "unit_of_measure": "个",
        "unit_of_measure_en": "smart factories",
        "comparator": "gte",
        "target_value": Decimal(100),
        "deadline": dt.date(2022, 12, 31),
        "source_kind": "count",
        "source_register": "projects",
        "source_filter": {"kind": "smart_factory", "status": "accepted"},
    }
    return Target(**{**values, **fields})


def figure(t: Target, people, **fields) -> Measurement:
    at = dt.datetime(2021, 7, 1, 10, tzinfo=UTC)
    values = {
        "target": t,
        "value": Decimal(120000),
        "observed_on": dt.date(2021, 6, 30),
        "state": "draft",
        "created_by": people["reporter"],
        "created_at": at,
    }
    return Measurement(**{**values, **fields})


def submitted(people) -> dict:
    at = dt.datetime(2021, 7, 2, 10, tzinfo=UTC)
    return {"submitted_by": people["reporter"], "submitted_at": at}


def reviewed(people) -> dict:
    at = dt.datetime(2021, 7, 3, 10, tzinfo=UTC)
    return {"reviewed_by": people["reviewer"], "reviewed_at": at}


def errors_of(obj: models.Model) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def refused_by_database(obj: models.Model, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        obj.save()


# --- targets ---------------------------------------------------------------------------------


def test_a_complete_target_passes_and_saves(item):
    t = target(item)
    t.full_clean()
    t.save()
    assert Target.objects.get(code="smart-factories").source_register == "projects"


@pytest.mark.parametrize(
    "source",
    [
        {"source_kind": "count", "source_register": ""},
        {"source_kind": "sum", "source_register": "", "source_field": "planned_investment"},
        {"source_kind": "sum", "source_register": "projects", "source_field": ""},
        {"source_kind": "reported", "source_register": "projects"},
    ],
    ids=["count-without-register", "sum-without-register", "sum-without-field", "reported-with"],
)
def test_an_incomplete_source_is_rejected(item, source):
    t = target(item, **source)
    assert errors_of(t) == {NON_FIELD_ERRORS: [SOURCE_INCOMPLETE]}
    refused_by_database(t, "target_source_complete")


def test_a_summed_and_a_reported_target_pass(item):
    target(
        item,
        code="investment",
        source_kind="sum",
        source_register="projects",
        source_field="planned_investment",
        source_scale=Decimal("0.0001"),
    ).full_clean()
    target(item, code="robots", source_kind="reported", source_register="").full_clean()


@pytest.mark.parametrize("baseline", [None, Decimal(0)], ids=["no-baseline", "zero-baseline"])
def test_compound_growth_without_a_baseline_is_rejected(item, baseline):
    t = target(item, growth_model="compound", baseline_value=baseline)
    assert errors_of(t) == {NON_FIELD_ERRORS: ["Compound growth needs a baseline above zero."]}
    refused_by_database(t, "target_compound_needs_baseline")


def test_compound_growth_from_a_baseline_passes(item):
    target(
        item,
        growth_model="compound",
        baseline_value=Decimal(30),
        baseline_date=dt.date(2018, 12, 31),
    ).full_clean()


def test_a_negative_target_value_is_rejected_unless_allowed(item):
    t = target(item, target_value=Decimal(-1))
    assert errors_of(t) == {NON_FIELD_ERRORS: ["The target value cannot be negative."]}
    refused_by_database(t, "target_value_non_negative")
    target(item, target_value=Decimal(-1), allows_negative=True).full_clean()


def test_a_weight_of_zero_is_rejected(item):
    t = target(item, weight=Decimal(0))
    assert errors_of(t) == {NON_FIELD_ERRORS: ["A weight must be positive."]}
    refused_by_database(t, "target_weight_positive")


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [("comparator", "ne", "target_comparator_valid"), ("growth_model", "log", "target_growth")],
)
def test_values_outside_the_choices_are_rejected_on_their_field(item, field, value, constraint):
    t = target(item, **{field: value})
    assert errors_of(t) == {field: [f"Value '{value}' is not a valid choice."]}
    refused_by_database(t, constraint)


def test_a_target_code_is_unique_in_its_plan(item):
    target(item).save()
    assert errors_of(target(item)) == {
        NON_FIELD_ERRORS: ["A target with this code already exists in the plan."]
    }
    refused_by_database(target(item), "target_code_unique_in_plan")


# --- measurements ----------------------------------------------------------------------------


@pytest.fixture
def reported(item) -> Target:
    t = target(
        item, code="robots-in-service", source_kind="reported", source_register="", source_filter={}
    )
    t.save()
    return t


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected"])
def test_a_complete_figure_passes_in_each_state(reported, people, state):
    fields = {"draft": {}, "submitted": submitted(people)}
    fields["approved"] = fields["rejected"] = {**submitted(people), **reviewed(people)}
    m = figure(reported, people, state=state, **fields[state])
    m.full_clean()
    m.save()


def test_a_state_outside_the_choices_is_rejected(reported, people):
    m = figure(reported, people, state="accepted", **submitted(people), **reviewed(people))
    assert errors_of(m) == {"state": ["Value 'accepted' is not a valid choice."]}
    refused_by_database(m, "measurement_state_valid")


@pytest.mark.parametrize("state", ["approved", "rejected"])
@pytest.mark.parametrize("missing", ["reviewed_by", "reviewed_at"])
def test_a_review_without_its_reviewer_is_rejected(reported, people, state, missing):
    review = {**reviewed(people), missing: None}
    m = figure(reported, people, state=state, **submitted(people), **review)
    assert errors_of(m) == {NON_FIELD_ERRORS: [REVIEW_UNRECORDED]}
    refused_by_database(m, "measurement_review_recorded")


def test_a_submission_without_its_time_is_rejected(reported, people):
    m = figure(reported, people, state="submitted", submitted_by=people["reporter"])
    assert errors_of(m) == {NON_FIELD_ERRORS: ["A submitted figure records when it was submitted."]}
    refused_by_database(m, "measurement_submitted_dated")


@pytest.mark.parametrize("day", [dt.date(1900, 1, 1), dt.date(2202, 1, 1)])
def test_a_figure_for_an_absurd_date_is_rejected(reported, people, day):
    assert errors_of(figure(reported, people, observed_on=day)) == {
        "observed_on": ["Enter a date between 1978-01-01 and 2100-12-31."]
    }


# --- progress --------------------------------------------------------------------------------
# Progress rows are computed, never typed in: what matters is what the database refuses.


def progress(t: Target, as_of: dt.date, status: str = "no_data") -> Progress:
    return Progress(target=t, as_of=as_of, status=status, computed_at=timezone.now())


def test_progress_is_unique_per_target_and_date(reported, item):
    day = dt.date(2021, 12, 31)
    progress(reported, day).save()
    with pytest.raises(ValidationError) as raised:
        progress(reported, day).validate_constraints()
    assert raised.value.messages == ["Progress for this target and date exists already."]
    refused_by_database(progress(reported, day), "progress_once_per_target_and_date")
    # Another date, or another target on the same date, is fine.
    progress(reported, day + dt.timedelta(days=1)).save()
    other = target(item, code="other")
    other.save()
    progress(other, day).save()
    assert Progress.objects.filter(as_of=day).count() == 2
    assert Progress.objects.filter(target=reported).count() == 2


def test_a_progress_status_outside_the_choices_is_rejected(reported):
    refused_by_database(progress(reported, dt.date(2021, 12, 31), "great"), "progress_status_valid")
