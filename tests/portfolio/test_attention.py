"""'Needs my attention' (issue 16): every list on the dashboard is in order of urgency (the
longest waiting first, then the deadline), says how many wait, and links to the whole queue."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from enterprises.models import Enterprise
from enterprises.services import update_enterprise
from targets.models import Measurement, Target
from targets.services import recompute_progress
from tests.web import client_for, figures

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2021, 6, 30)


def english(user):
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def link(html: str, anchor: str) -> tuple[str, str]:
    found = re.search(rf'<a id="{anchor}" href="([^"]+)">([^<]+)</a>', html)
    assert found is not None, anchor
    return unescape(found.group(1)), found.group(2)


def test_figures_to_review_show_the_longest_waiting_first_and_link_the_whole_queue(plan, people):
    robots = Target.objects.get(code="robots-in-service")
    # Made first (lower ids), submitted last: the old order (by id) showed these first.
    fresh = figures(robots, people["staff"], 4, state="submitted", start=dt.date(2021, 3, 1))
    waiting = figures(robots, people["staff"], 3, state="submitted", start=dt.date(2020, 1, 1))
    client = english(people["reviewer"])

    response = client.get("/plans/zj-ai-2019-2022/")
    attention = response.context["attention"]
    shown = [figure.pk for figure in attention.to_review]
    by_submission = sorted(fresh + waiting, key=lambda f: (f.submitted_at, f.pk))
    assert shown == [figure.pk for figure in by_submission][:5]
    assert shown[:3] == [figure.pk for figure in waiting]
    assert attention.to_review_count == 7
    # The five shown do not hide that fresher ones wait: the newest's time, and the queue.
    assert attention.newest_to_review == max(f.submitted_at for f in fresh)
    html = response.content.decode()
    assert "The newest was submitted" in html
    url, words = link(html, "all-to-review")
    assert words == "All 7 figures to review"
    queue = client.get(url)
    assert queue.context["page"].count == 7
    # The queue is in the same order.
    assert [f.pk for f in queue.context["rows"]][:5] == shown


def test_figures_to_report_show_rejected_ones_first_then_the_oldest(plan, people):
    robots = Target.objects.get(code="robots-in-service")
    drafts = figures(robots, people["staff"], 3, state="draft", start=dt.date(2021, 1, 1))
    rejected = figures(robots, people["staff"], 1, state="rejected", start=dt.date(2021, 5, 1))
    older = figures(robots, people["staff"], 1, state="draft", start=dt.date(2020, 6, 1))
    client = english(people["staff"])

    response = client.get("/plans/zj-ai-2019-2022/")
    attention = response.context["attention"]
    assert [f.pk for f in attention.to_report] == [
        rejected[0].pk,
        older[0].pk,
        *[f.pk for f in drafts],
    ]
    assert attention.to_report_count == 5
    url, words = link(response.content.decode(), "all-to-report")
    assert words == "All 5 figures to report"
    assert client.get(url).context["page"].count == 5


def test_stale_targets_show_the_oldest_figure_first_with_a_link(plan, people):
    robots = Target.objects.get(code="robots-in-service")
    figures(robots, people["reviewer"], 1, start=dt.date(2020, 12, 30))
    recompute_progress(AS_OF)
    client = english(people["staff"])
    response = client.get("/plans/zj-ai-2019-2022/")
    stale = response.context["attention"].stale
    assert len(stale) >= 2
    # No figure at all is the most overdue; then the oldest newest figure.
    keys = [(row.current_date is not None, row.current_date or dt.date.min) for row in stale]
    assert keys == sorted(keys)
    url, _ = link(response.content.decode(), "all-stale")
    listed = {t.code for t in client.get(url).context["page"].object_list}
    assert {row.target.code for row in stale} <= listed


def test_register_changes_to_confirm_show_the_longest_waiting_first(plan, people):
    entries = list(Enterprise.objects.filter(plan_key__isnull=False).order_by("pk")[:3])
    Enterprise.objects.filter(pk__in=[e.pk for e in entries]).update(
        owner_unit=people["staff"].unit
    )
    for entry in reversed(entries):  # the last entry's change is proposed first
        entry.refresh_from_db()
        update_enterprise(entry, acting_user=people["staff"], city="ningbo", reason="迁址")
    response = english(people["reviewer"]).get("/plans/zj-ai-2019-2022/")
    oldest = response.context["registers_oldest"]
    assert [change.object_id for change, _ in oldest] == [e.pk for e in reversed(entries)]
    assert response.context["registers_to_confirm"] == 3
    html = response.content.decode()
    url, _ = link(html, "all-to-confirm")
    assert url == "/registers/to-confirm/"
    assert f'href="/enterprises/{entries[-1].pk}/"' in html


def test_nothing_waits_for_an_auditor(plan, people):
    response = client_for(people["auditor"]).get("/plans/zj-ai-2019-2022/")
    assert response.context["attention"].to_review_count == 0
    assert Measurement.objects.count() == 0
