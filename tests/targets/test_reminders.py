"""Reminders for stale figures reach the responsible units' staff, once per interval."""

import datetime as dt

from django.core import mail

from plans.models import ResponsibleUnit
from targets.models import StaleReminder
from targets.services import recompute_progress
from targets.tasks import send_stale_reminders
from tests.targets.factories import approved_figure


def test_stale_reported_targets_remind_their_units_once_per_interval(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = make_user("staff", "staff", econ)
    staff.email = "staff@econ.example"
    staff.save()
    other = make_user("other", "staff", ResponsibleUnit.objects.get(code="education"))
    other.email = "other@edu.example"
    other.save()
    reviewer = make_user("rev", "reviewer", econ)
    approved_figure("robots-in-service", 90000, dt.date(2020, 3, 31), reviewer)
    recompute_progress(dt.date(2020, 12, 31))  # the March figure is 275 days old: stale

    first = send_stale_reminders()
    second = send_stale_reminders()

    assert first["reminded"] >= 1
    assert second["reminded"] == 0  # already reminded within the interval
    robots_mail = [m for m in mail.outbox if "robots-in-service" in m.subject]
    assert len(robots_mail) == 1
    assert robots_mail[0].to == ["staff@econ.example"]
    assert all("other@edu.example" not in m.to for m in mail.outbox)
    assert StaleReminder.objects.filter(target__code="robots-in-service").count() == 1


def test_register_targets_never_go_stale(plan):
    recompute_progress(dt.date(2021, 12, 31))
    send_stale_reminders()
    assert not StaleReminder.objects.filter(target__source_kind__in=["count", "sum"]).exists()
