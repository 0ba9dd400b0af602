"""The chain's head exported to a signed file kept outside the database (`verify_audit_log
--export-head FILE`) and checked later (`--expect-head FILE`): an untouched chain passes; a
chain truncated, or rewritten from the start with every hash recomputed, fails; a file edited
or signed with another key is refused."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit import anchor as anchors
from audit.chain import event_digest, hashed_fields
from audit.models import AuditChainHead, AuditEvent
from audit.services import record_event
from tests.audit.tamper import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(make_user):
    user = make_user("alice", "staff")
    return [
        record_event(
            action="update",
            obj=user,
            acting_user=user,
            before={"email": f"{n}@old.example"},
            after={"email": f"{n}@new.example"},
        )
        for n in range(6)
    ]


def verify(*args: str) -> str:
    out = io.StringIO()
    call_command("verify_audit_log", *args, stdout=out)
    return out.getvalue()


def refused(*args: str, returncode: int = 1) -> str:
    with pytest.raises(CommandError) as exc:
        verify(*args)
    assert exc.value.returncode == returncode
    assert "\n" not in str(exc.value)
    return str(exc.value)


@pytest.fixture
def exported(events, tmp_path) -> Path:
    path = tmp_path / "head.txt"
    out = verify("--export-head", str(path))
    assert f"head {events[-1].seq}:{events[-1].hash} written to {path}" in out
    return path


def test_the_file_is_plain_text_with_the_head_and_its_dates(exported, events):
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "zjai audit chain head"
    assert lines[1] == f"head: {events[-1].seq}:{events[-1].hash}"
    assert lines[2].startswith("event time: ") and lines[3].startswith("exported: ")
    assert lines[4].startswith("signature: hmac-sha256:")
    # What --expect-head SEQ:HASH takes, for an anchor copied by hand or from a print-out.
    assert f"{events[-1].seq}:{events[-1].hash}" in verify("--export-head", "-")


def test_an_untouched_chain_holds_its_anchor_and_may_grow(exported, events):
    record_event(action="update", obj=events[0].actor, after={"email": "later@example"})
    out = verify("--expect-head", str(exported))
    assert f"anchor {exported}: head {events[-1].seq}:{events[-1].hash}" in out
    assert f"anchored head {events[-1].seq}:{events[-1].hash} is in the chain" in out


def test_a_truncated_chain_fails(exported, events):
    """The newest events deleted and the head row set back: consistent in itself."""
    raw("DELETE FROM audit_auditevent WHERE seq >= %s", [events[3].seq])
    raw("UPDATE audit_auditchainhead SET seq = %s, hash = %s", [events[2].seq, events[2].hash])
    assert "intact" in verify()
    error = refused("--expect-head", str(exported))
    assert f"it was event #{events[-1].seq} and the chain now ends at #{events[2].seq}" in error
    assert "truncated" in error


def test_a_chain_recomputed_from_the_start_fails(exported, events):
    """Every event rewritten from the first, each hash recomputed: the chain verifies, the
    anchor does not."""
    prev = "0" * 64
    for event in AuditEvent.objects.order_by("seq"):
        if event.seq == events[0].seq:
            event.after = {"email": "forged@example"}
        event.prev_hash, event.hash = prev, event_digest(hashed_fields(event), prev)
        prev = event.hash
        raw(
            "UPDATE audit_auditevent SET after = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [json.dumps(event.after), event.prev_hash, event.hash, event.seq],
        )
    raw("UPDATE audit_auditchainhead SET hash = %s", [prev])
    assert "intact" in verify()
    error = refused("--expect-head", str(exported))
    assert f"is not the anchored head #{events[-1].seq}" in error
    assert "rewritten at or before" in error


def test_an_edited_file_is_refused(exported, events):
    text = exported.read_text(encoding="utf-8")
    exported.write_text(
        text.replace(f"head: {events[-1].seq}:", f"head: {events[-2].seq}:"), encoding="utf-8"
    )
    assert "the signature does not match" in refused("--expect-head", str(exported))


def test_a_file_signed_with_another_key_is_refused(exported, settings):
    settings.AUDIT_ANCHOR_KEY = "another key, held by someone else"
    assert "made with another key" in refused("--expect-head", str(exported))


def test_a_file_made_with_the_anchor_key_checks_with_it_only(events, tmp_path, settings):
    settings.AUDIT_ANCHOR_KEY = "the audit office's key"
    path = tmp_path / "head.txt"
    verify("--export-head", str(path))
    assert "is in the chain" in verify("--expect-head", str(path))
    settings.AUDIT_ANCHOR_KEY = ""
    assert "signature does not match" in refused("--expect-head", str(path))


def test_a_missing_or_foreign_file_is_a_usage_error(events, tmp_path):
    assert "no file of that name" in refused(
        "--expect-head", str(tmp_path / "none.txt"), returncode=2
    )
    other = tmp_path / "notes.txt"
    other.write_text("meeting notes\n", encoding="utf-8")
    assert "is not a head exported by" in refused("--expect-head", str(other), returncode=2)


def test_an_empty_trail_has_no_head_to_export(tmp_path):
    assert "nothing to anchor" in refused("--export-head", str(tmp_path / "h.txt"))


def test_a_broken_chain_is_not_exported(events, tmp_path):
    raw("UPDATE audit_auditevent SET reason = 'x' WHERE seq = %s", [events[1].seq])
    refused("--export-head", str(tmp_path / "h.txt"))
    assert not (tmp_path / "h.txt").exists()


def test_a_forged_event_after_the_anchor_passes_it_but_not_the_replay(plan, tmp_path):
    """An anchor dates the chain; a forged event appended later through the application's
    own path is a new event after it, and --replay catches it by the row it contradicts."""
    from targets.models import Target

    path = tmp_path / "head.txt"
    verify("--export-head", str(path))
    robots = Target.objects.get(code="robots-in-service")
    record_event(
        action="update",
        obj=robots,
        before={"target_value": "150000.0000"},
        after={"target_value": "100.0000"},
    )
    assert "is in the chain" in verify("--expect-head", str(path))
    error = refused("--expect-head", str(path), "--replay")
    assert "audit replay: 1 differences" in error


def test_parse_reads_back_what_render_wrote(events):
    head = AuditChainHead.objects.get()
    anchor = anchors.head_anchor(head.seq, head.hash)
    assert anchors.parse(anchors.render(anchor)) == anchor
