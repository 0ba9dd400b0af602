"""A counted target leads to the register entries it counts (issue 16, "Finding things"): the
enterprises or projects list filtered exactly as the count is, as of the same date, shows as
many entries as the count, today and as of a past date whose values have since changed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pytest

from enterprises.models import Enterprise
from enterprises.services import confirm_enterprise_change, update_enterprise
from projects.models import Project
from targets.models import Target
from targets.services import recompute_progress
from targets.values import current_values, register_list_query
from tests.targets.factories import accept_projects, recognise
from tests.web import client_for
from zjai.dates import today

pytestmark = pytest.mark.django_db

BEFORE = dt.date(2021, 6, 30)
PROMOTED = dt.date(2022, 3, 1)
AFTER = dt.date(2022, 6, 30)
LISTS = {"enterprises": "/enterprises/", "projects": "/projects/"}


def english(user):
    client = client_for(user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    return client


def counted(code: str, day: dt.date) -> Decimal | None:
    target = Target.objects.get(code=code)
    return current_values([target], day)[target.pk].value


def listed(client, code: str, day: dt.date) -> int:
    """How many entries the register list shows, filtered as the target counts on `day`."""
    target = Target.objects.get(code=code)
    query = "&".join(f"{k}={v}" for k, v in register_list_query(target, day))
    response = client.get(f"{LISTS[target.source_register]}?{query}")
    assert response.status_code == 200
    page = response.context["page"]
    assert not page.has_next
    assert len(page.object_list) == page.count
    return page.count


def promote(entry: Enterprise, people) -> None:
    """Benchmark → leading from PROMOTED on, by the owning unit, confirmed by its reviewer."""
    update_enterprise(
        entry,
        acting_user=people["staff"],
        tier="leading",
        recognised_on=PROMOTED,
        effective_from=PROMOTED,
        reason="认定为领军企业",
    )
    confirm_enterprise_change(entry, acting_user=people["reviewer"])


def test_an_enterprise_count_lists_the_entries_it_counts_now_and_as_of_a_past_date(people):
    recognise(3, "benchmark", dt.date(2020, 5, 1))
    recognise(2, "leading", dt.date(2021, 1, 10))
    recognise(1, "leading", dt.date(2023, 1, 10))  # after AFTER: counts later only
    Enterprise.objects.update(owner_unit=people["staff"].unit)
    revoked = Enterprise.objects.filter(tier="leading", plan_key__isnull=True).first()
    assert revoked is not None
    revocation = {"status": "revoked", "revoked_on": dt.date(2022, 1, 1)}
    Enterprise.objects.filter(pk=revoked.pk).update(**revocation)
    promote(Enterprise.objects.filter(tier="benchmark", plan_key__isnull=True).first(), people)
    client = client_for(people["auditor"])

    for code in ("ent-leading", "ent-benchmark"):
        for day in (BEFORE, AFTER, today()):
            assert listed(client, code, day) == counted(code, day), (code, day)
    # The promotion moved one enterprise between the tiers from PROMOTED on, not before.
    assert counted("ent-benchmark", AFTER) == counted("ent-benchmark", BEFORE) - 1


def test_a_project_count_and_sum_list_the_entries_they_read(people):
    accept_projects(2, "smart_factory", dt.date(2021, 3, 1))
    accept_projects(1, "smart_factory", dt.date(2022, 3, 1))
    accept_projects(2, "major", dt.date(2020, 9, 1), planned_investment=Decimal("100.00"))
    client = client_for(people["staff"])
    summed = Target.objects.get(source_kind="sum")
    entries = Project.objects.filter(kind="major", start_date__lte=BEFORE).count()

    for day in (BEFORE, AFTER):
        assert listed(client, "smart-factories", day) == counted("smart-factories", day)
        # A sum lists the entries it sums.
        assert listed(client, summed.code, day) == entries
    assert counted("smart-factories", BEFORE) == 2


def test_a_windowed_count_lists_the_entries_within_its_window(people):
    recognise(2, "leading", dt.date(2019, 6, 1))
    recognise(3, "leading", dt.date(2021, 6, 1))
    Target.objects.filter(code="ent-leading").update(
        window_start=dt.date(2020, 1, 1), window_end=dt.date(2022, 12, 31)
    )
    client = client_for(people["reviewer"])

    for day in (BEFORE, AFTER):
        assert listed(client, "ent-leading", day) == counted("ent-leading", day)
    assert (
        counted("ent-leading", AFTER)
        == 3
        + Enterprise.objects.filter(
            tier="leading", recognised_on__range=(dt.date(2020, 1, 1), AFTER)
        )
        .exclude(name_zh__startswith="企业")
        .count()
    )


def test_the_target_page_links_its_counted_value_to_the_list(people):
    recognise(4, "leading", dt.date(2020, 5, 1))
    recompute_progress(BEFORE)
    client = english(people["staff"])
    target = Target.objects.get(code="ent-leading")
    page = client.get(f"/plans/{target.plan.code}/targets/ent-leading/")
    html = page.content.decode()
    link = re.search(r'<p id="counted-entries"><a href="([^"]+)">([^<]+)</a>', html)
    assert link is not None
    assert "as of" in link.group(2)
    url = unescape(link.group(1))
    assert f"as_of={BEFORE.isoformat()}" in url
    listing = client.get(url)
    assert listing.context["page"].count == counted("ent-leading", BEFORE)
    # The value itself links there too.
    assert 'id="counted-value"' in html
    assert 'id="as-of-note"' in listing.content.decode()


def test_a_reported_target_has_no_register_link(people):
    client = client_for(people["staff"])
    target = Target.objects.get(code="robots-in-service")
    html = client.get(f"/plans/{target.plan.code}/targets/{target.code}/").content.decode()
    assert 'id="counted-entries"' not in html


def test_a_bad_as_of_date_is_a_field_error_not_a_500(people):
    response = english(people["staff"]).get("/enterprises/?as_of=2021-13-40")
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_the_api_lists_the_same_entries_as_of_a_date(people):
    recognise(3, "benchmark", dt.date(2020, 5, 1))
    Enterprise.objects.update(owner_unit=people["staff"].unit)
    promote(Enterprise.objects.filter(tier="benchmark", plan_key__isnull=True).first(), people)
    target = Target.objects.get(code="ent-benchmark")
    client = client_for(people["auditor"])
    for day in (BEFORE, AFTER):
        query = "&".join(f"{k}={v}" for k, v in register_list_query(target, day))
        response = client.get(f"/api/v1/enterprises/?{query}")
        assert response.status_code == 200, response.content
        assert response.json()["count"] == counted("ent-benchmark", day)
    refused = client.get("/api/v1/enterprises/?as_of=2021-02-30")
    assert refused.status_code == 400
    assert "as_of" in refused.json()["errors"] or "as_of" in str(refused.json())
