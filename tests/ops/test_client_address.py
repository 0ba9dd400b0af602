"""The sign-in lock follows the real client behind nginx (finding 6 of issue 12).

Behind the documented nginx every request reaches gunicorn from 127.0.0.1; nginx names the
client in X-Forwarded-For. The test client sends exactly what gunicorn hands Django: REMOTE_ADDR
the proxy's address, X-Forwarded-For as nginx's `$proxy_add_x_forwarded_for` makes it (what the
client sent, then the address nginx saw).
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.ops.processes import ROOT
from tests.web import PASSWORD
from zjai.clientip import client_address

NGINX = "127.0.0.1"  # the documented proxy, on the web host
ADDRESS_A = "203.0.113.7"
ADDRESS_B = "198.51.100.9"


def through_proxy(forwarded_for: str, proxy: str = NGINX) -> Client:
    return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for)


def sign_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(reverse("login"), {"username": username, "password": password})


def lock_out(client: Client, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, username, "wrong").status_code == 200
    assert sign_in(client, username, "wrong").status_code == 429


def test_five_bad_passwords_from_one_address_lock_the_user_for_that_address_only(people):
    """The attack of the finding: anonymous bad passwords through the proxy used to lock the
    reviewer out for everybody, the proxy's address being everybody's."""
    from_a = through_proxy(ADDRESS_A)
    lock_out(from_a, "reviewer1")
    assert sign_in(from_a, "reviewer1").status_code == 429  # locked, even the right password
    attempt = AccessAttempt.objects.get(username="reviewer1")
    assert attempt.ip_address == ADDRESS_A

    from_b = through_proxy(ADDRESS_B)
    assert sign_in(from_b, "reviewer1").status_code == 302
    assert from_b.get("/").status_code == 200  # signed in

    # B's sign-in cleared B's record only: A stays locked.
    assert sign_in(through_proxy(ADDRESS_A), "reviewer1").status_code == 429


def test_an_address_a_client_writes_into_x_forwarded_for_is_not_believed(people):
    """A client at A sends `X-Forwarded-For: B` to lock the user for B; nginx appends A, and
    the address nginx saw is the one that counts."""
    forged = through_proxy(f"{ADDRESS_B}, {ADDRESS_A}")
    lock_out(forged, "staff1")
    assert AccessAttempt.objects.get(username="staff1").ip_address == ADDRESS_A
    assert sign_in(through_proxy(ADDRESS_B), "staff1").status_code == 302


def test_a_request_not_from_a_trusted_proxy_is_keyed_on_its_own_address(people):
    """Straight to gunicorn (or from a proxy not in TRUSTED_PROXIES): X-Forwarded-For is the
    sender's own claim. It neither moves the lock elsewhere nor lets the sender dodge it."""
    stranger = "192.0.2.50"
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        forged = Client(REMOTE_ADDR=stranger, HTTP_X_FORWARDED_FOR=f"198.51.100.{n + 1}")
        assert sign_in(forged, "staff1", "wrong").status_code == 200
    last = Client(REMOTE_ADDR=stranger, HTTP_X_FORWARDED_FOR=ADDRESS_B)
    assert sign_in(last, "staff1", "wrong").status_code == 429
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [stranger]
    # Nobody else is locked: not the addresses it claimed, not the same name through nginx.
    assert sign_in(through_proxy(ADDRESS_B), "staff1").status_code == 302


def test_proxies_on_other_hosts_are_trusted_once_configured(settings):
    """TRUSTED_PROXIES takes addresses and networks; the right-most address no trusted proxy
    added is the client, however many proxies the request passed."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "192.0.2.1"]
    factory = RequestFactory()

    def client_of(remote: str, forwarded: str | None = None) -> str | None:
        extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
        return client_address(factory.get("/", REMOTE_ADDR=remote, **extra))

    # A load balancer (192.0.2.1) in front of nginx (10.0.0.3):
    assert client_of("10.0.0.3", f"1.2.3.4, {ADDRESS_A}, 192.0.2.1") == ADDRESS_A
    assert client_of("10.0.0.3", ADDRESS_A) == ADDRESS_A
    assert client_of("10.0.0.3") == "10.0.0.3"  # nothing forwarded: the proxy itself
    assert client_of("10.0.0.3", "not-an-address") == "10.0.0.3"
    # Loopback is no longer in the list: the header of a local sender is ignored.
    assert client_of("127.0.0.1", ADDRESS_A) == "127.0.0.1"
    assert client_of("::ffff:10.0.0.3", ADDRESS_A) == ADDRESS_A  # IPv4 seen through IPv6
    assert client_of("203.0.113.200", ADDRESS_A) == "203.0.113.200"


@pytest.mark.parametrize("value", ["nginx.internal", "10.0.0.300", "10.0.0.0/33"])
def test_a_trusted_proxy_that_is_not_an_address_stops_the_start_in_one_line(value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zjai.settings", "TRUSTED_PROXIES": value}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        f"manage.py: TRUSTED_PROXIES: {value!r} is not an IP address or network "
        "(e.g. 10.0.0.5, 10.0.0.0/8)"
    ]


def test_the_documented_nginx_appends_the_client_s_address_wherever_it_proxies():
    """The other half of the lock: nginx must append the address it saw (not replace the
    header, not leave it out), in every location that passes requests on."""
    config = (ROOT / "deploy" / "nginx" / "zjai.conf").read_text()
    locations = config.split("location ")[1:]
    proxied = [block for block in locations if "proxy_pass" in block]
    assert proxied
    for block in proxied:
        assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in block, block
