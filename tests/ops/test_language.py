"""The interface is Chinese first, whatever the browser asks; the switch turns English on."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_pages_are_chinese_even_for_a_browser_set_to_english():
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert '<html lang="zh-hans"' in page.content.decode()


@pytest.mark.django_db
def test_the_switch_turns_english_on_and_it_sticks():
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    page = client.get("/accounts/login/")
    assert '<html lang="en"' in page.content.decode()
