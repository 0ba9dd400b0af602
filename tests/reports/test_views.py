"""The browser's export page: every role (reports.rules), a background export with a progress
status, and a permission-checked download."""

from __future__ import annotations

import pytest
from django.test import Client

from reports.models import Export

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_export_but_do_not_compare_editions(world, role):
    # Every role exports what it may read (reports.rules); the comparison lists audit events.
    client = client_for(world[role])
    page = client.get("/reports/")
    assert page.status_code == 200
    assert b'href="/reports/compare/"' not in page.content
    assert client.get("/reports/compare/").status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(world):
    response = Client().get("/reports/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "pdf"])
def test_an_auditor_exports_in_the_background_and_downloads(
    world, fmt, django_capture_on_commit_callbacks
):
    client = client_for(world["auditor"])
    page = client.get("/reports/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post("/reports/", {"format": fmt, "as_of": "2021-06-30"})
    assert len(callbacks) == 1  # queued after the request's transaction commits
    item = Export.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/exports/{item.pk}/"
    detail = client.get(response["Location"])
    assert detail.status_code == 200
    assert b"export-progress" in detail.content and b"reports/export.js" in detail.content
    status = client.get(f"/reports/exports/{item.pk}/status/").json()
    assert status["state"] == "done" and status["percent"] == 100
    assert status["audit_head"].count(":") == 1
    download = client.get(status["download"])
    assert download.status_code == 200
    body = b"".join(download.streaming_content)
    magic = {"csv": b"PK", "xlsx": b"PK", "pdf": b"%PDF"}[fmt]
    assert body.startswith(magic)
    assert f"-2021-06-30-{item.pk}.{item.extension}" in download["Content-Disposition"]


def test_downloads_are_permission_checked(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["auditor"]).post("/reports/", {"format": "xlsx", "as_of": "2021-06-30"})
    item = Export.objects.get()
    url = f"/reports/exports/{item.pk}/download/"
    # Another auditor or a staff member does not see someone else's export; an admin does.
    assert client_for(world["auditor2"]).get(url).status_code == 404
    assert client_for(world["admin"]).get(url).status_code == 200
    assert client_for(world["staff"]).get(url).status_code == 404
    assert client_for(world["staff"]).get(f"/reports/exports/{item.pk}/status/").status_code == 404


def test_a_future_date_is_refused(world):
    response = client_for(world["admin"]).post(
        "/reports/", {"format": "pdf", "as_of": "2999-01-01"}
    )
    assert response.status_code == 400
    assert not Export.objects.exists()


def test_progress_is_reported_while_it_runs(world, monkeypatch):
    """The task writes its progress to the Export row as it goes (the page polls it)."""
    from reports import tasks

    seen = []
    original = Export.objects.filter

    def spy(*args, **kwargs):
        qs = original(*args, **kwargs)
        real_update = qs.update

        def update(**values):
            if "progress" in values:
                seen.append(values["progress"])
            return real_update(**values)

        qs.update = update
        return qs

    item = Export.objects.create(
        requested_by=world["auditor"],
        requested_at="2021-07-01T00:00:00+08:00",
        plan_id=Export._meta.get_field("plan").related_model.objects.get().pk,
        format="csv",
        as_of="2021-06-30",
    )
    monkeypatch.setattr(Export.objects, "filter", spy)
    result = tasks.run_export(item.pk)
    assert result["state"] == "done"
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert len(seen) >= 3 and seen == sorted(seen)


# --- editions ----------------------------------------------------------------------------------


def test_an_export_as_known_on_a_day_records_and_shows_its_edition(
    world, django_capture_on_commit_callbacks
):
    from reports.builders import AsOfReport, chain_head
    from reports.editions import digest, parse_known_on

    client = client_for(world["auditor"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/reports/", {"format": "xlsx", "as_of": "2021-06-30", "known_on": "2021-07-01"}
        )
    item = Export.objects.get()
    k = parse_known_on("2021-07-01")
    assert item.known_at == k
    report = AsOfReport(item.plan, item.as_of, known_at=k)
    assert item.digest == digest(report)
    assert item.audit_head == chain_head(k).anchor
    page = client.get(f"/reports/exports/{item.pk}/").content.decode()
    assert item.digest in page and item.audit_head in page
    assert "2021-07-01 23:59:59" in page
    assert client.get(f"/reports/exports/{item.pk}/status/").json()["digest"] == item.digest


def test_without_as_known_on_an_export_is_as_known_when_requested(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world["auditor"]).post("/reports/", {"format": "csv", "as_of": "2021-06-30"})
    item = Export.objects.get()
    assert item.known_at == item.requested_at
    assert len(item.digest) == 64


@pytest.mark.parametrize(
    ("known_on", "message"),
    [
        ("2021-06-29", "数据截至时刻不能早于报告所述的统计日期"),
        ("2999-01-01", "该时刻晚于当前"),
        ("soon", "请输入日期 YYYY-MM-DD"),
    ],
)
def test_a_bad_as_known_on_is_refused_on_the_form(world, known_on, message):
    response = client_for(world["admin"]).post(
        "/reports/", {"format": "pdf", "as_of": "2021-06-30", "known_on": known_on}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Export.objects.exists()


def test_the_compare_page_lists_differences_and_events(world):
    from django.utils import timezone

    from targets import services
    from targets.models import Target

    client = client_for(world["auditor"])
    k1 = timezone.localtime().isoformat()
    services.update_target(
        Target.objects.get(code="robot-density"),
        acting_user=world["admin"],
        reason="restated",
        target_value="150",
    )
    query = {"as_of": "2021-06-30", "known_on": k1, "against_as_of": "2021-06-30"}
    page = client.get("/reports/compare/", query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "robot-density" in html and "target_value" in html and "150.0000" in html
    assert 'id="events"' in html and "targets.target" in html
    same = client.get("/reports/compare/", {**query, "against_known_on": k1})
    assert 'id="no-differences"' in same.content.decode()
    assert client.get("/reports/compare/", {"as_of": "June"}).status_code == 400
    assert client_for(world["staff"]).get("/reports/compare/").status_code == 403
