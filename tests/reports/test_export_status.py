"""The export page's status: one word for the state, and what a running export is doing in the
page's language, never a stage's code ("已完成 done")."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from reports import services
from reports.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_in(user, language: str) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def exported(client: Client, django_capture_on_commit_callbacks) -> Export:
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/", {"format": "csv", "as_of": "2021-06-30"})
    assert response.status_code == 302
    return Export.objects.get()


def test_a_finished_export_says_done_once(world, django_capture_on_commit_callbacks):
    client = client_in(world["auditor"], "en")
    item = exported(client, django_capture_on_commit_callbacks)
    status = client.get(f"/reports/exports/{item.pk}/status/").json()
    assert (status["state"], status["state_label"], status["stage_label"]) == ("done", "done", "")
    page = client.get(f"/reports/exports/{item.pk}/").content.decode()
    assert '<span id="export-state">done</span>' in page
    assert '<span id="export-stage" class="muted small"></span>' in page
    # The dates of the page in the language's format.
    assert "30 Jun 2021" in page


def test_a_running_export_says_what_it_is_writing_in_the_pages_language(
    world, django_capture_on_commit_callbacks
):
    client = client_in(world["auditor"], "en")
    item = exported(client, django_capture_on_commit_callbacks)
    services.start_export(item.pk)
    services.record_export_progress(item.pk, 0.5, "measurements")
    status = client.get(f"/reports/exports/{item.pk}/status/").json()
    assert (status["state_label"], status["stage_label"]) == ("running", "writing the figures")
    services.record_export_progress(item.pk, 0.6, "a-stage-nobody-named")
    assert client.get(f"/reports/exports/{item.pk}/status/").json()["stage_label"] == ""


def test_the_chinese_export_page_has_one_status_word(world, django_capture_on_commit_callbacks):
    # The Chinese is the point of the issue ("已完成 done").
    client = client_in(world["auditor"], "zh-hans")
    item = exported(client, django_capture_on_commit_callbacks)
    page = client.get(f"/reports/exports/{item.pk}/").content.decode()
    state = page[page.index('id="export-state"') :]
    state = state[: state.index("</p>")]
    assert "done" not in state
