"""OWASP ASVS 4.0.3, level 1–2 items, each proved by the tests named after it:

- V2.2.1  sign-in throttling cannot be dodged (spaces around the name, the admin's sign-in),
          and a failed sign-in does not tell which user names exist;
- V3.2.1  the session key changes at sign-in (a planted key is worth nothing);
- V3.3.1  a session replayed after sign-out is refused, in the browser and the API;
- V3.4.1–3 the session and CSRF cookies are Secure, HttpOnly (session) and SameSite in the
          production configuration (zjai/settings.py derives them from DEBUG=0);
- V4.2.2  CSRF is enforced on every session-authenticated write, forms and API;
- V1.4.x / V4.1.x segregation of duties: no one approves or rejects a figure they reported
          or submitted, whatever their role and whatever the channel;
- V4.2.1  IDOR: a user of one unit probing another unit's objects by id gets 404 (or 403 for
          an action on an object they may read), on every object page and endpoint, and
          nothing changes;
- V7.1.1  neither passwords nor token keys reach the logs (plain or JSON);
- V14.4.3 pages carry a Content-Security-Policy header.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils.module_loading import import_string

from tests.api.client import ApiClient
from tests.api.fixtures import OTHER_TARGET, OWN_TARGET, World
from tests.ops.test_settings import PRODUCTION, manage
from tests.security.helpers import assert_api_error
from tests.web import client_for

LOGIN = "/accounts/login/"
PASSWORD = "Pw-" + secrets.token_urlsafe(12)


@pytest.fixture
def member(world: World, make_user: Any) -> Callable[..., Any]:
    """member("name") → a staff user of econ-it who signs in with PASSWORD."""
    from plans.models import ResponsibleUnit

    unit = ResponsibleUnit.objects.get(code="econ-it")

    def make(username: str, role: str = "staff") -> Any:
        return make_user(username, role, unit, password=PASSWORD)

    return make


def sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def signed_in(client: Client) -> bool:
    response = client.get("/")
    return response.status_code == 200


# --- V2.2.1 sign-in throttling --------------------------------------------------------------------


def test_the_sign_in_lock_cannot_be_dodged_with_spaces_around_the_user_name(member: Any) -> None:
    member("throttled")
    client = Client()
    spellings = ["throttled", " throttled", "throttled ", "\tthrottled"]
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = sign_in(client, spellings[attempt % len(spellings)], "wrong")
        assert response.status_code == 200
    assert sign_in(client, " throttled ", "wrong").status_code == 429
    # Locked: even the right password, however the name is spelt, is refused.
    for spelling in spellings:
        assert sign_in(client, spelling).status_code == 429
    assert not signed_in(client)


def test_the_admin_sign_in_is_throttled_too(member: Any) -> None:
    user = member("admin_throttled", "admin")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/admin/login/", {"username": "admin_throttled", "password": "wrong"}
        )
        assert response.status_code == 200
    locked = client.post("/admin/login/", {"username": "admin_throttled", "password": "wrong"})
    assert locked.status_code == 429
    right = client.post("/admin/login/", {"username": "admin_throttled", "password": PASSWORD})
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_a_failed_sign_in_does_not_say_whether_the_user_exists(member: Any) -> None:
    member("exists")
    known = sign_in(Client(), "exists", "wrong")
    unknown = sign_in(Client(), "does-not-exist", "wrong")
    assert known.status_code == unknown.status_code == 200

    def errors(response: Any) -> list[str]:
        return response.context["form"].non_field_errors()

    assert errors(known) == errors(unknown)
    assert "用户名和密码" in " ".join(errors(known))


# --- V3.2.1 / V3.3.1 sessions ---------------------------------------------------------------------


def test_signing_in_issues_a_new_session_key_and_a_planted_one_is_worth_nothing(
    member: Any,
) -> None:
    member("fixated")
    planted = SessionStore()
    planted["note"] = "a session id the attacker knows"
    planted.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert sign_in(client, "fixated").status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert key and key != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    attacker = Client()
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted.session_key
    assert not signed_in(attacker)
    assert signed_in(client)


def test_a_session_replayed_after_sign_out_is_refused(member: Any) -> None:
    member("leaving")
    client = Client()
    assert sign_in(client, "leaving").status_code == 302
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert signed_in(replay)  # the copy works while the session lives…
    assert replay.get("/api/v1/targets/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    # …and not after sign-out: the browser is sent to sign in, the API answers 401.
    page = replay.get("/")
    assert page.status_code == 302 and page["Location"].startswith(LOGIN)
    assert replay.get("/api/v1/targets/").status_code == 401
    assert replay.post("/api/v1/tokens/", {"name": "x"}).status_code in (401, 403)


def test_signing_out_takes_a_post_so_a_link_cannot_sign_anyone_out(member: Any) -> None:
    member("staying")
    client = Client()
    sign_in(client, "staying")
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)


# --- V3.4.1–3 cookies in production ---------------------------------------------------------------

COOKIE_SETTINGS = (
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_NAME",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
)


@pytest.fixture(scope="module")
def production_cookies() -> dict[str, Any]:
    """The cookie settings as zjai/settings.py derives them for production (DEBUG=0 and the
    other variables of tests/ops/test_settings.py), read in a process of their own."""
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {list(COOKIE_SETTINGS)!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_configuration_makes_the_cookies_secure_httponly_and_samesite(
    production_cookies: dict[str, Any],
) -> None:
    assert production_cookies["SESSION_COOKIE_SECURE"] is True
    assert production_cookies["SESSION_COOKIE_HTTPONLY"] is True
    assert production_cookies["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert production_cookies["CSRF_COOKIE_SECURE"] is True
    assert production_cookies["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    # V3.4.4: the __Host- prefix binds them to the host and path (no Domain attribute).
    assert production_cookies["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production_cookies["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production_cookies["LANGUAGE_COOKIE_SECURE"] is True
    assert production_cookies["LANGUAGE_COOKIE_HTTPONLY"] is True


def test_cookies_sent_under_the_production_configuration_carry_the_flags(
    production_cookies: dict[str, Any], member: Any, settings: Any
) -> None:
    for name, value in production_cookies.items():
        setattr(settings, name, value)
    member("cookies")
    client = Client()
    page = client.get(LOGIN, secure=True)
    csrf = page.cookies[production_cookies["CSRF_COOKIE_NAME"]]
    assert csrf["secure"] is True
    assert csrf["samesite"] == production_cookies["CSRF_COOKIE_SAMESITE"]
    response = sign_in(client, "cookies", secure=True)
    assert response.status_code == 302
    session = response.cookies[production_cookies["SESSION_COOKIE_NAME"]]
    assert session.value
    assert (session["path"], session["domain"]) == ("/", "")  # as __Host- requires
    assert session["secure"] is True
    assert session["httponly"] is True
    assert session["samesite"] == production_cookies["SESSION_COOKIE_SAMESITE"]
    # A page viewed later renews the session cookie with the same flags.
    renewed = client.get("/", secure=True).cookies[production_cookies["SESSION_COOKIE_NAME"]]
    assert (renewed["secure"], renewed["httponly"]) == (True, True)


# --- V4.2.2 CSRF ----------------------------------------------------------------------------------


def version_of(world: World, name: str) -> int:
    from targets.models import Measurement

    return Measurement.objects.get(pk=world.figures[name]).version


FIGURE = {"value": "1300", "observed_on": "2021-09-30", "note": "季报"}
# (who, url, form data) of every kind of browser write.
BROWSER_WRITES: list[tuple[str, str, Callable[[World], dict[str, Any]]]] = [
    ("staff", f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/", lambda w: FIGURE),
    (
        "staff",
        "/figures/{own_draft}/edit/",
        lambda w: {**FIGURE, "version": version_of(w, "own_draft")},
    ),
    ("staff", "/figures/{own_draft}/submit/", lambda w: {"version": version_of(w, "own_draft")}),
    (
        "reviewer",
        "/figures/{own_submitted}/review/",
        lambda w: {"approve": "1", "version": version_of(w, "own_submitted")},
    ),
    (
        "reviewer",
        "/figures/{own_approved}/withdraw/",
        lambda w: {"reason": "口径调整", "version": version_of(w, "own_approved")},
    ),
    (
        "staff",
        "/enterprises/new/",
        lambda w: {"name_zh": "跨站企业", "city": "hangzhou", "status": "active"},
    ),
    (
        "staff",
        "/projects/new/",
        lambda w: {
            "name_zh": "跨站项目",
            "kind": "major",
            "level": "city",
            "status": "planned",
            "city": "hangzhou",
        },
    ),
    ("auditor", "/reports/", lambda w: {"format": "csv", "as_of": "2022-06-30"}),
    (
        "staff",
        "/tasks/reports/{report_own_draft}/submit/",
        lambda w: {"version": report_version(w, "own_draft")},
    ),
    (
        "reviewer",
        "/tasks/reports/{report_own_submitted}/review/",
        lambda w: {"approve": "1", "version": report_version(w, "own_submitted")},
    ),
    (
        "staff",
        "/tasks/notices/{notice_own}/reply/",
        lambda w: {"reply": "已报送", "version": 1},
    ),
    ("staff", "/accounts/logout/", lambda w: {}),
]


def report_version(world: World, name: str) -> int:
    from taskreports.models import TaskReport

    return TaskReport.objects.get(pk=world.task_reports[name]).version


def resolve(url: str, world: World) -> str:
    return url.format(
        **world.figures,
        **{f"report_{name}": pk for name, pk in world.task_reports.items()},
        **{f"notice_{name}": pk for name, pk in world.notices.items()},
    )


@pytest.mark.parametrize(("who", "url", "data"), BROWSER_WRITES, ids=[w[1] for w in BROWSER_WRITES])
def test_csrf_is_enforced_on_every_browser_write(
    who: str, url: str, data: Callable[[World], dict[str, Any]], world: World, unchanged: Any
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(who))
    assert signed_in(client)  # also fetches the page that sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    target = resolve(url, world)
    with unchanged():
        forged = client.post(target, data(world))
        assert forged.status_code == 403
        foreign = client.post(
            target,
            {**data(world), "csrfmiddlewaretoken": token},
            HTTP_ORIGIN="https://evil.example",
        )
        assert foreign.status_code == 403
    assert signed_in(client)  # the forged sign-out did not sign anyone out
    genuine = client.post(target, {**data(world), "csrfmiddlewaretoken": token})
    assert genuine.status_code == 302, (genuine.status_code, target)


API_WRITES = [
    ("POST", "/api/v1/measurements/", {"target": OWN_TARGET, **FIGURE}, None),
    ("PATCH", "/api/v1/measurements/{own_draft}/", {"note": "改"}, "own_draft"),
    ("POST", "/api/v1/measurements/{own_draft}/submit/", None, "own_draft"),
    ("PATCH", "/api/v1/enterprises/{enterprise}/", {"name_en": "CSRF Ltd"}, "enterprise"),
    ("POST", "/api/v1/tokens/", {"name": "from a forged page"}, None),
    ("DELETE", "/api/v1/tokens/{token}/", None, None),
]


@pytest.mark.parametrize(("method", "path", "body", "versioned"), API_WRITES)
def test_csrf_is_enforced_on_session_authenticated_api_writes(
    method: str,
    path: str,
    body: dict[str, Any] | None,
    versioned: str | None,
    world: World,
    unchanged: Any,
) -> None:
    from enterprises.models import Enterprise

    client = ApiClient(enforce_csrf_checks=True)
    client.force_login(world.user("staff"))
    client.get("/")  # a page of the site, which sets the CSRF cookie
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    url = path.format(
        **world.figures, enterprise=world.enterprises["own"], token=world.token_ids["staff_spare"]
    )
    headers: dict[str, str] = {}
    if versioned == "enterprise":
        headers["HTTP_IF_MATCH"] = (
            f'"{Enterprise.objects.get(pk=world.enterprises["own"]).version}"'
        )
    elif versioned:
        headers["HTTP_IF_MATCH"] = f'"{version_of(world, versioned)}"'
    send = getattr(client, method.lower())
    with unchanged():
        forged = send(url, body, format="json", **headers)
    body_ = assert_api_error(forged, 403, "permission_denied")
    assert "CSRF" in body_["detail"]
    genuine = send(url, body, format="json", HTTP_X_CSRFTOKEN=token, **headers)
    assert genuine.status_code in (200, 201, 204), genuine.content[:300]


# --- V1.4 / V4.1 segregation of duties ------------------------------------------------------------

# (who reported the draft, who submitted it): each then tries to review it themselves.
OWN_FIGURES = [
    ("reviewer", "reviewer"),
    ("staff", "reviewer"),
    ("reviewer", "staff"),
    ("admin", "admin"),
]


@pytest.mark.parametrize("decision", ["approve", "reject"])
@pytest.mark.parametrize("channel", ["browser", "api", "service"])
@pytest.mark.parametrize(("reporter", "submitter"), OWN_FIGURES)
def test_no_one_reviews_a_figure_they_reported_or_submitted(
    reporter: str,
    submitter: str,
    channel: str,
    decision: str,
    world: World,
    as_user: Any,
    unchanged: Any,
) -> None:
    from django.core.exceptions import PermissionDenied

    from targets import services
    from targets.models import Target

    draft = services.create_measurement(
        target=Target.objects.get(code=OWN_TARGET),
        value="1400",
        observed_on="2021-12-31",
        acting_user=world.user(reporter),
    )
    figure = services.submit_measurement(draft, acting_user=world.user(submitter))
    own = reporter if reporter in ("reviewer", "admin") else submitter
    comment = "自己审核自己"
    with unchanged():
        if channel == "browser":
            response = client_for(world.user(own)).post(
                f"/figures/{figure.pk}/review/",
                {decision: "1", "comment": comment, "version": figure.version},
            )
            assert response.status_code == 403
            assert "您不能审核" in response.content.decode()
        elif channel == "api":
            response = as_user(own).post(
                f"/api/v1/measurements/{figure.pk}/{decision}/",
                {"comment": comment},
                format="json",
                HTTP_IF_MATCH=f'"{figure.version}"',
            )
            assert_api_error(response, 403, "permission_denied")
        else:
            review = (
                services.approve_measurement
                if decision == "approve"
                else services.reject_measurement
            )
            with pytest.raises(PermissionDenied):
                review(figure, acting_user=world.user(own), comment=comment)
    # Another eligible reviewer may: the refusal is about the person, not the figure.
    other = "admin" if own != "admin" else "reviewer"
    response = as_user(other).post(
        f"/api/v1/measurements/{figure.pk}/{decision}/",
        {"comment": "核对"},
        format="json",
        HTTP_IF_MATCH=f'"{figure.version}"',
    )
    assert response.status_code == 200


def test_the_review_page_offers_no_decision_on_ones_own_figure(world: World) -> None:
    from targets import services
    from targets.models import Target

    admin = world.user("admin")
    draft = services.create_measurement(
        target=Target.objects.get(code=OWN_TARGET),
        value="1",
        observed_on="2021-12-31",
        acting_user=admin,
    )
    figure = services.submit_measurement(draft, acting_user=admin)
    page = client_for(admin).get(f"/figures/{figure.pk}/review/").content.decode()
    assert 'name="approve"' not in page and 'name="reject"' not in page
    assert "您不能审核" in page


# --- V4.2.1 IDOR across units ---------------------------------------------------------------------

SECRET_NOTE = "econ-it 内部草稿 7f3a"


@pytest.fixture
def evidence(world: World, media: Any) -> dict[str, str]:
    """Evidence files on econ-it's draft, submitted and approved figures, and a finished
    export of the auditor's, each with a file on disk."""
    from django.utils import timezone

    from plans.models import Plan
    from reports.models import Export
    from targets.models import Measurement

    files = {}
    for name in ("own_draft", "own_submitted", "own_rejected", "own_approved"):
        path = f"evidence/2021/06/{name}.pdf"
        (media / path).parent.mkdir(parents=True, exist_ok=True)
        (media / path).write_bytes(b"%PDF-1.4 " + name.encode())
        Measurement.objects.filter(pk=world.figures[name]).update(evidence=path, note=SECRET_NOTE)
        files[name] = path
    Measurement.objects.filter(pk=world.figures["own_approved"]).update(note="公开的核定数")
    (media / "exports").mkdir()
    (media / "exports" / "report.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    export = Export.objects.create(
        requested_by=world.user("auditor"),
        requested_at=timezone.now(),
        plan=Plan.objects.get(),
        format="csv",
        as_of="2022-06-30",
        state="done",
        progress=1.0,
        file="exports/report.zip",
    )
    files["export"] = str(export.pk)
    return files


# (who probes, method, url, expected): people of talent-office probing econ-it's objects, and
# users probing what belongs to another user.
BROWSER_PROBES = [
    ("other_staff", "GET", "/figures/{own_draft}/edit/", 404),
    ("other_staff", "POST", "/figures/{own_draft}/edit/", 404),
    ("other_staff", "GET", "/figures/{own_rejected}/edit/", 404),
    ("other_staff", "POST", "/figures/{own_draft}/submit/", 404),
    ("other_staff", "GET", "/figures/{own_draft}/evidence/", 404),
    ("other_staff", "GET", "/figures/{own_submitted}/evidence/", 404),
    ("other_staff", "GET", "/figures/{own_rejected}/evidence/", 404),
    ("other_reviewer", "GET", "/figures/{own_submitted}/review/", 404),
    ("other_reviewer", "POST", "/figures/{own_submitted}/review/", 404),
    ("other_reviewer", "GET", "/figures/{own_draft}/withdraw/", 404),
    ("other_reviewer", "GET", "/figures/{own_approved}/withdraw/", 403),
    ("other_reviewer", "POST", "/figures/{own_approved}/withdraw/", 403),
    ("other_reviewer", "GET", "/figures/{own_approved}/review/", 403),
    ("other_staff", "GET", "/figures/{own_approved}/edit/", 403),
    ("other_staff", "GET", "/enterprises/{enterprise}/edit/", 403),
    ("other_staff", "POST", "/enterprises/{enterprise}/edit/", 403),
    ("other_staff", "GET", "/projects/{project}/edit/", 403),
    ("other_staff", "POST", "/projects/{project}/edit/", 403),
    ("other_staff", "GET", "/reports/exports/{export}/", 404),
    ("other_staff", "GET", "/reports/exports/{export}/download/", 404),
    ("other_staff", "GET", "/reports/history/measurement/{own_draft}/", 403),
    ("second_auditor", "GET", "/reports/exports/{export}/", 404),
    ("second_auditor", "GET", "/reports/exports/{export}/status/", 404),
    ("second_auditor", "GET", "/reports/exports/{export}/download/", 404),
    ("other_staff", "GET", "/admin/accounts/user/{staff_id}/change/", 302),
]


def probe_data(url: str, world: World) -> dict[str, Any]:
    if "/withdraw/" in url:
        return {"reason": "越权", "version": 1}
    if "/review/" in url:
        return {"approve": "1", "version": 2}
    if "/enterprises/" in url:
        return {"name_zh": "越权", "city": "hangzhou", "status": "active", "version": 1}
    if "/projects/" in url:
        return {
            "name_zh": "越权",
            "kind": "major",
            "level": "city",
            "status": "planned",
            "city": "ningbo",
            "version": 1,
        }
    return {**FIGURE, "version": 1}


@pytest.mark.parametrize(("who", "method", "url", "expected"), BROWSER_PROBES)
def test_another_units_objects_are_out_of_reach_in_the_browser(
    who: str,
    method: str,
    url: str,
    expected: int,
    world: World,
    evidence: dict[str, str],
    make_user: Any,
    unchanged: Any,
) -> None:
    if who == "second_auditor":
        prober = make_user("second_auditor", "auditor", world.user("auditor").unit)
    else:
        prober = world.user(who)
    target = url.format(
        **world.figures,
        enterprise=world.enterprises["own"],
        project=world.projects["own"],
        export=evidence["export"],
        staff_id=world.users["staff"],
    )
    client = client_for(prober)
    with unchanged():
        if method == "GET":
            response = client.get(target)
        else:
            response = client.post(target, probe_data(target, world))
    assert response.status_code == expected, (target, response.status_code)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert SECRET_NOTE.encode() not in body
    assert b"%PDF" not in body and b"PK\x05\x06" not in body
    if expected == 302:  # the admin sends a non-staff user to its own sign-in, showing nothing
        assert response["Location"].startswith("/admin/login/")


def test_the_owner_and_the_auditor_do_reach_them(world: World, evidence: dict[str, str]) -> None:
    """The probes above fail for the prober, not because the objects are missing."""
    staff, auditor = client_for(world.user("staff")), client_for(world.user("auditor"))
    assert staff.get(f"/figures/{world.figures['own_draft']}/evidence/").status_code == 200
    assert staff.get(f"/figures/{world.figures['own_draft']}/edit/").status_code == 200
    assert staff.get(f"/enterprises/{world.enterprises['own']}/edit/").status_code == 200
    download = auditor.get(f"/reports/exports/{evidence['export']}/download/")
    assert download.status_code == 200
    other = client_for(world.user("other_staff"))
    # Approved figures and their evidence are everyone's to read (docs/user-guide.md).
    assert other.get(f"/figures/{world.figures['own_approved']}/evidence/").status_code == 200


def body_of(response: Any) -> str:
    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode("utf-8-sig")


def test_lists_and_pages_do_not_show_another_units_drafts(
    world: World, evidence: dict[str, str]
) -> None:
    hidden = {world.figures[n] for n in ("own_draft", "own_submitted", "own_rejected")}
    for name, sees in (("other_staff", False), ("staff", True)):
        client = client_for(world.user(name))
        for url in (f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/", "/figures/?export=csv"):
            assert (SECRET_NOTE in body_of(client.get(url))) is sees, (name, url)
        rows = client.get("/figures/", {"target": OWN_TARGET}).context["rows"]
        assert bool(hidden & {figure.pk for figure in rows}) is sees, name
        assert world.figures["own_approved"] in {figure.pk for figure in rows}


# (who probes, method, path, body, expected), the path's names resolved by api_url().
API_PROBES: list[tuple[str, str, str, dict[str, Any] | None, int]] = [
    ("other_staff", "GET", "measurements/{own_draft}/", None, 404),
    ("other_staff", "PATCH", "measurements/{own_draft}/", {"note": "x"}, 404),
    ("other_staff", "PUT", "measurements/{own_rejected}/", FIGURE, 404),
    ("other_staff", "POST", "measurements/{own_draft}/submit/", None, 404),
    ("other_reviewer", "GET", "measurements/{own_submitted}/", None, 404),
    ("other_reviewer", "POST", "measurements/{own_submitted}/approve/", {}, 404),
    ("other_reviewer", "POST", "measurements/{own_submitted}/reject/", {"comment": "x"}, 404),
    ("other_reviewer", "POST", "measurements/{own_approved}/withdraw/", {"reason": "x"}, 403),
    ("other_staff", "PATCH", "measurements/{own_approved}/", {"note": "x"}, 403),
    ("other_staff", "PATCH", "enterprises/{enterprise}/", {"name_en": "x"}, 403),
    ("other_staff", "PUT", "enterprises/{enterprise}/", {"name_zh": "x", "city": "hangzhou"}, 403),
    ("other_staff", "PATCH", "projects/{project}/", {"name_en": "x"}, 403),
    ("other_staff", "GET", "tokens/{token_staff}/", None, 404),
    ("other_staff", "DELETE", "tokens/{token_staff}/", None, 404),
    # Tokens are a person's, not a unit's: a colleague of the same unit cannot reach them.
    ("staff", "GET", "tokens/{token_reviewer}/", None, 404),
    ("staff", "DELETE", "tokens/{token_reviewer}/", None, 404),
    ("reviewer", "DELETE", "tokens/{token_auditor_spare}/", None, 404),
    ("other_staff", "GET", "audit-events/", None, 403),
    ("other_staff", "GET", "audit-events/{audit_seq}/", None, 403),
]


def api_url(path: str, world: World) -> str:
    tokens = {f"token_{name}": pk for name, pk in world.token_ids.items()}
    return "/api/v1/" + path.format(
        **world.figures,
        **tokens,
        enterprise=world.enterprises["own"],
        project=world.projects["own"],
        audit_seq=world.audit_seq,
    )


@pytest.mark.parametrize(("who", "method", "path", "body", "expected"), API_PROBES)
def test_another_units_objects_are_out_of_reach_through_the_api(
    who: str,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    expected: int,
    world: World,
    as_user: Any,
    unchanged: Any,
) -> None:
    from enterprises.models import Enterprise
    from projects.models import Project
    from targets.models import Measurement

    url = api_url(path, world)
    headers = {}
    if method in ("PATCH", "PUT", "POST") and not path.startswith("tokens"):
        model = {"measurements": Measurement, "enterprises": Enterprise, "projects": Project}
        pk = int(re.findall(r"/(\d+)/", url)[0])
        headers["HTTP_IF_MATCH"] = f'"{model[path.split("/")[0]].objects.get(pk=pk).version}"'
    with unchanged():
        response = getattr(as_user(who), method.lower())(url, body, format="json", **headers)
    code = "not_found" if expected == 404 else "permission_denied"
    assert_api_error(response, expected, code)


def test_api_lists_and_searches_do_not_leak_another_units_drafts(
    world: World, as_user: Any, evidence: dict[str, str]
) -> None:
    other = as_user("other_staff")
    hidden = {world.figures[n] for n in ("own_draft", "own_submitted", "own_rejected")}
    listed = other.get("/api/v1/measurements/", {"target": OWN_TARGET, "limit": 500}).json()
    assert hidden.isdisjoint(row["id"] for row in listed["results"])
    assert world.figures["own_approved"] in {row["id"] for row in listed["results"]}
    assert other.get("/api/v1/measurements/", {"search": "7f3a"}).json()["count"] == 0
    assert as_user("staff").get("/api/v1/measurements/", {"search": "7f3a"}).json()["count"] == 3
    tokens = other.get("/api/v1/tokens/", {"limit": 500}).json()["results"]
    assert {t["user"] for t in tokens} == {"other_staff"}
    assert other.get("/api/v1/tokens/", {"user": "staff"}).json()["count"] == 0
    assert as_user("other_staff").get(f"/api/v1/targets/{OTHER_TARGET}/").status_code == 200


# --- V7.1.1 no credentials in logs ----------------------------------------------------------------


def formatters() -> list[logging.Formatter]:
    """The formatters of settings.LOGGING: plain text, and JSON (LOG_FORMAT=json)."""
    out: list[logging.Formatter] = []
    for spec in settings.LOGGING["formatters"].values():
        spec = dict(spec)
        factory = import_string(spec.pop("()")) if "()" in spec else logging.Formatter
        if factory is logging.Formatter:
            out.append(logging.Formatter(spec.get("format")))
        else:
            out.append(factory(**spec))
    return out


def test_no_password_or_token_key_reaches_the_logs(
    member: Any, world: World, as_user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    member("logged")
    with caplog.at_level(logging.DEBUG):
        browser = Client()
        sign_in(browser, "logged", PASSWORD + "-typo")  # a failed sign-in
        assert sign_in(browser, "logged").status_code == 302  # a good one
        browser.post("/accounts/logout/")
        locked = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(locked, "logged", PASSWORD[::-1])  # until the lock
        assert sign_in(locked, "logged").status_code == 429  # the right password, refused
        created = as_user("staff").post("/api/v1/tokens/", {"name": "log test"}, format="json")
        key = created.json()["key"]
        assert ApiClient().use_token(key).get("/api/v1/targets/").status_code == 200
        typo = key[:-1] + ("A" if key[-1] != "A" else "B")
        assert ApiClient().use_token(typo).get("/api/v1/targets/").status_code == 401
        as_user("staff").delete(f"/api/v1/tokens/{created.json()['id']}/")
        assert ApiClient().use_token(key).get("/api/v1/targets/").status_code == 401
    names = {record.name for record in caplog.records}
    # The capture saw the events it is about: token use, failed sign-ins, refused requests.
    assert {"zjai.api.token_use", "django.request"} <= names
    assert any(name.startswith("axes") for name in names)
    secrets_ = {
        "password": PASSWORD,
        "mistyped password": PASSWORD + "-typo",
        "reversed password": PASSWORD[::-1],
        "key": key,
        "key without prefix": key[5:],
        "mistyped key": typo,
        "digest": hashlib.sha256(key.encode()).hexdigest(),
    }
    for record in caplog.records:
        texts = [fmt.format(record) for fmt in formatters()]
        texts.append(repr(record.__dict__))
        for label, secret in secrets_.items():
            for text in texts:
                assert secret not in text, f"{label} in the log of {record.name}: {text[:300]}"


# --- V14.4.3 Content-Security-Policy --------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        LOGIN,
        "/",
        "/plan/",
        f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/",
        "/enterprises/",
        "/reports/",
        "/api/docs/",
        "/no-such-page/",
    ],
)
def test_pages_carry_a_content_security_policy(url: str, world: World) -> None:
    client = Client() if url == LOGIN else client_for(world.user("admin"))
    response = client.get(url)
    assert response.status_code in (200, 404)
    header = response.get("Content-Security-Policy", "")
    directives = {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}
    assert directives.get("default-src") == ["'self'"], header
    assert directives.get("script-src") == ["'self'"], header
    assert directives.get("object-src") == ["'none'"], header
    assert directives.get("frame-ancestors") == ["'none'"], header
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
