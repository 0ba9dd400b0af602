"""audit.history: an object's events, and the object as it was on a date, from those events."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from audit import history
from enterprises.models import Enterprise
from enterprises.services import (
    confirm_enterprise_change,
    create_enterprise,
    recognise_enterprise,
    update_enterprise,
)
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Target

pytestmark = pytest.mark.django_db


def at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    return {
        "staff": make_user("clerk", "staff", econ),
        "reviewer": make_user("checker", "reviewer", econ),
        "auditor": make_user("eye", "auditor", econ),
    }


def test_an_enterprise_as_it_was_on_each_date(people):
    staff = people["staff"]
    with mock.patch("django.utils.timezone.now", return_value=at(dt.date(2021, 1, 10))):
        enterprise = create_enterprise(acting_user=staff, name_zh="壬智能", city="hangzhou")
    with mock.patch("django.utils.timezone.now", return_value=at(dt.date(2021, 3, 1))):
        enterprise = recognise_enterprise(
            enterprise, tier="specialised", recognised_on=dt.date(2021, 2, 20), acting_user=staff
        )
        # Four eyes: the recognition is written once the unit's reviewer confirms it.
        enterprise = confirm_enterprise_change(enterprise, acting_user=people["reviewer"])
    with mock.patch("django.utils.timezone.now", return_value=at(dt.date(2021, 6, 1))):
        update_enterprise(enterprise, acting_user=staff, name_en="Ren AI", reason="English name")

    before = history.state_on(enterprise, dt.date(2021, 1, 9))
    assert not before.exists
    first = history.state_on(enterprise, dt.date(2021, 1, 10))
    assert first.exists and first.fields["tier"] == "" and first.fields["name_en"] == ""
    recognised = history.state_on(("enterprises.enterprise", enterprise.pk), dt.date(2021, 5, 31))
    assert recognised.fields["tier"] == "specialised"
    assert recognised.fields["recognised_on"] == "2021-02-20"
    assert recognised.fields["name_en"] == ""
    assert recognised.events == 2 and recognised.method == "events"
    now = history.state_on(enterprise, dt.date(2021, 6, 1))
    assert now.fields["name_en"] == "Ren AI"
    assert now.last_change.reason == "English name"

    events = list(history.events_for(enterprise))
    assert [e.action for e in events] == ["create", "update", "update"]
    assert history.changes(events[2]) == [("name_en", "", "Ren AI")]


def test_a_targets_history_includes_its_figures(people):
    robots = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=robots,
        value="100000",
        observed_on=dt.date(2021, 3, 31),
        acting_user=people["staff"],
    )
    services.submit_measurement(figure, acting_user=people["staff"])
    services.approve_measurement(figure, acting_user=people["reviewer"])
    actions = [(e.object_type, e.action) for e in history.events_for(robots)]
    assert ("targets.target", "create") in actions
    assert actions[-3:] == [
        ("targets.measurement", "create"),
        ("targets.measurement", "submit"),
        ("targets.measurement", "approve"),
    ]
    only_target = {e.object_type for e in history.events_for(robots, with_children=False)}
    assert only_target == {"targets.target"}
    figure_now = history.state_on(figure, timezone.localdate())
    assert figure_now.fields["state"] == "approved"


def test_objects_without_a_create_event_are_found_by_undoing_later_changes(people):
    """Demo rows are bulk-created with one summary event: their past is today's fields with
    the later changes undone."""
    enterprise = Enterprise.objects.create(
        name_zh="癸智能",
        city="hangzhou",
        tier="benchmark",
        recognised_on=dt.date(2020, 1, 1),
        owner_unit=people["staff"].unit,
    )
    with mock.patch("django.utils.timezone.now", return_value=at(dt.date(2021, 6, 1))):
        update_enterprise(enterprise, acting_user=people["staff"], tier="leading")
        confirm_enterprise_change(enterprise, acting_user=people["reviewer"])
    earlier = history.state_on(enterprise, dt.date(2021, 5, 1))
    assert earlier.method == "undone" and earlier.fields["tier"] == "benchmark"
    later = history.state_on(enterprise, dt.date(2021, 6, 2))
    assert later.fields["tier"] == "leading"


def test_the_history_page_is_for_auditors_and_admins(people):
    robots = Target.objects.get(code="robots-in-service")
    client = Client()
    client.force_login(people["staff"])
    assert client.get(f"/reports/history/target/{robots.pk}/").status_code == 403
    client.force_login(people["auditor"])
    # The plan was loaded today: on an earlier date the record did not exist yet.
    page = client.get(f"/reports/history/target/{robots.pk}/?as_of=2021-01-01")
    assert page.status_code == 200 and not page.context["state"].exists
    page = client.get(f"/reports/history/target/{robots.pk}/?as_of={timezone.localdate()}")
    assert page.context["state"].exists
    assert page.context["state"].fields["target_value"] == "150000.0000"
    assert client.get(f"/reports/history/nothing/{robots.pk}/").status_code == 404
    assert client.get("/reports/history/target/999999/").status_code == 404
    bad = client.get(f"/reports/history/target/{robots.pk}/?as_of=yesterday")
    assert bad.status_code == 200 and bad.context["form"].errors["as_of"]
    # Dates are read as the language writes them too, and shown so.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(f"/reports/history/target/{robots.pk}/", {"as_of": "31 Dec 2022"})
    assert english.context["as_of"] == dt.date(2022, 12, 31)
    assert "As it was at the end of 31 Dec 2022" in english.content.decode()
    assert "History: Industrial robots in service" in english.content.decode()


def test_events_recorded_before_a_rename_read_as_the_renamed_fields(people, make_user):
    """Projects' `unit` and `name` became `owner_unit` and `name_zh`; events written before
    keep the old keys, and the history shows them as the fields they are now."""
    from audit.services import record_event
    from projects.services import create_project

    staff = people["staff"]
    project = create_project(
        acting_user=staff,
        name_zh="智能工厂",
        kind="smart_factory",
        level="provincial",
        city="ningbo",
    )
    other = ResponsibleUnit.objects.exclude(pk=staff.unit_id).first()
    old = record_event(
        action="update",
        obj=project,
        acting_user=staff,
        before={"name": "智能工厂", "unit": staff.unit_id},
        after={"name": "智能工厂二期", "unit": other.pk},
    )
    assert history.changes(old) == [
        ("name_zh", "智能工厂", "智能工厂二期"),
        ("owner_unit", staff.unit_id, other.pk),
    ]
    state = history.state_on(project, timezone.localdate())
    assert state.fields["name_zh"] == "智能工厂二期" and state.fields["owner_unit"] == other.pk
    [entry] = history.history_entries([old])
    assert [(c.label, c.after) for c in entry.changes] == [
        ("name (Chinese)", "智能工厂二期"),
        ("managing unit", str(other)),
    ]
