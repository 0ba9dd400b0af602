"""make run prints the demo accounts last: seed_demo keeps the passwords in a file readable by
its owner only, demo_accounts prints them with the address to open."""

from __future__ import annotations

import io
import stat
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import User
from demo.users import DEMO_USERNAMES
from targets.models import Progress
from tests.demo.test_seed_demo import passwords


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_scale(monkeypatch):
    from demo import generator

    monkeypatch.setattr(generator, "ENTERPRISES_PER_SCALE", 600)
    monkeypatch.setattr(generator, "MEASUREMENTS_PER_SCALE", 200)


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_the_passwords_are_kept_not_printed_and_demo_accounts_prints_them_last(
    plan, small_scale, tmp_path
):
    kept = tmp_path / "var" / "demo-accounts.json"

    seeded = run("seed_demo", "--accounts-file", str(kept))

    assert passwords(seeded) == {}
    assert f"passwords kept in {kept}" in seeded
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600

    shown = run("demo_accounts", "--accounts-file", str(kept), "--url", "http://127.0.0.1:8000/")
    table = passwords(shown)
    assert set(table) == set(DEMO_USERNAMES)
    for username, password in table.items():
        assert User.objects.get(username=username).check_password(password)
    assert shown.strip().splitlines()[-1] == (
        "Open http://127.0.0.1:8000/ and sign in with one of these."
    )

    # A second run keeps the users and their passwords: the table still shows them.
    again = run("seed_demo", "--accounts-file", str(kept))
    assert "passwords unchanged" in again
    assert passwords(run("demo_accounts", "--accounts-file", str(kept))) == table


@pytest.mark.django_db
def test_a_password_changed_since_is_marked_and_the_way_to_new_ones_said(
    plan, small_scale, tmp_path
):
    kept = tmp_path / "demo-accounts.json"
    run("seed_demo", "--accounts-file", str(kept))
    reviewer = User.objects.get(username="reviewer")
    reviewer.set_password("something-else-entirely")
    reviewer.save()

    shown = run("demo_accounts", "--accounts-file", str(kept))

    assert "reviewer" not in passwords(shown)
    assert any(
        line.startswith("reviewer") and "(changed since)" in line for line in shown.splitlines()
    )
    assert f"seed_demo --reset-passwords --accounts-file {kept}" in shown

    # --reset-passwords replaces the kept ones.
    run("seed_demo", "--reset-passwords", "--accounts-file", str(kept))
    table = passwords(run("demo_accounts", "--accounts-file", str(kept)))
    assert User.objects.get(username="reviewer").check_password(table["reviewer"])


@pytest.mark.django_db
def test_an_unreadable_accounts_file_is_one_line(tmp_path):
    broken = tmp_path / "demo-accounts.json"
    broken.write_text("not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not a demo accounts file"):
        run("demo_accounts", "--accounts-file", str(broken))


@pytest.mark.django_db
def test_seed_demo_recompute_leaves_no_hint_to_recompute(plan, small_scale, tmp_path):
    without = run("seed_demo")
    assert "Progress is not recomputed yet: run recompute_progress --history." in without
    assert not Progress.objects.exists()

    recomputed = run("seed_demo", "--recompute", "--accounts-file", str(tmp_path / "a.json"))

    assert "Progress recomputed." in recomputed
    assert "run recompute_progress" not in recomputed
    # Today and the quarter ends since the plan's start: the charts have a past.
    assert Progress.objects.values("as_of").distinct().count() > 4


def test_make_run_prints_the_accounts_after_the_setup_just_before_the_server():
    dry = subprocess.run(
        ["make", "-n", "run", "PORT=8123", "HOST=0.0.0.0"],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    steps = [line for line in dry if "manage.py" in line]
    names = [line.split("manage.py", 1)[1].split()[0] for line in steps]

    assert names[-2:] == ["demo_accounts", "runserver"]
    assert names.index("seed_demo") < names.index("demo_accounts")
    assert "--url http://0.0.0.0:8123/" in steps[-2]
    assert steps[-1].rstrip().endswith("runserver 0.0.0.0:8123")
    # The setup speaks only of warnings; the accounts and the server speak normally.
    setup = steps[names.index("migrate") : -2]
    assert [name for name in names if name in ("migrate", "load_action_plan", "seed_demo")] == [
        "migrate",
        "load_action_plan",
        "seed_demo",
    ]
    assert all("LOG_LEVEL=WARNING" in line for line in setup)
