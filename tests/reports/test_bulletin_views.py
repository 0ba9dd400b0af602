"""The bulletin's page (/reports/bulletin/): for those who may export (every role:
reports.rules), made in the background like every export, then downloaded."""

from __future__ import annotations

import pytest
from django.test import Client

from reports.models import Export

URL = "/reports/bulletin/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(**changes):
    return {
        "period": "2021-04-01",
        "unit": "",
        "known_on": "2021-08-01",
        "format": "pdf",
        "language": "zh-hans",
        **changes,
    }


@pytest.mark.parametrize("role", ["staff", "reviewer"])
def test_staff_and_reviewers_open_the_bulletin_page(bulletin_world, role):
    # Every role exports what it may read (reports.rules; tests/reports/test_export_rules.py).
    page = client_for(bulletin_world[role]).get(URL + "?plan=zj-ai-2019-2022")
    assert page.status_code == 200
    assert 'value="2021-04-01"' in page.content.decode()


def test_the_form_lists_the_plans_periods_and_units(bulletin_world):
    page = client_for(bulletin_world["auditor"]).get(URL + "?plan=zj-ai-2019-2022")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2021-04-01"' in html and "2021Q2" in html
    assert 'value="2022-10-01"' in html  # the newest period
    assert "省科学技术厅" in html  # a responsible unit, in Chinese by default


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("xlsx", b"PK")])
def test_an_auditor_makes_and_downloads_a_bulletin(
    bulletin_world, fmt, magic, django_capture_on_commit_callbacks
):
    client = client_for(bulletin_world["auditor"])
    client.get(URL + "?plan=zj-ai-2019-2022")  # the plan chosen, remembered in the session
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(URL, form(format=fmt, unit=_unit_pk("sci-tech"), language="en"))
    assert len(callbacks) == 1
    item = Export.objects.get()
    assert (item.kind, item.format, item.language, item.unit.code) == (
        "bulletin",
        fmt,
        "en",
        "sci-tech",
    )
    assert response.status_code == 302
    assert response["Location"] == f"/reports/exports/{item.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "2021年4月1日" in detail and "2021年6月30日" in detail  # the page's date format
    status = client.get(f"/reports/exports/{item.pk}/status/").json()
    assert status["state"] == "done", status
    assert len(status["digest"]) == 64 and status["audit_head"].count(":") == 1
    download = client.get(status["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(magic)
    assert (
        f"zjai-bulletin-zj-ai-2019-2022-2021-04-01-sci-tech-en-{item.pk}.{fmt}"
        in download["Content-Disposition"]
    )


def _unit_pk(code):
    from plans.models import ResponsibleUnit

    return str(ResponsibleUnit.objects.get(code=code).pk)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"period": "2099-01-01"}, "period"),
        ({"known_on": "2999-01-01"}, "known_on"),
        ({"known_on": "soon"}, "known_on"),
        ({"format": "csv"}, "format"),
        ({"language": "fr"}, "language"),
        ({"unit": "999999"}, "unit"),
    ],
)
def test_bad_input_is_shown_on_its_field(bulletin_world, changes, field):
    client = client_for(bulletin_world["admin"])
    client.get(URL + "?plan=zj-ai-2019-2022")
    response = client.post(URL, form(**changes))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert errors[field][0] in response.content.decode()
    assert not Export.objects.exists()
