"""Tamper evidence: verify_audit_log catches edited, deleted and reordered events (changed
directly in the database, past the application), an anchored head catches a rewritten chain,
and on PostgreSQL the database itself refuses to update or delete an event."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from audit import guard
from audit.chain import event_digest, hashed_fields, parse_anchor, verify_chain
from audit.models import AuditChainHead, AuditEvent
from audit.services import record_event
from tests.audit.tamper import raw
from tests.plans.dbstate import wipe_audit_log

pytestmark = pytest.mark.django_db

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)


@pytest.fixture
def events(make_user):
    """Six events about one user, as any write path would leave them."""
    user = make_user("alice", "staff")
    written = []
    for n in range(6):
        written.append(
            record_event(
                action="update",
                obj=user,
                acting_user=user,
                before={"email": f"{n}@old.example"},
                after={"email": f"{n}@new.example"},
                reason=f"change {n}",
            )
        )
    return written


def verify(*args) -> str:
    out = io.StringIO()
    call_command("verify_audit_log", *args, stdout=out)
    return out.getvalue()


def broken(*args) -> CommandError:
    with pytest.raises(CommandError) as exc:
        verify(*args)
    assert exc.value.returncode == 1
    assert "\n" not in str(exc.value)  # one line
    return exc.value


def test_an_untouched_chain_verifies_and_prints_count_and_head(events):
    head = AuditChainHead.objects.get()
    out = verify()
    assert f"{len(events)} events" in out
    assert f"head {head.seq}:{head.hash}" in out
    assert head.hash == events[-1].hash
    report = verify_chain()
    assert report.ok and report.events == len(events) and report.head_hash == head.hash


def test_an_empty_trail_verifies():
    assert "0 events" in verify()


def test_an_edited_event_is_named(events):
    victim = events[2]
    raw(
        "UPDATE audit_auditevent SET reason = %s, after = %s WHERE seq = %s",
        ["nothing to see", '{"email": "forged@example"}', victim.seq],
    )
    error = broken()
    assert f"event #{victim.seq} (update accounts.user:" in str(error)
    assert "was edited" in str(error)


def test_an_edited_time_or_actor_is_caught_too(events):
    raw("UPDATE audit_auditevent SET actor_label = 'mallory' WHERE seq = %s", [events[4].seq])
    assert f"#{events[4].seq}" in str(broken())


def test_a_deleted_event_is_named(events):
    victim = events[3]
    raw("DELETE FROM audit_auditevent WHERE seq = %s", [victim.seq])
    error = broken()
    assert f"event #{victim.seq} is missing" in str(error)
    assert "deleted" in str(error)


def test_deleting_the_newest_events_is_caught_by_the_head(events):
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [events[4].seq])
    error = broken()
    assert f"event #{events[4].seq} and later were deleted" in str(error)


def test_deleting_the_newest_events_and_the_head_is_caught_by_an_anchor(events):
    anchor = f"{events[-1].seq}:{events[-1].hash}"
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [events[4].seq])
    raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [events[3].seq, events[3].hash])
    assert "intact" in verify()  # consistent in itself…
    error = broken("--expect-head", anchor)  # …but not with what the auditor kept
    assert "is not in the chain" in str(error)


def test_reordered_events_are_named(events):
    a, b = events[1], events[2]
    # Swap the two events' places in the sequence (via a free number: seq is unique).
    raw("UPDATE audit_auditevent SET seq = 1000000 WHERE seq = %s", [a.seq])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = %s", [a.seq, b.seq])
    raw("UPDATE audit_auditevent SET seq = %s WHERE seq = 1000000", [b.seq])
    error = broken()
    assert f"event #{a.seq} (" in str(error)
    assert "reordered" in str(error)


def test_a_chain_rewritten_with_fresh_hashes_is_caught_by_the_anchor(events):
    """Someone edits an event and recomputes every hash after it: the chain is consistent
    again, but the head the auditor anchored earlier is no longer in it."""
    anchor = f"{events[-1].seq}:{events[-1].hash}"
    assert "is in the chain" in verify("--expect-head", anchor)
    forged = list(AuditEvent.objects.order_by("seq"))
    prev = forged[1].hash
    for event in forged[2:]:
        if event.seq == events[2].seq:
            event.reason = "forged"
        event.prev_hash = prev
        event.hash = event_digest(hashed_fields(event), prev)
        prev = event.hash
        raw(
            "UPDATE audit_auditevent SET reason = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [event.reason, event.prev_hash, event.hash, event.seq],
        )
    raw("UPDATE audit_auditchainhead SET hash = %s", [prev])
    assert "intact" in verify()
    error = broken("--expect-head", anchor)
    assert anchor.split(":")[1] in str(error)


def test_an_anchor_at_the_wrong_sequence_number_fails(events):
    error = broken("--expect-head", f"{events[2].seq + 1}:{events[2].hash}")
    assert f"is event #{events[2].seq}, not #{events[2].seq + 1}" in str(error)


def test_an_anchor_without_sequence_number_is_accepted(events):
    assert "is in the chain" in verify("--expect-head", events[3].hash)


def test_a_malformed_anchor_is_a_usage_error(events):
    with pytest.raises(CommandError) as exc:
        verify("--expect-head", "12:nothex")
    assert exc.value.returncode == 2
    with pytest.raises(ValueError):
        parse_anchor("x:" + "a" * 64)


def test_the_command_exits_non_zero_from_the_command_line(events):
    raw("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [events[0].seq])
    stderr = io.StringIO()
    with redirect_stderr(stderr), pytest.raises(SystemExit) as exc:
        execute_from_command_line(["manage.py", "verify_audit_log"])
    assert exc.value.code == 1
    lines = stderr.getvalue().strip().splitlines()
    assert len(lines) == 1 and f"event #{events[0].seq}" in lines[0]


# --- the database refuses ----------------------------------------------------------------------


@needs_postgres
def test_the_trigger_is_installed_in_the_test_database_too():
    # The suite runs --no-migrations: the post_migrate hook put the trigger there.
    assert guard.is_installed(connection)


@needs_postgres
def test_the_orm_cannot_update_an_event(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).update(reason="edited")
    event = events[1]
    event.reason = "edited"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


@needs_postgres
def test_the_orm_cannot_delete_an_event(events):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=events[0].pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        events[1].delete()
    assert AuditEvent.objects.count() == len(events)
    assert verify_chain().ok


@needs_postgres
def test_appending_still_works_and_truncate_is_left_to_the_owner(events):
    record_event(action="noop", obj=events[0].actor, acting_user=None, after={"x": 1})
    assert verify_chain().events == len(events) + 1
    wipe_audit_log()  # what test fixtures (and pytest-django's flush) do: TRUNCATE
    assert not AuditEvent.objects.exists()


@needs_postgres
def test_installing_twice_is_harmless():
    guard.install(connection)
    guard.ensure_installed(using="default")
    assert guard.is_installed(connection)
