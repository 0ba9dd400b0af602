"""A figure's own page (issue 16, "Finding things"): reached from the figures list; what it
says, its evidence, its state and unit, its history, and only the actions the reader may take."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from targets import services
from targets.models import Target
from tests.web import client_for, count_queries

pytestmark = pytest.mark.django_db

DAY = dt.date(2022, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def english(user):
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


@pytest.fixture
def figure(plan, people):
    robots = Target.objects.get(code="robots-in-service")
    made = services.create_measurement(
        target=robots,
        value="120000",
        observed_on=DAY,
        note="统计局季报",
        evidence=SimpleUploadedFile("季报.pdf", PDF, content_type="application/pdf"),
        acting_user=people["staff"],
    )
    return services.submit_measurement(made, acting_user=people["staff"])


def test_the_figures_list_and_the_target_page_link_each_figure_to_its_page(figure, people):
    client = client_for(people["staff"])
    html = client.get("/figures/").content.decode()
    assert f'href="/figures/{figure.pk}/"' in html
    target = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert f'href="/figures/{figure.pk}/"' in target


def test_the_figure_page_shows_what_it_says_its_evidence_and_history(figure, people):
    response = english(people["reviewer"]).get(f"/figures/{figure.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "120,000" in html and "统计局季报" in html
    assert f'href="/figures/{figure.pk}/evidence/"' in html
    assert 'href="/units/econ-it/"' in html  # the reporting unit, linked
    assert 'href="/plans/zj-ai-2019-2022/targets/robots-in-service/"' in html
    # The history: created, then submitted, by whom.
    rows = response.context["history_rows"]
    assert [row.event.action for row in rows] == ["submit", "create"]
    assert "staff1" in html
    # A reviewer of the lead unit who had no hand in it may review it.
    assert f'href="/figures/{figure.pk}/review/"' in html


def test_the_figure_page_offers_only_the_readers_actions(figure, people):
    # Its author may not review it (four eyes) and it is no longer a draft to edit.
    html = english(people["staff"]).get(f"/figures/{figure.pk}/").content.decode()
    assert f'href="/figures/{figure.pk}/review/"' not in html
    assert f'href="/figures/{figure.pk}/edit/"' not in html
    # The auditor reads it and may do nothing.
    auditor = english(people["auditor"]).get(f"/figures/{figure.pk}/").content.decode()
    assert not re.search(rf'href="/figures/{figure.pk}/(review|edit|withdraw)/"', auditor)
    # Once approved, the reviewer may withdraw it.
    services.approve_measurement(figure, acting_user=people["reviewer"])
    approved = english(people["reviewer"]).get(f"/figures/{figure.pk}/").content.decode()
    assert f'href="/figures/{figure.pk}/withdraw/"' in approved


def test_the_figure_page_costs_the_same_queries_whatever_its_history(figure, people):
    client = client_for(people["reviewer"])
    before, _ = count_queries(client, f"/figures/{figure.pk}/")
    services.approve_measurement(figure, acting_user=people["reviewer"])
    after, _ = count_queries(client, f"/figures/{figure.pk}/")
    assert before == after
