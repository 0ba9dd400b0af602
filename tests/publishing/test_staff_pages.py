"""The staff's publications page (/publications/): administrators publish and withdraw, the
readers of the audit log list, everyone else gets 403 (docs/user-guide.md, "Publishing to the
public")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings

from audit.models import AuditEvent
from publishing.models import Publication
from tests.reports.conftest import AS_OF
from tests.web import client_for as signed_in_client

pytestmark = pytest.mark.django_db

URL = "/publications/"
PLAN = "zj-ai-2019-2022"


def client_for(user):
    """The page in English: the messages asserted below are the English ones."""
    client = signed_in_client(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def publish_data(**overrides):
    return {"plan": PLAN, "as_of": AS_OF.isoformat(), "known_on": "", **overrides}


def test_an_administrator_publishes_through_the_form(secrets):
    client = client_for(secrets["admin"])
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Publish an edition" in text
    assert "Never public" in text  # the confirmation says what never becomes public
    response = client.post(URL, publish_data(), follow=True)
    assert response.status_code == 200
    publication = Publication.objects.get()
    text = response.content.decode()
    assert f"Published: {PLAN}, publication 1 as of 2021-06-30." in text
    assert publication.digest in text  # in full, in the title and the copyable box
    assert publication.digest[:12] in text
    assert f"/public/{PLAN}/editions/1/" in text
    assert f"/reports/history/publication/{publication.pk}/" in text
    assert AuditEvent.objects.filter(object_type="publishing.publication", action="create").exists()


def test_a_second_identical_submit_shows_the_field_error_and_writes_nothing(publication):
    admin = publication.published_by
    events = AuditEvent.objects.count()
    response = client_for(admin).post(URL, publish_data())
    assert response.status_code == 400
    text = response.content.decode()
    assert "Publication 1 of this plan already shows exactly this content." in text
    assert 'id="id_as_of_errors"' in text
    assert Publication.objects.count() == 1
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"as_of": "2099-01-01"}, "as_of", "choose today or earlier"),
        ({"as_of": "not a date"}, "as_of", None),  # Django's own message
        ({"known_on": "2021-06-01"}, "known_on", "cannot be known before the day it describes"),
        ({"known_on": "yesterday"}, "known_on", "Enter a date YYYY-MM-DD"),
        ({"plan": "no-such-plan"}, "plan", None),
    ],
)
def test_bad_input_shows_the_field_and_the_reason(secrets, data, field, reason):
    response = client_for(secrets["admin"]).post(URL, publish_data(**data))
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="id_{field}_errors"' in text
    assert reason is None or reason in text
    assert not Publication.objects.exists()


def test_an_earlier_instant_is_published_as_known_then(secrets):
    response = client_for(secrets["admin"]).post(URL, publish_data(known_on="2021-07-01"))
    assert response.status_code == 302
    publication = Publication.objects.get()
    assert publication.known_at.isoformat() == "2021-07-01T15:59:59.999999+00:00"


def test_an_administrator_withdraws_with_a_reason(publication):
    client = client_for(publication.published_by)
    url = f"/publications/{publication.pk}/withdraw/"
    prefix = f"withdraw-{publication.pk}"
    response = client.post(
        url, {f"{prefix}-reason": "数据有误", f"{prefix}-version": publication.version}, follow=True
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert f"Withdrawn: {PLAN}, publication 1. The public no longer sees it." in text
    assert "withdrawn by boss" in text and "数据有误" in text
    assert f"/public/{PLAN}/editions/1/" not in text  # a withdrawn one has no public link
    publication.refresh_from_db()
    assert not publication.is_live
    assert publication.withdrawal_reason == "数据有误"
    event = AuditEvent.objects.get(object_type="publishing.publication", action="withdraw")
    assert event.reason == "数据有误"


def test_withdrawing_without_a_reason_shows_the_field_and_changes_nothing(publication):
    prefix = f"withdraw-{publication.pk}"
    response = client_for(publication.published_by).post(
        f"/publications/{publication.pk}/withdraw/",
        {f"{prefix}-reason": "  ", f"{prefix}-version": publication.version},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert f'id="id_{prefix}-reason_errors"' in text
    publication.refresh_from_db()
    assert publication.is_live


def test_withdrawing_a_withdrawn_publication_says_so(publication):
    from publishing import services

    services.withdraw(publication, acting_user=publication.published_by, reason="first")
    prefix = f"withdraw-{publication.pk}"
    response = client_for(publication.published_by).post(
        f"/publications/{publication.pk}/withdraw/",
        {f"{prefix}-reason": "second", f"{prefix}-version": 2},
    )
    assert response.status_code == 400
    assert "This publication is already withdrawn." in response.content.decode()
    publication.refresh_from_db()
    assert publication.withdrawal_reason == "first"


def test_a_stale_version_is_a_conflict_not_an_overwrite(publication):
    prefix = f"withdraw-{publication.pk}"
    response = client_for(publication.published_by).post(
        f"/publications/{publication.pk}/withdraw/",
        {f"{prefix}-reason": "数据有误", f"{prefix}-version": publication.version + 1},
    )
    assert response.status_code == 409
    assert "The publication changed since you read it." in response.content.decode()
    publication.refresh_from_db()
    assert publication.is_live


def test_the_list_is_filtered_by_plan(publication):
    client = client_for(publication.published_by)
    assert publication.digest in client.get(URL, {"plan": PLAN}).content.decode()
    unknown = client.get(URL, {"plan": "no-such-plan"})
    assert unknown.status_code == 400
    assert 'id="filter-plan_errors"' in unknown.content.decode()


def test_the_auditor_lists_but_may_not_publish_or_withdraw(publication, world):
    client = client_for(world["auditor"])
    page = client.get(URL)
    assert page.status_code == 200
    text = page.content.decode()
    assert publication.digest in text
    assert "Publish an edition" not in text and "Withdraw this publication" not in text
    assert client.post(URL, publish_data(as_of="2021-09-30")).status_code == 403
    prefix = f"withdraw-{publication.pk}"
    withdraw = client.post(
        f"/publications/{publication.pk}/withdraw/",
        {f"{prefix}-reason": "x", f"{prefix}-version": publication.version},
    )
    assert withdraw.status_code == 403
    assert Publication.objects.count() == 1 and Publication.objects.get().is_live


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_get_403(publication, world, role):
    client = client_for(world[role])
    assert client.get(URL).status_code == 403
    assert client.post(URL, publish_data(as_of="2021-09-30")).status_code == 403
    prefix = f"withdraw-{publication.pk}"
    response = client.post(
        f"/publications/{publication.pk}/withdraw/",
        {f"{prefix}-reason": "x", f"{prefix}-version": publication.version},
    )
    assert response.status_code == 403
    assert Publication.objects.count() == 1 and Publication.objects.get().is_live
    # No link to a page they may not open.
    assert 'href="/publications/"' not in client.get("/reports/").content.decode()


def test_the_top_bar_and_the_reports_page_point_to_it(world):
    for role in ("admin", "auditor"):
        text = client_for(world[role]).get("/reports/").content.decode()
        assert text.count('href="/publications/"') == 2  # the top bar and the reports page


def test_the_history_page_shows_a_publication(publication, world):
    response = client_for(world["auditor"]).get(f"/reports/history/publication/{publication.pk}/")
    assert response.status_code == 200
    assert publication.digest in response.content.decode()


def test_the_admin_shows_publications_read_only(publication, world):
    admin = world["admin"]
    admin.is_staff = True
    admin.is_superuser = True
    admin.save()
    client = client_for(admin)
    listing = client.get("/admin/publishing/publication/")
    assert listing.status_code == 200
    assert publication.digest in listing.content.decode()
    assert client.get("/admin/publishing/publication/add/").status_code == 403
    change = client.post(f"/admin/publishing/publication/{publication.pk}/change/", {})
    assert change.status_code == 403
    assert client.post(f"/admin/publishing/publication/{publication.pk}/delete/").status_code == 403
    assert Publication.objects.get().as_of == dt.date(2021, 6, 30)
