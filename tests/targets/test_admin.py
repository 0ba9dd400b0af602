"""The Django admin of targets, through its real pages: a figure is only shown (its state above
all changes through the workflow), a target changes through targets.services (a reason, its
version, an audit event, a recompute), and what the plan file says is not offered for change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Measurement, Target, TargetUnit
from targets.rules import FigureRules
from tests.audit.test_write_paths import _admin_form_data, events_since, last_seq

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    admin = make_user("boss", "admin", econ)
    admin.is_staff = admin.is_superuser = True  # the Django admin site wants staff status
    admin.save(update_fields=["is_staff", "is_superuser"])
    return {
        "admin": admin,
        "staff": make_user("clerk", "staff", econ),
        "reviewer_sci": make_user(
            "checker", "reviewer", ResponsibleUnit.objects.get(code="sci-tech")
        ),
    }


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


@pytest.fixture
def admin_client(people):
    client = Client()
    client.force_login(people["admin"])
    return client


def test_a_figures_state_is_not_offered_and_a_forged_post_changes_nothing(
    people, robots, admin_client
):
    figure = services.submit_measurement(
        services.create_measurement(
            target=robots,
            value="120000",
            observed_on=dt.date(2021, 6, 30),
            acting_user=people["staff"],
        ),
        acting_user=people["staff"],
    )
    url = f"/admin/targets/measurement/{figure.pk}/change/"
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "state" not in page.context["adminform"].form.fields
    assert 'name="state"' not in page.content.decode()
    assert "120000" in page.content.decode()  # shown, read-only
    seq = last_seq()
    forged = admin_client.post(
        url,
        {
            "target": robots.pk,
            "value": "150000",
            "observed_on": "2021-06-30",
            "state": "approved",
            "created_at_0": "2021-07-01",
            "created_at_1": "10:00:00",
            "audit_reason": "approved by hand",
        },
    )
    assert forged.status_code == 403
    figure.refresh_from_db()
    assert (figure.state, figure.value, figure.version) == ("submitted", 120000, 2)
    assert figure.reviewed_by is None
    assert events_since(seq) == []
    assert admin_client.post("/admin/targets/measurement/add/", {}).status_code == 403
    delete = admin_client.post(f"/admin/targets/measurement/{figure.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert Measurement.objects.filter(pk=figure.pk).exists()


def test_moving_the_lead_unit_is_audited_with_the_old_and_new_unit(people, robots, admin_client):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    url = f"/admin/targets/target/{robots.pk}/change/"
    data = _admin_form_data(admin_client.get(url))
    lead_row = next(
        key[: -len("-is_lead")] for key, value in data.items() if key.endswith("-is_lead")
    )
    data[f"{lead_row}-unit"] = str(sci.pk)
    data["audit_reason"] = "the science department leads from 2021"
    seq = last_seq()
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    [event] = events_since(seq)
    assert (event.action, event.object_type, event.object_id) == (
        "set_units",
        "targets.target",
        str(robots.pk),
    )
    assert event.actor == people["admin"]
    assert event.reason == "the science department leads from 2021"
    assert event.before == {
        "units": [{"unit": "econ-it", "name": econ.name_zh, "lead": True}],
        "version": 1,
    }
    assert event.after == {
        "units": [{"unit": "sci-tech", "name": sci.name_zh, "lead": True}],
        "version": 2,
    }
    robots.refresh_from_db()
    assert robots.version == 2
    assert robots.dirty_since is not None  # its recompute is queued
    assert list(TargetUnit.objects.filter(target=robots).values_list("unit__code", "is_lead")) == [
        ("sci-tech", True)
    ]
    # The lead unit decides who approves: now the science department's reviewer.
    assert FigureRules.for_target(people["reviewer_sci"], robots).reviews_target(robots.pk)


def test_the_plan_files_fields_are_not_offered_for_change(people, robots, admin_client):
    url = f"/admin/targets/target/{robots.pk}/change/"
    page = admin_client.get(url)
    offered = set(page.context["adminform"].form.fields)
    assert not offered & {"code", "plan", "item", "source_kind", "source_register", "version"}
    data = _admin_form_data(page)
    data.update(
        code="robots-renamed",
        source_kind="count",
        source_register="enterprises",
        weight="2",
        audit_reason="weigh it double",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    robots.refresh_from_db()
    assert (robots.code, robots.source_kind, robots.source_register) == (
        "robots-in-service",
        "reported",
        "",
    )
    assert robots.weight == 2
    event = AuditEvent.objects.filter(object_id=str(robots.pk), action="update").get()
    assert event.after == {"weight": "2.000", "version": 2}
    assert event.reason == "weigh it double"
    assert admin_client.get("/admin/targets/target/add/").status_code == 403


def test_a_target_changed_meanwhile_is_a_form_error_not_an_overwrite(people, robots, admin_client):
    url = f"/admin/targets/target/{robots.pk}/change/"
    data = _admin_form_data(admin_client.get(url))
    services.update_target(
        robots, acting_user=people["admin"], reason="revised by the office", target_value=160000
    )
    seq = last_seq()
    data.update(target_value="170000", audit_reason="my change")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    with translation.override("zh-hans"):  # the admin speaks the default language
        conflict = gettext("This target was changed by someone else. Reload it and try again.")
    assert response.context["adminform"].form.non_field_errors() == [conflict]
    assert events_since(seq) == []
    robots.refresh_from_db()
    assert (robots.target_value, robots.version) == (160000, 2)


def test_saving_an_unchanged_target_changes_nothing(people, robots, admin_client):
    url = f"/admin/targets/target/{robots.pk}/change/"
    data = _admin_form_data(admin_client.get(url))
    data["audit_reason"] = "looked at it"
    seq = last_seq()
    assert admin_client.post(url, data).status_code == 302
    assert events_since(seq) == []
    robots.refresh_from_db()
    assert robots.version == 1 and robots.dirty_since is None


def test_progress_is_shown_never_changed(people, robots, admin_client):
    from targets.services import recompute_progress

    recompute_progress(dt.date(2021, 6, 30), target_ids=[robots.pk])
    row = robots.progress.get()
    assert admin_client.get(f"/admin/targets/progress/{row.pk}/change/").status_code == 200
    assert (
        admin_client.post(f"/admin/targets/progress/{row.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
