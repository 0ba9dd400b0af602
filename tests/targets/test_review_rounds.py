"""A figure keeps every review round: a rejected figure corrected and submitted again shows the
earlier round's reviewer and comment as the earlier round's, never as current, on the review
page, the edit page, the figures list, the target page and in the API; the migration fills the
rounds of the figures written before they were kept."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from targets import services
from targets.models import FigureReview, Measurement, Target
from targets.selectors import figure_rounds
from tests.audit.test_history_pages import in_english
from tests.web import client_for, figures

DAY = dt.date(2022, 6, 30)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def returned_then_approved(robots, people) -> Measurement:
    """Submitted at 120,000, rejected by reviewer1, corrected to 125,000 and submitted again,
    approved by reviewer2."""
    staff = people["staff"]
    figure = services.create_measurement(
        target=robots, value="120000", observed_on=DAY, acting_user=staff
    )
    figure = services.submit_measurement(figure, acting_user=staff)
    figure = services.reject_measurement(
        figure, acting_user=people["reviewer"], comment="请附统计局来源"
    )
    figure = services.revise_measurement(
        figure,
        acting_user=staff,
        expected_version=figure.version,
        submit=True,
        value="125000",
    )
    return figure


def test_rounds_are_kept_in_order_after_return_resubmit_approve(people, robots):
    figure = returned_then_approved(robots, people)
    first, second = figure_rounds(Measurement.objects.get(pk=figure.pk))
    assert (first.number, first.value, first.decision) == (1, Decimal("120000"), "rejected")
    assert first.reviewed_by == people["reviewer"] and first.comment == "请附统计局来源"
    assert (second.number, second.value, second.decision) == (2, Decimal("125000"), "")
    assert second.submitted_by == people["staff"] and second.reviewed_by is None

    services.approve_measurement(figure, acting_user=people["reviewer2"], comment="核对无误")
    first, second = FigureReview.objects.filter(measurement=figure).order_by("number")
    assert first.decision == "rejected"  # unchanged by the later round
    assert (second.decision, second.reviewed_by, second.comment) == (
        "approved",
        people["reviewer2"],
        "核对无误",
    )
    assert second.reviewed_at is not None and second.reviewed_at >= second.submitted_at


def test_a_resubmitted_figure_shows_the_earlier_round_as_earlier(people, robots):
    figure = returned_then_approved(robots, people)
    reviewer2 = in_english(client_for(people["reviewer2"]))

    review = reviewer2.get(f"/figures/{figure.pk}/review/").content.decode()
    rounds = review[review.index('id="rounds-heading"') :]
    assert rounds.index("Round 1") < rounds.index("Round 2")
    assert "请附统计局来源" in rounds and "waiting for review" in rounds

    listed = reviewer2.get("/figures/?to_review=true").content.decode()
    assert "earlier round: rejected by reviewer1" in listed

    target_page = reviewer2.get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
    assert "earlier round: rejected by reviewer1" in target_page.content.decode()

    # The edit page, for a figure rejected again: its rounds, the comment as the current one.
    figure = services.reject_measurement(
        figure, acting_user=people["reviewer2"], comment="数值与季报不符"
    )
    edit = in_english(client_for(people["staff"])).get(f"/figures/{figure.pk}/edit/")
    html = edit.content.decode()
    assert "Reviewer's comment: “数值与季报不符”" in html
    assert html.index("请附统计局来源") < html.index("Round 2")


def test_the_api_lists_the_rounds(people, robots):
    from rest_framework.test import APIClient

    figure = returned_then_approved(robots, people)
    client = APIClient()
    client.force_authenticate(people["reviewer2"])
    body = client.get(f"/api/v1/measurements/{figure.pk}/").json()
    assert [(r["number"], r["decision"], r["reviewed_by"]) for r in body["rounds"]] == [
        (1, "rejected", "reviewer1"),
        (2, "", None),
    ]
    assert body["rounds"][0]["comment"] == "请附统计局来源"
    assert body["rounds"][1]["value"] == "125000.0000"
    # The figure's own review fields are its last review's: an earlier round's now.
    assert body["reviewed_by"] == "reviewer1" and body["state"] == "submitted"


def test_a_figure_written_before_rounds_has_one_from_its_fields(people, robots):
    (figure,) = figures(robots, people["reviewer"], 1)
    (one,) = figure_rounds(figure)
    assert one.pk is None and one.decision == "approved"
    assert one.reviewed_by == people["reviewer"]


def test_the_migration_fills_rounds_from_the_trail_else_from_the_fields(people, robots):
    migration = importlib.import_module("targets.migrations.0015_figure_review_rounds")
    traced = returned_then_approved(robots, people)
    services.approve_measurement(traced, acting_user=people["reviewer2"], comment="同意")
    (bulk,) = figures(robots, people["reviewer"], 1, state="rejected")
    FigureReview.objects.all().delete()

    migration.backfill(apps, None)

    rounds = list(FigureReview.objects.filter(measurement=traced).order_by("number"))
    assert [(r.number, r.value, r.decision, r.reviewed_by) for r in rounds] == [
        (1, Decimal("120000"), "rejected", people["reviewer"]),
        (2, Decimal("125000"), "approved", people["reviewer2"]),
    ]
    assert rounds[0].comment == "请附统计局来源" and rounds[1].comment == "同意"
    (only,) = FigureReview.objects.filter(measurement=bulk)
    assert (only.number, only.decision, only.reviewed_by) == (1, "rejected", people["reviewer"])
