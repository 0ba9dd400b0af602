"""The project register's rules: what full_clean says and what the database refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from projects.models import Project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def project(**fields) -> Project:
    values = {
        "name_zh": "某智能工厂项目",
        "kind": "smart_factory",
        "level": "provincial",
        "status": "under_construction",
        "city": "ningbo",
        "planned_investment": Decimal("12000.00"),
        "start_date": dt.date(2020, 3, 1),
    }
    return Project(**{**values, **fields})


def errors_of(obj: Project) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        obj.full_clean()
    return raised.value.message_dict


def refused_by_database(obj: Project, constraint: str) -> None:
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        obj.save()
    assert not Project.objects.exists()


def test_a_valid_project_passes_and_saves():
    p = project(status="accepted", accepted_on=dt.date(2021, 6, 30), completed_investment=0)
    p.full_clean()
    p.save()
    assert Project.objects.get().accepted_on == dt.date(2021, 6, 30)


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        ("planned_investment", "project_planned_investment_non_negative"),
        ("completed_investment", "project_completed_investment_non_negative"),
    ],
)
def test_negative_investment_is_rejected(field, constraint):
    p = project(**{field: Decimal("-0.01")})
    # The form and the API name the field; the database refuses it even if they are bypassed.
    assert list(errors_of(p)) == [field]
    assert "greater than or equal to 0" in errors_of(p)[field][0]
    refused_by_database(p, constraint)


def test_accepted_without_an_acceptance_date_is_rejected():
    p = project(status="accepted")
    assert errors_of(p) == {NON_FIELD_ERRORS: ["An accepted project needs its acceptance date."]}
    refused_by_database(p, "project_accepted_has_date")


def test_accepted_before_it_started_is_rejected():
    p = project(status="accepted", accepted_on=dt.date(2020, 2, 29))
    assert errors_of(p) == {NON_FIELD_ERRORS: ["A project cannot be accepted before it starts."]}
    refused_by_database(p, "project_accepted_after_start")


def test_accepted_on_the_day_it_started_is_allowed():
    project(status="accepted", accepted_on=dt.date(2020, 3, 1)).full_clean()


@pytest.mark.parametrize(
    ("field", "value", "constraint"),
    [
        ("kind", "factory", "project_kind_valid"),
        ("level", "county", "project_level_valid"),
        ("status", "abandoned", "project_status_valid"),
        ("city", "shanghai", "project_city_in_zhejiang"),
    ],
)
def test_values_outside_the_choices_are_rejected_on_their_field(field, value, constraint):
    p = project(**{field: value})
    errors = errors_of(p)
    assert list(errors) == [field]
    assert errors[field] == [f"Value '{value}' is not a valid choice."]
    refused_by_database(p, constraint)


@pytest.mark.parametrize("field", ["start_date", "accepted_on"])
@pytest.mark.parametrize("date", [dt.date(1900, 1, 1), dt.date(2202, 1, 1)])
def test_dates_out_of_range_are_rejected_on_their_field(field, date):
    status = "accepted" if field == "accepted_on" else "planned"
    p = project(**{"status": status, field: date})
    assert errors_of(p) == {field: ["Enter a date between 1978-01-01 and 2100-12-31."]}


def test_only_an_accepted_project_has_an_acceptance_date():
    p = project(status="completed", accepted_on=dt.date(2021, 6, 30))
    assert errors_of(p) == {NON_FIELD_ERRORS: ["Only an accepted project has an acceptance date."]}
    refused_by_database(p, "project_only_accepted_has_acceptance_date")


def test_a_project_under_way_needs_its_start_date():
    p = project(status="under_construction", start_date=None)
    assert errors_of(p) == {
        NON_FIELD_ERRORS: ["A project under way or finished needs its start date."]
    }
    refused_by_database(p, "project_started_has_start_date")
    project(status="planned", start_date=None).full_clean()
