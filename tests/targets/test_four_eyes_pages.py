"""Four eyes and the owning unit in the browser pages (issue 12, finding 1): a reviewer who
changed a figure is shown no approve or reject button, told why, and refused when posting
anyway; another unit responsible for the target cannot change or submit a unit's draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from plans.models import ResponsibleUnit
from targets import services
from targets.models import Target
from tests.web import client_for

DAY = dt.date(2022, 6, 30)
BARRED_NOTE = "您经手过这条数值（创建、修改或提交过它），因此您不能审核"
BARRED_ROW = "您经手过此数值，须由其他审核员审核"


@pytest.fixture
def robots(people):
    """Robots in service: led by econ-it, with sci-tech taking part."""
    return services.set_target_units(
        Target.objects.get(code="robots-in-service"),
        links=[
            (ResponsibleUnit.objects.get(code="econ-it"), True),
            (ResponsibleUnit.objects.get(code="sci-tech"), False),
        ],
        acting_user=people["admin"],
        reason="sci-tech takes part",
    )


def report(client, value="100"):
    response = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": value, "observed_on": DAY.isoformat()},
    )
    assert response.status_code == 302


def edit(client, figure, value, **extra):
    return client.post(
        f"/figures/{figure.pk}/edit/",
        {"value": value, "observed_on": DAY.isoformat(), "version": figure.version, **extra},
    )


def submit(client, figure):
    return client.post(f"/figures/{figure.pk}/submit/", {"version": figure.version})


def review(client, figure, decision="approve", comment=""):
    return client.post(
        f"/figures/{figure.pk}/review/",
        {decision: "1", "version": figure.version, "comment": comment},
    )


def assert_barred_everywhere(client, figure):
    """No button on the review page, the list and the target page, the reason instead; the
    review itself refused."""
    page = client.get(f"/figures/{figure.pk}/review/").content.decode()
    assert BARRED_NOTE in page
    assert 'name="approve"' not in page and 'name="reject"' not in page
    listed = client.get("/figures/").content.decode()
    assert BARRED_ROW in listed and f"/figures/{figure.pk}/review/" not in listed
    assert (
        f"/figures/{figure.pk}/review/"
        not in client.get("/figures/?to_review=true").content.decode()
    )
    target_page = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert BARRED_ROW in target_page and f"/figures/{figure.pk}/review/" not in target_page
    for decision in ("approve", "reject"):
        refused = review(client, figure, decision, comment="核对")
        assert refused.status_code == 403
        assert "您不能审核自己创建、修改或提交过的数值" in refused.content.decode()
    figure.refresh_from_db()
    assert figure.state == "submitted"


def test_a_reviewer_who_changed_the_value_is_shown_no_buttons_and_refused(people, robots):
    staff, reviewer = client_for(people["staff"]), client_for(people["reviewer"])
    report(staff)
    figure = robots.measurements.get()
    assert edit(reviewer, figure, "149999").status_code == 302
    figure.refresh_from_db()
    assert submit(staff, figure).status_code == 302
    figure.refresh_from_db()
    assert figure.value == Decimal("149999") and figure.submitted_by == people["staff"]

    assert_barred_everywhere(reviewer, figure)

    # A second reviewer of the lead unit is offered the review and approves.
    second = client_for(people["reviewer2"])
    assert (
        f"/figures/{figure.pk}/review/" in second.get("/figures/?to_review=true").content.decode()
    )
    assert 'name="approve"' in second.get(f"/figures/{figure.pk}/review/").content.decode()
    assert review(second, figure).status_code == 302
    figure.refresh_from_db()
    assert figure.state == "approved" and figure.reviewed_by == people["reviewer2"]


def test_after_a_rejection_the_reviewer_who_corrected_it_is_refused(people, robots):
    staff, reviewer = client_for(people["staff"]), client_for(people["reviewer"])
    report(staff)
    figure = robots.measurements.get()
    submit(staff, figure)
    figure.refresh_from_db()
    assert review(reviewer, figure, "reject", comment="偏低").status_code == 302
    figure.refresh_from_db()
    assert edit(reviewer, figure, "149999").status_code == 302
    figure.refresh_from_db()
    assert submit(staff, figure).status_code == 302
    figure.refresh_from_db()
    assert_barred_everywhere(reviewer, figure)


def test_another_responsible_unit_cannot_change_or_submit_a_draft(people, robots):
    report(client_for(people["staff"]))
    figure = robots.measurements.get()
    sci = client_for(people["staff_sci"])
    page = sci.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert f'id="figure-{figure.pk}"' in page  # seen, as a unit taking part
    assert f"/figures/{figure.pk}/edit/" not in page
    assert f'action="/figures/{figure.pk}/submit/"' not in page
    refused = sci.get(f"/figures/{figure.pk}/edit/")
    assert refused.status_code == 403
    assert "该数值由其他单位填报，只有该单位的人员可以修改或提交" in refused.content.decode()
    assert edit(sci, figure, "5").status_code == 403
    assert edit(sci, figure, "5", submit="1").status_code == 403
    assert submit(sci, figure).status_code == 403
    figure.refresh_from_db()
    assert (figure.state, figure.value, figure.version) == ("draft", Decimal("100"), 1)
    # The owning unit's staff still can.
    assert edit(client_for(people["staff"]), figure, "101").status_code == 302


def test_an_unchanged_edit_is_saved_as_nothing(people, robots):
    staff = client_for(people["staff"])
    report(staff)
    figure = robots.measurements.get()
    assert edit(staff, figure, "100").status_code == 302
    figure.refresh_from_db()
    assert figure.version == 1
