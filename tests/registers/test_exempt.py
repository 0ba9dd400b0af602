"""The demo data and the plan loader write confirmed values at once, and the audit trail says
they are exempt from confirmation."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEvent
from demo import generator
from enterprises.models import Enterprise
from registers.models import PendingChange
from targets.models import Target
from targets.values import current_values, enterprises_counted_on

pytestmark = pytest.mark.django_db


def test_the_plan_files_enterprises_are_confirmed_and_say_why(plan):
    named = Enterprise.objects.filter(plan_key__isnull=False)
    assert named.exists() and not named.filter(confirmed=False).exists()
    events = AuditEvent.objects.filter(
        object_type="enterprises.enterprise",
        object_id__in=[str(pk) for pk in named.values_list("pk", flat=True)],
        action="create",
    )
    assert events.count() == named.count()
    assert set(events.values_list("reason", flat=True)) == {"exempt from confirmation: plan file"}
    assert not PendingChange.objects.exists()


def test_demo_data_counts_at_once_and_says_why(plan, monkeypatch):
    monkeypatch.setattr(generator, "ENTERPRISES_PER_SCALE", 600)
    monkeypatch.setattr(generator, "MEASUREMENTS_PER_SCALE", 200)
    call_command("seed_demo", stdout=io.StringIO())
    demo = Enterprise.objects.filter(is_demo=True)
    assert demo.exists() and not demo.filter(confirmed=False).exists()
    assert not PendingChange.objects.exists()
    event = AuditEvent.objects.filter(action="seed_demo").latest("seq")
    assert "exempt from confirmation: demo data" in event.reason
    # The demo's leading enterprises count toward the target without anyone confirming them.
    today = timezone.localdate()
    counted_ids = {pk for pk, tier in enterprises_counted_on(today) if tier == "leading"}
    leading = demo.filter(pk__in=counted_ids).count()
    target = Target.objects.get(code="ent-leading")
    assert leading > 0
    counted = len(counted_ids)
    assert current_values([target], today)[target.pk].value == counted >= leading
