"""Sign-in, sign-out, the throttle, session expiry, and that every page needs a user with a role."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.web import PASSWORD, client_for

PAGES = [
    "portfolio:dashboard",
    "portfolio:tree",
    "targets:list",
    "targets:figures",
    "enterprises:list",
    "enterprises:create",
    "enterprises:import",
    "projects:list",
    "projects:create",
    "projects:import",
    "taskreports:report-list",
    "taskreports:milestone-list",
    "taskreports:notice-list",
    "portfolio:supervision",
    "notifications:inbox",
    "notifications:settings",
    "reports:export",
    "reports:bulletin",
    "search:results",
    # Pages of one thing (issue 16): a unit, any plan item, a figure.
    ("portfolio:unit", ["econ-it"]),
    ("portfolio:item", ["zj-ai-2019-2022", "I.1"]),
    ("targets:figure", [1]),
]


def url_of(page) -> str:
    """A page's address: its name, or its name and the arguments it takes."""
    if isinstance(page, tuple):
        name, args = page
        return reverse(name, args=args)
    return reverse(page)


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_visitors_are_sent_to_the_sign_in_page(db, name):
    url = url_of(name)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert f"next={url}" in response["Location"]


def test_anonymous_detail_pages_and_evidence_redirect_too(plan):
    for url in (
        "/plans/zj-ai-2019-2022/targets/robots-in-service/",
        "/figures/1/evidence/",
        "/enterprises/1/",
    ):
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))


def test_media_files_are_not_served_directly(db):
    # Evidence lives under MEDIA_ROOT; it is downloaded only through the permission-checked view.
    response = Client().get("/media/evidence/2022/01/x.pdf")
    assert response.status_code in (302, 404)


def test_the_sign_in_page_is_chinese_first_and_can_switch_to_english(db):
    client = Client()
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    switched = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )
    assert switched.status_code == 200
    assert "Sign in" in switched.content.decode()
    assert "登录" not in switched.content.decode().split("<main")[1]


def test_sign_in_and_out(people):
    client = Client()
    response = client.post(
        reverse("login"), {"username": "staff1", "password": PASSWORD, "next": "/plan/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/plan/"
    assert client.get("/").status_code == 200
    out = client.post(reverse("logout"))
    assert out.status_code == 302
    assert client.get("/").status_code == 302


def test_failed_sign_ins_are_throttled(people):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("login"), {"username": "staff1", "password": "wrong"})
        assert response.status_code == 200  # the form again, with its error
        assert "用户名或密码不正确" in response.content.decode()
    locked = client.post(reverse("login"), {"username": "staff1", "password": "wrong"})
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # Even the right password is refused while the lock lasts.
    again = client.post(reverse("login"), {"username": "staff1", "password": PASSWORD})
    assert again.status_code == 429
    assert client.get("/").status_code == 302
    # Another user name from the same address is not locked.
    other = client.post(reverse("login"), {"username": "reviewer1", "password": PASSWORD})
    assert other.status_code == 302


def test_sessions_expire_after_inactivity_and_each_request_renews_them(people):
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert 0 < settings.SESSION_COOKIE_AGE <= 8 * 3600
    client = Client()
    client.post(reverse("login"), {"username": "staff1", "password": PASSWORD})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    first = Session.objects.get(session_key=key).expire_date
    Session.objects.filter(session_key=key).update(expire_date=first - dt.timedelta(minutes=5))
    assert client.get("/").status_code == 200
    renewed = Session.objects.get(session_key=key).expire_date
    assert renewed > first - dt.timedelta(minutes=5)
    # Idle past the limit: the session is gone and the next page asks to sign in.
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", PAGES)
def test_a_signed_in_user_without_a_role_sees_nothing(people, name):
    response = client_for(people["norole"]).get(url_of(name))
    assert response.status_code == 403


def test_the_api_is_not_redirected_to_the_sign_in_page(db):
    # Token clients get the API's own answer (401/403/404 in JSON), never a login redirect.
    response = Client().get("/api/v1/")
    assert response.status_code != 302
