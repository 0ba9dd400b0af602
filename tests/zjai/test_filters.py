"""A list page's filters: the empty choice of every select means "any value" and says "All",
for a choice, a unit or a yes/no filter alike; Yes and No filter, and stay chosen."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from targets.models import Target
from tests.web import client_for

LISTS = ["/targets/", "/figures/", "/enterprises/", "/projects/", "/tasks/reports/"]
LISTS += ["/tasks/milestones/", "/tasks/notices/"]


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def filter_selects(html: str) -> dict[str, list[tuple[str, str, bool]]]:
    """name → [(value, label, selected)] of each select of the filter form."""
    form = html[html.index('<form method="get" class="filters') :]
    form = form[: form.index("</form>")]
    out = {}
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        out[name] = [
            (value, label.strip(), bool(selected))
            for value, selected, label in re.findall(
                r'<option value="([^"]*)"( selected)?>([^<]*)</option>', body
            )
        ]
    return out


@pytest.mark.parametrize("url", LISTS)
def test_the_empty_choice_of_every_filter_reads_all(people, url):
    page = english(people["admin"]).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    selects = filter_selects(html)
    assert "---------" not in html and "Unknown" not in html
    for name, options in selects.items():
        assert options[0][:2] == ("", "All"), (url, name, options[0])


def test_a_yes_no_filter_offers_all_yes_and_no_and_keeps_the_choice(people):
    client = english(people["admin"])
    selects = filter_selects(client.get("/targets/").content.decode())
    assert selects["headline"] == [
        ("", "All", True),
        ("true", "Yes", False),
        ("false", "No", False),
    ]
    assert selects["source_kind"][0] == ("", "All", True)

    page = client.get("/targets/?headline=true")
    chosen = filter_selects(page.content.decode())["headline"]
    assert [option for option in chosen if option[2]] == [("true", "Yes", True)]
    shown = page.content.decode()
    headline = Target.objects.filter(headline=True).first()
    other = Target.objects.filter(headline=False).first()
    assert headline is not None and headline.title_en in shown
    assert other is not None and other.title_en not in shown


def test_the_filters_all_reads_quanbu_in_chinese(people):
    # The Chinese word is the point of the issue ("未知" and "---------" for "any").
    html = client_for(people["admin"]).get("/targets/").content.decode()
    selects = filter_selects(html)
    assert selects["headline"][0][:2] == ("", "全部")
    assert "未知" not in html and "---------" not in html
