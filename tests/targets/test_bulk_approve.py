"""Approving several ticked figures at once: each through approve_measurement with the version
the list showed, so four eyes, the state and the version hold for every one; a refused figure
is named with its reason and left as it was; sending the same form again approves nothing
twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from audit.models import AuditEvent
from targets import services
from targets.models import FigureReview, Measurement, Target
from tests.audit.test_history_pages import in_english
from tests.web import client_for


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def submitted(robots, who, day: dt.date, value: str = "120000") -> Measurement:
    figure = services.create_measurement(
        target=robots, value=value, observed_on=day, acting_user=who
    )
    return services.submit_measurement(figure, acting_user=who)


def form(*figures: Measurement, **versions: int) -> dict:
    data: dict = {"figure": [str(f.pk) for f in figures], "next": "/figures/?to_review=true"}
    for figure in figures:
        data[f"version-{figure.pk}"] = str(versions.get(f"f{figure.pk}", figure.version))
    return data


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_queue_offers_ticks_only_for_figures_the_reviewer_may_approve(people, robots):
    mine = submitted(robots, people["reviewer"], dt.date(2022, 3, 31))  # four eyes: not mine
    theirs = submitted(robots, people["staff"], dt.date(2022, 6, 30))
    html = client_for(people["reviewer"]).get("/figures/").content.decode()
    assert f'name="figure" value="{theirs.pk}"' in html
    assert f'name="figure" value="{mine.pk}"' not in html
    assert 'action="/figures/approve/"' in html
    # Staff review nothing: no ticks, no button.
    staff = client_for(people["staff"]).get("/figures/").content.decode()
    assert 'name="figure"' not in staff and 'action="/figures/approve/"' not in staff


def test_each_is_approved_or_refused_with_its_reason(people, robots):
    first = submitted(robots, people["staff"], dt.date(2022, 3, 31), "100000")
    second = submitted(robots, people["staff"], dt.date(2022, 6, 30), "120000")
    touched = submitted(robots, people["reviewer"], dt.date(2022, 9, 30), "130000")
    stale = submitted(robots, people["staff"], dt.date(2021, 12, 31), "90000")
    draft = services.create_measurement(
        target=robots, value="1", observed_on=dt.date(2021, 9, 30), acting_user=people["staff"]
    )
    events = AuditEvent.objects.count()
    client = in_english(client_for(people["reviewer"]))
    response = client.post(
        "/figures/approve/",
        form(first, second, touched, stale, draft, **{f"f{stale.pk}": stale.version - 1}),
    )
    assert response.status_code == 302 and response["Location"] == "/figures/?to_review=true"
    states = dict(Measurement.objects.values_list("pk", "state"))
    assert states[first.pk] == states[second.pk] == "approved"
    assert states[touched.pk] == states[stale.pk] == "submitted"
    assert states[draft.pk] == "draft"
    messages = said(response)
    assert "2 figures were approved. The targets' progress is being updated." in messages
    refused = {m.split(" ")[1]: m for m in messages if "was not approved" in m}
    assert set(refused) == {f"#{touched.pk}", f"#{stale.pk}", f"#{draft.pk}"}
    assert "you created, edited or submitted" in refused[f"#{touched.pk}"]
    assert "changed by someone else" in refused[f"#{stale.pk}"]
    assert "Only a submitted figure can be reviewed" in refused[f"#{draft.pk}"]
    # Two approvals, each with its event and its closed round: nothing of the refused ones.
    assert AuditEvent.objects.count() - events == 2
    assert set(
        FigureReview.objects.filter(decision="approved").values_list("measurement", flat=True)
    ) == {first.pk, second.pk}

    # The same form sent again (a double click, a retry) approves nothing twice.
    client.get("/figures/")  # the messages above are shown, and gone
    again = client.post(
        "/figures/approve/",
        form(first, second, **{f"f{first.pk}": first.version, f"f{second.pk}": second.version}),
    )
    again_said = said(again)
    assert not any("progress is being updated" in m for m in again_said)
    # The versions the form carried are gone: each is named, changed since.
    assert sum("was not approved" in m for m in again_said) == 2, again_said
    assert AuditEvent.objects.count() - events == 2
    assert FigureReview.objects.filter(decision="approved").count() == 2


def test_an_unseen_figure_and_a_forged_form_are_refused(people, robots):
    figure = submitted(robots, people["staff"], dt.date(2022, 6, 30))
    other = in_english(client_for(people["reviewer_sci"]))  # not the lead unit's reviewer
    response = other.post("/figures/approve/", form(figure))
    assert "was not approved" in " ".join(said(response))
    missing = other.post("/figures/approve/", {"figure": ["999999"], f"version-{figure.pk}": "1"})
    assert "No such figure" in " ".join(said(missing))
    nothing = other.post("/figures/approve/", {"next": "https://evil.example/"})
    assert nothing["Location"] == "/figures/"  # never away from the site
    no_version = in_english(client_for(people["reviewer"])).post(
        "/figures/approve/", {"figure": [str(figure.pk)]}
    )
    assert "reload the page" in " ".join(said(no_version))
    assert Measurement.objects.get(pk=figure.pk).state == "submitted"
    assert client_for(people["reviewer"]).get("/figures/approve/").status_code == 405
