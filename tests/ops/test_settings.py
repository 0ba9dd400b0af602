"""Production configuration: check --deploy is clean, secrets come only from the environment,
and a deployment that forgets DEBUG or keeps a placeholder key does not run."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "zjai.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://zjai.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/zjai-deploy-check.sqlite3",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Nothing of the test run's own environment may leak into "production" (the browser tests
    # set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright, the suite its own settings module).
    leaks = {*PRODUCTION, "DJANGO_ALLOW_ASYNC_UNSAFE", "CELERY_BROKER_URL"}
    leaks.add("DJANGO_SETTINGS_MODULE")
    clean = {k: v for k, v in os.environ.items() if k not in leaks}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_the_production_configuration():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_with_the_development_key():
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    result = manage("check", **env)
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random string of 50 characters or more." in result.stderr


def example_env() -> dict[str, str]:
    """The variables of deploy/zjai.env.example, the file an operator copies and edits."""
    lines = (ROOT / "deploy" / "zjai.env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line.strip() and not line.startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def test_debug_is_off_unless_the_environment_sets_it():
    env = {k: v for k, v in PRODUCTION.items() if k != "DEBUG"}
    code = "from django.conf import settings as s; print('DEBUG', s.DEBUG)"
    result = manage("shell", "--no-imports", "-c", code, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "DEBUG False"


@pytest.mark.parametrize("command", ["check", "makemigrations", "migrate"])
def test_without_debug_or_a_key_nothing_starts(command):
    """Every command refuses, in one line saying what to set (not Django's later, unrelated
    AppRegistryNotReady), and exits non-zero."""
    env = {k: v for k, v in PRODUCTION.items() if k not in ("DEBUG", "SECRET_KEY")}
    result = manage(command, **env)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "manage.py: Set SECRET_KEY to a random string of 50 characters or more. "
        "(For development only: DEBUG=1, as `make run` sets it.)"
    ]


@pytest.mark.parametrize(
    "key",
    [
        pytest.param(example_env()["SECRET_KEY"], id="the placeholder of zjai.env.example"),
        pytest.param(secrets.token_urlsafe(30), id="shorter than 50 characters"),
        pytest.param("ab" * 40, id="fewer than 5 distinct characters"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(50), id="a development key"),
    ],
)
def test_production_refuses_a_weak_key(key):
    result = manage("check", **{**PRODUCTION, "SECRET_KEY": key})
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random string of 50 characters or more." in result.stderr


def test_the_example_environment_turns_debug_off():
    assert example_env()["DEBUG"] == "0"


def test_the_run_command_turns_debug_on_for_the_embedded_default():
    """`make run`, the README's run command, serves with DEBUG=1 and the development key."""
    dry_run = subprocess.run(
        ["make", "--dry-run", "--always-make", "run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    commands = [line for line in dry_run.stdout.splitlines() if "manage.py" in line]
    assert any("manage.py runserver" in line for line in commands), dry_run.stdout
    assert all("DEBUG=1" in line for line in commands), commands


def test_production_settings_are_strict():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, "
        "s.SECURE_CROSS_ORIGIN_OPENER_POLICY, s.SESSION_COOKIE_HTTPONLY, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "True",
        "True",
        "True",
        "31536000",
        "DENY",
        "same-origin",
        "same-origin",
        "True",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]
