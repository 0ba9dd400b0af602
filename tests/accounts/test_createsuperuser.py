"""createsuperuser, the documented install step, saves the account through accounts.services:
it has its create event, so the replay (verify_audit_log --replay) accounts for it."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_an_administrator_made_on_the_command_line_replays_cleanly(plan, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-Root-12345")
    out = io.StringIO()
    call_command(
        "createsuperuser",
        "--noinput",
        "--username",
        "root",
        "--email",
        "Root@Example.ORG",
        stdout=out,
    )
    assert "Superuser created successfully." in out.getvalue()
    root = User.objects.get(username="root")
    assert root.is_superuser and root.is_staff and root.check_password("pw-Root-12345")
    assert root.email == "Root@example.org"
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(root.pk))
    assert (event.action, event.actor_label, event.actor_id) == (
        "create",
        "command:createsuperuser",
        None,
    )
    assert event.after["is_superuser"] is True and "password" not in event.after

    replayed = io.StringIO()
    call_command("verify_audit_log", "--replay", stdout=replayed, stderr=io.StringIO())
    assert "every audited table matches its trail" in replayed.getvalue()


def test_a_taken_username_is_refused_in_one_line(plan, monkeypatch):
    from django.core.management.base import CommandError

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "pw-Root-12345")
    args = ("createsuperuser", "--noinput", "--username", "root", "--email", "r@example.org")
    call_command(*args, stdout=io.StringIO())
    with pytest.raises(CommandError, match="already taken"):
        call_command(*args, stdout=io.StringIO())
    assert User.objects.filter(username="root").count() == 1
