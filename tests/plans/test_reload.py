"""Reloading a changed plan file is a change like any other: each row it changes gets a new
version (so an API client holding the old one is refused with 412), an audit event field by
field, and the recompute of the targets it moves. Reloading the same file changes nothing."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from accounts.services import create_api_token
from audit.models import AuditEvent
from enterprises.models import Enterprise
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Progress, Target
from zjai.dates import today
from zjai.exceptions import ConflictError

pytestmark = pytest.mark.django_db

ROBOTS = "                  - code: robots-in-service\n"
ALIBABA = "  - key: alibaba\n"


def changed_plan_file(tmp_path: Path) -> Path:
    """The plan file with robots in service raised from 150,000 to 160,001 and Alibaba's
    English name changed."""
    text = Path(settings.ZJAI_DEFAULT_PLAN_FILE).read_text(encoding="utf-8")
    head, tail = text.split(ROBOTS)
    tail = tail.replace(
        "                    value: 150000\n", "                    value: 160001\n", 1
    )
    text = head + ROBOTS + tail
    head, tail = text.split(ALIBABA)
    text = (
        head + ALIBABA + tail.replace("    name_en: Alibaba\n", "    name_en: Alibaba Group\n", 1)
    )
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(path: Path | str) -> None:
    call_command("load_action_plan", "--file", str(path), stdout=io.StringIO())


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@pytest.fixture
def admin(plan, make_user):
    return make_user("boss", "admin", ResponsibleUnit.objects.get(code="econ-it"))


def test_a_changed_value_bumps_the_version_is_audited_and_recomputes(
    plan, tmp_path, django_capture_on_commit_callbacks
):
    robots = Target.objects.get(code="robots-in-service")
    assert robots.version == 1
    seq = last_seq()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load(changed_plan_file(tmp_path))
    assert callbacks  # the recompute, queued once the load committed (eager in tests)
    robots.refresh_from_db()
    assert (robots.target_value, robots.version) == (160001, 2)
    event = AuditEvent.objects.get(
        seq__gt=seq, object_type="targets.target", object_id=str(robots.pk)
    )
    assert event.action == "update"
    assert event.actor_label == "command:load_action_plan"
    assert event.before == {"target_value": "150000.0000", "version": 1}
    assert event.after == {"target_value": "160001.0000", "version": 2}
    # Recomputed: today's progress row is there and the dirty mark is cleared.
    assert Progress.objects.filter(target=robots, as_of=today()).exists()
    assert robots.dirty_since is None
    assert AuditEvent.objects.filter(seq__gt=seq, action="recompute").exists()


def test_a_client_holding_the_old_version_is_refused(plan, admin, tmp_path):
    alibaba = Enterprise.objects.get(plan_key="alibaba")
    _token, key = create_api_token(owner=admin, name="tests", acting_user=admin)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    url = f"/api/v1/enterprises/{alibaba.pk}/"
    etag = client.get(url)["ETag"]
    assert etag == '"1"'

    load(changed_plan_file(tmp_path))

    stale = client.patch(
        url, {"name_en": "Alibaba (mine)"}, content_type="application/json", HTTP_IF_MATCH=etag
    )
    assert stale.status_code == 412, stale.content
    alibaba.refresh_from_db()
    assert (alibaba.name_en, alibaba.version) == ("Alibaba Group", 2)
    fresh = client.get(url)["ETag"]
    assert fresh == '"2"'
    # The same for a target, whose writes go through targets.services with the version read.
    robots = Target.objects.get(code="robots-in-service")
    with pytest.raises(ConflictError):
        services.update_target(
            robots, acting_user=admin, reason="mine", expected_version=1, weight=2
        )


def test_reloading_the_same_file_changes_nothing(plan, django_capture_on_commit_callbacks):
    versions = dict(Target.objects.values_list("code", "version"))
    seq = last_seq()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load(settings.ZJAI_DEFAULT_PLAN_FILE)
    assert callbacks == []
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    assert dict(Target.objects.values_list("code", "version")) == versions
    assert not Target.objects.filter(dirty_since__isnull=False).exists()


def test_the_first_load_queues_no_recompute(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        load(settings.ZJAI_DEFAULT_PLAN_FILE)
    assert callbacks == []
    assert set(Target.objects.values_list("version", flat=True)) == {1}
    assert not Target.objects.filter(dirty_since__isnull=False).exists()


def test_a_reload_that_moves_a_targets_units_bumps_its_version(plan, tmp_path):
    text = Path(settings.ZJAI_DEFAULT_PLAN_FILE).read_text(encoding="utf-8")
    head, tail = text.split(ROBOTS)
    assert "                    source:\n                      kind: reported\n" in tail
    tail = tail.replace(
        "                    source:\n                      kind: reported\n",
        "                    units: [sci-tech]\n"
        "                    source:\n                      kind: reported\n",
        1,
    )
    path = tmp_path / "plan.yaml"
    path.write_text(head + ROBOTS + tail, encoding="utf-8")
    robots = Target.objects.get(code="robots-in-service")
    seq = last_seq()
    load(path)
    robots.refresh_from_db()
    assert robots.version == 2
    assert robots.dirty_since is not None
    event = AuditEvent.objects.get(seq__gt=seq, action="set_units", object_id=str(robots.pk))
    assert [u["unit"] for u in event.before["units"]] == ["econ-it"]
    assert event.after["units"] == [
        {
            "unit": "sci-tech",
            "name": ResponsibleUnit.objects.get(code="sci-tech").name_zh,
            "lead": True,
        }
    ]
    assert (event.before["version"], event.after["version"]) == (1, 2)
