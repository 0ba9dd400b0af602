"""Four eyes on figures and who changes a draft (issue 12, finding 1), through the services.

Whoever created, edited (any field, in any round, before or after a rejection) or submitted a
figure never approves or rejects it, administrators included; a figure belongs to the unit that
reported it, and another unit responsible for the same target does not change or submit it. A
change that changes nothing records nothing; a right is checked before the version. The API's
and the pages' answers to the same attacks are in tests/api/test_four_eyes.py and
test_four_eyes_pages.py.
"""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Measurement, MeasurementEditor, Target
from targets.rules import FigureRules
from zjai.exceptions import ConflictError

DAY = dt.date(2021, 6, 30)


@pytest.fixture
def units(plan):
    return {
        code: ResponsibleUnit.objects.get(code=code)
        for code in ("econ-it", "sci-tech", "talent-office")
    }


@pytest.fixture
def people(units, make_user):
    econ, sci = units["econ-it"], units["sci-tech"]
    return {
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "reviewer2": make_user("reviewer2", "reviewer", econ),
        "staff_sci": make_user("staff_sci", "staff", sci),
        "reviewer_sci": make_user("reviewer_sci", "reviewer", sci),
        "admin": make_user("admin", "admin", econ),
        "admin_talent": make_user("admin_talent", "admin", units["talent-office"]),
    }


@pytest.fixture
def robots(units, people):
    """Robots in service: led by econ-it, with sci-tech taking part."""
    return services.set_target_units(
        Target.objects.get(code="robots-in-service"),
        links=[(units["econ-it"], True), (units["sci-tech"], False)],
        acting_user=people["admin"],
        reason="sci-tech takes part",
    )


def draft(robots, who, value="100"):
    return services.create_measurement(
        target=robots, value=value, observed_on=DAY, note="季报", acting_user=who
    )


def events_of(figure) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="targets.measurement", object_id=str(figure.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


def editors_of(figure) -> set[str]:
    return set(
        MeasurementEditor.objects.filter(measurement=figure).values_list(
            "user__username", flat=True
        )
    )


# --- four eyes ---------------------------------------------------------------------------------


def test_a_reviewer_who_changed_the_value_cannot_approve_it(people, robots):
    """The attack: staff report 100, the lead unit's reviewer changes it to 149999, staff
    submit, the same reviewer approves. Refused; a second reviewer may approve."""
    figure = draft(robots, people["staff"])
    figure = services.update_measurement(figure, acting_user=people["reviewer"], value="149999")
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    assert editors_of(figure) == {"staff", "reviewer"}
    for review in (
        lambda: services.approve_measurement(figure, acting_user=people["reviewer"]),
        lambda: services.reject_measurement(figure, acting_user=people["reviewer"], comment="x"),
    ):
        with pytest.raises(PermissionDenied, match="you created, edited or submitted"):
            review()
    figure.refresh_from_db()
    assert figure.state == "submitted" and figure.version == 3
    assert events_of(figure) == ["create", "update", "submit"]

    approved = services.approve_measurement(figure, acting_user=people["reviewer2"])
    assert approved.state == "approved" and approved.value == Decimal("149999")


def test_an_edit_before_a_rejection_still_counts(people, robots):
    figure = draft(robots, people["staff"])
    services.update_measurement(figure, acting_user=people["reviewer"], note="改了来源")
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    figure = services.reject_measurement(figure, acting_user=people["reviewer2"], comment="来源?")
    figure = services.update_measurement(figure, acting_user=people["staff"], value="101")
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["reviewer"])
    # The reviewer who rejected it changed nothing: they may review the next round.
    assert services.approve_measurement(figure, acting_user=people["reviewer2"]).state == "approved"


def test_an_edit_after_a_rejection_bars_the_reviewer_who_made_it(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    figure = services.reject_measurement(figure, acting_user=people["reviewer"], comment="太低")
    figure = services.update_measurement(figure, acting_user=people["reviewer"], value="149999")
    assert figure.state == "draft"
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["reviewer"])
    assert not FigureRules(people["reviewer"]).to_review(Measurement.objects.all()).exists()
    assert list(FigureRules(people["reviewer2"]).to_review(Measurement.objects.all())) == [figure]


def test_an_administrator_who_edited_a_figure_cannot_review_it(people, robots):
    figure = draft(robots, people["staff"])
    services.update_measurement(figure, acting_user=people["admin"], value="120")
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["admin"])
    assert not FigureRules(people["admin"]).to_review(Measurement.objects.all()).exists()


def test_a_reviewer_who_submitted_a_figure_cannot_review_it(people, robots):
    figure = draft(robots, people["staff"])
    figure = services.submit_measurement(figure, acting_user=people["reviewer"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["reviewer"])


# --- the owning unit ---------------------------------------------------------------------------


def test_a_figure_belongs_to_the_unit_that_reported_it(people, robots, units):
    assert draft(robots, people["staff"]).unit == units["econ-it"]
    assert draft(robots, people["staff_sci"]).unit == units["sci-tech"]
    assert draft(robots, people["admin"]).unit == units["econ-it"]  # responsible for it
    # An administrator of a unit that is not responsible reports for the lead unit.
    assert draft(robots, people["admin_talent"]).unit == units["econ-it"]
    created = AuditEvent.objects.filter(action="create", object_type="targets.measurement")
    assert {event.after["unit"] for event in created} == {
        units["econ-it"].pk,
        units["sci-tech"].pk,
    }


def test_another_responsible_unit_cannot_change_or_submit_a_draft(people, robots):
    figure = draft(robots, people["staff"])
    for who in ("staff_sci", "reviewer_sci"):
        with pytest.raises(PermissionDenied, match="another unit"):
            services.update_measurement(figure, acting_user=people[who], value="5")
        with pytest.raises(PermissionDenied, match="another unit"):
            services.submit_measurement(figure, acting_user=people[who])
        with pytest.raises(PermissionDenied):
            services.revise_measurement(figure, acting_user=people[who], value="5", submit=True)
    figure.refresh_from_db()
    assert (figure.state, figure.value, figure.version) == ("draft", Decimal("100"), 1)
    assert events_of(figure) == ["create"]
    sci = FigureRules(people["staff_sci"])
    assert sci.actions(figure)["edit"] is False and sci.actions(figure)["submit"] is False
    assert not sci.to_report(Measurement.objects.all(), among=[robots.pk]).exists()
    # Their own draft they change and submit.
    own = draft(robots, people["staff_sci"])
    own = services.update_measurement(own, acting_user=people["staff_sci"], value="7")
    assert services.submit_measurement(own, acting_user=people["staff_sci"]).state == "submitted"


def test_another_responsible_unit_cannot_change_a_rejected_figure(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    figure = services.reject_measurement(figure, acting_user=people["reviewer"], comment="来源?")
    with pytest.raises(PermissionDenied):
        services.update_measurement(figure, acting_user=people["staff_sci"], value="5")
    figure.refresh_from_db()
    assert figure.state == "rejected" and figure.value == Decimal("100")


def test_the_lead_units_reviewers_still_review_another_units_figure(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff_sci"]), acting_user=people["staff_sci"]
    )
    assert services.approve_measurement(figure, acting_user=people["reviewer"]).state == "approved"


def test_an_administrator_changes_any_units_draft(people, robots):
    figure = draft(robots, people["staff_sci"])
    figure = services.update_measurement(figure, acting_user=people["admin_talent"], value="9")
    assert figure.value == Decimal("9") and "admin_talent" in editors_of(figure)


# --- a change that changes nothing; the right before the version --------------------------------


@pytest.mark.parametrize(
    "changes",
    [{}, {"value": "100"}, {"value": "100.0000", "observed_on": DAY, "note": "季报"}],
    ids=["nothing", "same value", "same everything"],
)
def test_a_change_that_changes_nothing_records_nothing(people, robots, changes):
    figure = draft(robots, people["staff"])
    same = services.update_measurement(
        figure, acting_user=people["reviewer"], expected_version=1, **changes
    )
    assert same.version == 1
    figure.refresh_from_db()
    assert figure.version == 1
    assert events_of(figure) == ["create"]
    # Not an edit: the reviewer may still review it.
    assert editors_of(figure) == {"staff"}
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    assert services.approve_measurement(figure, acting_user=people["reviewer"]).state == "approved"


def test_a_rejected_figure_submitted_again_unchanged_goes_through_draft(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    figure = services.reject_measurement(figure, acting_user=people["reviewer"], comment="来源?")
    same = services.update_measurement(figure, acting_user=people["staff"], value="100")
    assert (same.state, same.version) == ("rejected", figure.version)
    again = services.revise_measurement(
        figure, acting_user=people["staff"], value="100", submit=True
    )
    assert again.state == "submitted"
    assert events_of(figure) == ["create", "submit", "reject", "update", "submit"]


@pytest.mark.parametrize(
    "attempt",
    [
        lambda f, p: services.update_measurement(
            f, acting_user=p["staff_sci"], expected_version=99, value="5"
        ),
        lambda f, p: services.submit_measurement(
            f, acting_user=p["staff_sci"], expected_version=99
        ),
    ],
    ids=["update", "submit"],
)
def test_another_unit_with_a_stale_version_is_refused_for_the_right(people, robots, attempt):
    figure = draft(robots, people["staff"])
    with pytest.raises(PermissionDenied):
        attempt(figure, people)


def test_reviews_and_withdrawals_check_the_right_before_the_version(people, robots):
    figure = draft(robots, people["staff"])
    services.update_measurement(figure, acting_user=people["reviewer"], value="2")
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["reviewer"], expected_version=1)
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["reviewer_sci"], expected_version=1)
    approved = services.approve_measurement(figure, acting_user=people["reviewer2"])
    with pytest.raises(PermissionDenied):
        services.withdraw_measurement(
            approved, acting_user=people["reviewer_sci"], reason="x", expected_version=1
        )
    with pytest.raises(ConflictError):  # the right is there: then the version decides
        services.withdraw_measurement(
            approved, acting_user=people["reviewer"], reason="x", expected_version=1
        )


def test_a_target_change_that_changes_nothing_records_nothing(people, robots):
    before = AuditEvent.objects.count()
    same = services.update_target(
        robots,
        acting_user=people["admin"],
        reason="检查",
        expected_version=robots.version,
        target_value=str(robots.target_value),
        headline=robots.headline,
    )
    assert same.version == robots.version
    assert services.update_target(robots, acting_user=people["admin"], reason="空").version == (
        robots.version
    )
    same = services.set_target_units(
        robots,
        links=[(u.unit, u.is_lead) for u in robots.unit_links.order_by("order")],
        acting_user=people["admin"],
        reason="同样",
        expected_version=robots.version,
    )
    assert same.version == robots.version
    assert AuditEvent.objects.count() == before
    robots.refresh_from_db()
    assert robots.version == same.version


def test_a_target_change_by_a_non_administrator_is_refused_before_the_version(people, robots):
    with pytest.raises(PermissionDenied):
        services.update_target(
            robots, acting_user=people["reviewer"], reason="x", expected_version=99, weight=2
        )
    with pytest.raises(PermissionDenied):
        services.set_target_units(
            robots, links=[], acting_user=people["reviewer"], reason="x", expected_version=99
        )
    with pytest.raises(ConflictError):
        services.update_target(
            robots, acting_user=people["admin"], reason="x", expected_version=99, weight=2
        )


# --- the migration's fill of existing figures ----------------------------------------------------


def test_the_migration_fills_units_and_editors_from_the_creators_and_the_trail(
    people, robots, units
):
    """Figures as they were before the migration: no unit, no editors. The migration's own
    functions fill them from the creator's unit and the audit trail's create, update and
    submit events (plus creator and submitter, for figures written without events)."""
    migration = importlib.import_module("targets.migrations.0008_figure_unit_and_editors")
    by_sci = draft(robots, people["staff_sci"])
    edited = draft(robots, people["staff"])
    services.update_measurement(edited, acting_user=people["reviewer"], value="149999")
    edited = services.submit_measurement(edited, acting_user=people["staff"])
    by_admin = draft(robots, people["admin_talent"])
    written = Measurement.objects.bulk_create(  # as the demo data: no events
        [
            Measurement(
                target=robots,
                value=1,
                observed_on=DAY,
                state="submitted",
                created_by=people["staff"],
                created_at=edited.created_at,
                submitted_by=people["reviewer2"],
                submitted_at=edited.created_at,
            )
        ]
    )[0]
    MeasurementEditor.objects.all().delete()
    Measurement.objects.update(unit=None)

    with connection.schema_editor(atomic=False) as editor:
        migration.fill_units(apps, editor)
        migration.fill_editors(apps, editor)

    unit_of = dict(Measurement.objects.values_list("pk", "unit__code"))
    assert unit_of == {
        by_sci.pk: "sci-tech",
        edited.pk: "econ-it",
        by_admin.pk: "econ-it",  # talent-office is not responsible: the lead unit
        written.pk: "econ-it",
    }
    assert editors_of(by_sci) == {"staff_sci"}
    assert editors_of(edited) == {"staff", "reviewer"}
    assert editors_of(by_admin) == {"admin_talent"}
    assert editors_of(written) == {"staff", "reviewer2"}
