"""The public pages (publishing.views, publishing.site), as an anonymous visitor reads them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.test import Client

from publishing import services
from tests.publishing.conftest import DRAFT_VALUE, EVIDENCE_NOTE, PENDING_VALUE, REVIEW_COMMENT
from zjai.api.throttles import process_counters

SECRETS = (DRAFT_VALUE, PENDING_VALUE, REVIEW_COMMENT, EVIDENCE_NOTE)
STAFF_NAMES = ("clerk", "checker", "boss")


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    process_counters.clear()
    yield
    cache.clear()
    process_counters.clear()


def addresses(publication) -> list[str]:
    """Every kind of public page of the publication, in Chinese then English."""
    code = publication.plan.code
    content = publication.content
    target = next(t["code"] for t in content["targets"] if t["figures"])
    task = next(i["key"] for i in content["items"] if i["kind"] == "task")
    unit = content["units"][0]["code"]
    paths = [
        "",
        f"{code}/",
        f"{code}/tasks/{task}/",
        f"{code}/targets/{target}/",
        f"{code}/units/{unit}/",
        f"{code}/data/",
        f"{code}/editions/",
        f"{code}/editions/{publication.number}/",
        f"{code}/editions/{publication.number}/targets/{target}/",
    ]
    return [f"/public/{p}" for p in paths] + [f"/public/en/{p}" for p in paths]


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_every_page_answers_anonymous_visitors_in_both_languages(publication):
    client = Client()
    for address in addresses(publication):
        response = client.get(address)
        assert response.status_code == 200, address
        html = response.content.decode()
        english = address.startswith("/public/en/")
        assert f'<html lang="{"en" if english else "zh-hans"}">' in html, address
        if address.rstrip("/") != "/public" and address != "/public/en/":
            # The edition the page shows is stated on it.
            assert publication.digest[:12] in html, address
            if english:
                assert "Edition 1" in html and "30 Jun 2021" in html, address
            else:
                assert "2021年6月30日" in html, address


def test_chinese_is_the_default_and_english_lives_under_en(publication):
    code = publication.plan.code
    zh = Client().get(f"/public/{code}/").content.decode()
    en = Client().get(f"/public/en/{code}/").content.decode()
    assert publication.content["plan"]["title_zh"] in zh
    assert publication.content["plan"]["title_en"] in en
    # The language switch links to the same page in the other language.
    assert f'href="/public/en/{code}/"' in zh
    assert f'href="/public/{code}/"' in en


def test_no_public_answer_holds_a_secret_or_a_staff_name(publication):
    client = Client()
    for address in addresses(publication):
        html = client.get(address).content.decode()
        for secret in SECRETS:
            assert secret not in html, (address, secret)
        words = set(re.findall(r"[A-Za-z]+", text_of(html)))
        for name in STAFF_NAMES:
            assert name not in words, (address, name)


def test_the_target_page_tells_the_status_chart_figures_and_where_it_sits(publication):
    content = publication.content
    target = next(t for t in content["targets"] if t["figures"])
    html = Client().get(f"/public/en/{publication.plan.code}/targets/{target['code']}/")
    page = html.content.decode()
    assert target["row"]["title_en"] in page
    assert "<svg" in page
    assert target["explanation"]["en"].split(":")[0] in page
    assert "Approved figures" in page
    # Its item is linked; no raw code reaches the reader.
    assert f"/tasks/{target['item']}/" in page
    assert not re.search(r"\b(?:gte|lte|gt|lt|eq|on_track|off_track|no_data)\b", text_of(page))


def test_unknown_addresses_are_the_public_404(publication):
    code = publication.plan.code
    for address in [
        "/public/no-such-plan/",
        f"/public/{code}/targets/no-such-target/",
        f"/public/{code}/tasks/no-such-item/",
        f"/public/{code}/units/no-such-unit/",
        f"/public/{code}/editions/9/",
        "/public/en/no-such-plan/editions/",
    ]:
        response = Client().get(address)
        assert response.status_code == 404, address
        # The public page, not the staff one: no sign-in link, no staff menu.
        assert response.templates[0].name == "publishing/404.html", address
        assert "/accounts/login/" not in response.content.decode(), address


def test_a_withdrawn_edition_is_gone_and_the_previous_one_is_current(publication, plan):
    admin = publication.published_by
    second = services.publish(plan=plan, as_of=dt.date(2021, 3, 31), acting_user=admin)
    code = plan.code
    client = Client()
    assert client.get(f"/public/{code}/editions/2/").status_code == 200
    assert "2021年3月31日" in client.get(f"/public/{code}/").content.decode()
    services.withdraw(second, acting_user=admin, reason="Wrong date")
    assert client.get(f"/public/{code}/editions/2/").status_code == 404
    assert client.get(f"/public/en/{code}/editions/2/data/").status_code == 404
    current = client.get(f"/public/{code}/").content.decode()
    assert "2021年6月30日" in current and publication.digest[:12] in current
    editions = client.get(f"/public/en/{code}/editions/").content.decode()
    assert "Edition 1" in editions and "Edition 2" not in editions


def test_answers_carry_etag_and_cache_control_and_vary_by_no_cookie(publication):
    client = Client()
    address = f"/public/{publication.plan.code}/"
    first = client.get(address)
    assert first["ETag"]
    assert "public" in first["Cache-Control"] and "max-age" in first["Cache-Control"]
    assert "Cookie" not in first.get("Vary", "")
    assert not first.cookies
    again = client.get(address, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_fourth_request_past_the_rate_is_429(publication, settings):
    settings.PUBLIC_RATE = "3/minute"
    client = Client()
    address = f"/public/{publication.plan.code}/"
    assert [client.get(address).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_queries_per_page_do_not_grow_with_visitors_or_targets(
    publication, django_assert_max_num_queries
):
    for address in addresses(publication):
        for _visitor in range(3):
            with django_assert_max_num_queries(4):
                assert Client().get(address).status_code == 200


def test_links_are_absolute_on_the_server_and_relative_in_an_export():
    from publishing.site import Links

    server = Links("en", "zj/targets/t1/", base="zj/")
    assert server.edition("tasks/II.1/") == "/public/en/zj/tasks/II.1/"
    assert server.file("data/targets.csv") == "/public/zj/data/targets.csv"
    assert server.switch() == "/public/zj/targets/t1/"
    export = Links("en", "zj/targets/t1/", base="zj/editions/2/", static=True)
    assert export.edition("tasks/II.1/") == "../../editions/2/tasks/II.1/index.html"
    assert export.file("data/targets.csv") == "../../../../zj/editions/2/data/targets.csv"
    assert export.page("") == "../../../index.html"
    assert export.switch() == "../../../../zj/targets/t1/index.html"
    assert export.asset("css/zjai.css") == "../../../../static/css/zjai.css"
    assert Links("zh-hans", "", static=True).page("zj/") == "zj/index.html"


def test_a_page_once_made_is_served_again_from_the_cache_in_its_language(
    publication, django_assert_num_queries
):
    cache.clear()
    address = "/public/en/zj-ai-2019-2022/targets/robots-in-service/"
    first = Client().get(address)
    assert first.status_code == 200 and first["Content-Language"] == "en"
    with django_assert_num_queries(1):  # the ETag's: the page is not made again
        again = Client().get(address)
    assert again.status_code == 200 and again["Content-Language"] == "en"
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    # A withdrawal changes every ETag: the kept page is never served again.
    services.withdraw(publication, acting_user=publication.published_by, reason="wrong date")
    assert Client().get(address).status_code == 404
