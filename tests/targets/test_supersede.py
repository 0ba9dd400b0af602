"""One approved figure per target and date (issue 13, part 4), through the services and the
review page: approving a figure for a date that already has an approved one supersedes it only
when the reviewer confirms it, having seen its value; the old figure is marked superseded, stops
counting from then on (reports as of earlier dates keep it) and gets an audit event naming the
new one. The API's answers are in tests/api/test_supersede.py."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Measurement, Target
from targets.values import counted_figures
from tests.web import client_for
from zjai.exceptions import ConflictError

DAY = dt.date(2021, 6, 30)


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    return {
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "reviewer2": make_user("reviewer2", "reviewer", econ),
    }


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def submitted(robots, people, value):
    figure = services.create_measurement(
        target=robots, value=value, observed_on=DAY, acting_user=people["staff"]
    )
    return services.submit_measurement(figure, acting_user=people["staff"])


def approved(robots, people, value):
    return services.approve_measurement(
        submitted(robots, people, value), acting_user=people["reviewer"]
    )


def events_of(figure) -> list[tuple[str, str]]:
    return list(
        AuditEvent.objects.filter(object_type="targets.measurement", object_id=str(figure.pk))
        .order_by("seq")
        .values_list("action", "reason")
    )


def test_a_second_approval_for_the_same_date_is_refused_without_confirmation(people, robots):
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    with pytest.raises(ConflictError, match=rf"#{first.pk} \(142000\)"):
        services.approve_measurement(second, acting_user=people["reviewer"])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("approved", "submitted")
    assert [action for action, _reason in events_of(first)] == ["create", "submit", "approve"]


def test_a_confirmed_approval_supersedes_the_old_figure_audited(people, robots):
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    services.approve_measurement(second, acting_user=people["reviewer"], supersede=first.pk)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == ("superseded", "approved")
    assert first.superseded_by == second and first.superseded_at == second.reviewed_at
    action, reason = events_of(first)[-1]
    assert action == "supersede" and f"#{second.pk}" in reason and "151000" in reason
    event = AuditEvent.objects.filter(object_id=str(first.pk)).order_by("seq").last()
    assert event.after["superseded_by"] == second.pk and event.after["state"] == "superseded"
    # Now only the new figure counts; a report as of a date before it was approved (the
    # approvals here are today) keeps counting what counted then.
    today = timezone.localdate()
    assert list(counted_figures(today).filter(target=robots)) == [second]
    Measurement.objects.filter(pk=first.pk).update(reviewed_at=timezone.now() - dt.timedelta(3))
    yesterday = today - dt.timedelta(1)
    assert list(counted_figures(yesterday).filter(target=robots)) == [first]


def test_a_confirmation_naming_another_figure_is_refused(people, robots):
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    with pytest.raises(ConflictError, match=rf"#{first.pk} \(142000\)"):
        services.approve_measurement(
            second, acting_user=people["reviewer"], supersede=first.pk + 1000
        )
    assert Measurement.objects.get(pk=first.pk).state == "approved"


def test_the_database_keeps_one_approved_figure_per_date(people, robots):
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measurement.objects.filter(pk=second.pk).update(
            state="approved", reviewed_at=timezone.now(), reviewed_by=people["reviewer"]
        )
    assert Measurement.objects.filter(target=robots, state="approved").get() == first


def test_the_review_page_shows_the_value_replaced_and_requires_confirming(people, robots):
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    reviewer = client_for(people["reviewer2"])
    page = reviewer.get(f"/figures/{second.pk}/review/").content.decode()
    assert "142,000" in page and 'name="supersede"' in page
    assert f'name="replaces" value="{first.pk}"' in page

    refused = reviewer.post(
        f"/figures/{second.pk}/review/",
        {"approve": "1", "version": second.version, "replaces": first.pk},
    )
    assert refused.status_code == 400
    assert "142,000" in refused.content.decode()
    assert Measurement.objects.get(pk=first.pk).state == "approved"
    assert Measurement.objects.get(pk=second.pk).state == "submitted"

    done = reviewer.post(
        f"/figures/{second.pk}/review/",
        {"approve": "1", "version": second.version, "replaces": first.pk, "supersede": "on"},
    )
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.state == "superseded" and first.superseded_by_id == second.pk
    assert Measurement.objects.get(pk=second.pk).value == Decimal("151000")


def test_a_figure_approved_meanwhile_is_not_replaced_unseen(people, robots):
    """The reviewer confirmed replacing one figure; another was approved for the date before
    the post arrived: refused, naming the one now approved."""
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    third = submitted(robots, people, "160000")
    services.approve_measurement(third, acting_user=people["reviewer"], supersede=True)
    reviewer = client_for(people["reviewer2"])
    refused = reviewer.post(
        f"/figures/{second.pk}/review/",
        {"approve": "1", "version": second.version, "replaces": first.pk, "supersede": "on"},
    )
    assert refused.status_code == 409
    assert f"#{third.pk}" in refused.content.decode()
    assert Measurement.objects.get(pk=second.pk).state == "submitted"


def test_rejecting_needs_no_confirmation(people, robots):
    approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    done = client_for(people["reviewer2"]).post(
        f"/figures/{second.pk}/review/",
        {"reject": "1", "version": second.version, "comment": "偏高"},
    )
    assert done.status_code == 302
    assert Measurement.objects.get(pk=second.pk).state == "rejected"


def test_the_migration_supersedes_stored_duplicates_keeping_the_latest(people, robots):
    """targets 0009's data fix, on duplicates as they were stored before the constraint (the
    index is dropped inside the test's transaction, which rolls it back)."""
    from django.apps import apps
    from django.db import connection

    fix = importlib.import_module("targets.migrations.0011_superseded_figures")
    first = approved(robots, people, "142000")
    second = submitted(robots, people, "151000")
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX measurement_one_approved_per_date")
    later = timezone.now() + dt.timedelta(hours=1)
    Measurement.objects.filter(pk=second.pk).update(
        state="approved", reviewed_at=later, reviewed_by=people["reviewer"]
    )
    fix.supersede_duplicates(apps, None)
    first.refresh_from_db()
    assert first.state == "superseded" and first.superseded_by_id == second.pk
    assert first.superseded_at == later
    assert Measurement.objects.get(pk=second.pk).state == "approved"
