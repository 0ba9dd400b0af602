"""The daily reminders (taskreports.tasks): due soon and overdue, to the unit's staff and
reviewers, once per report however often the job runs."""

import datetime as dt

import pytest

from notifications.models import Notification
from plans.choices import REPORTED_ITEM_KINDS
from plans.models import ItemUnit
from taskreports.tasks import send_reminders, send_task_report_reminders
from tests.taskreports.read_fixtures import Q1, Q2, item, report

pytestmark = pytest.mark.django_db

BEFORE_Q2_DUE = dt.date(2019, 7, 10)  # Q2 is due 2019-07-15; Q1 (due 2019-04-15) is closed
AFTER_Q2_DUE = dt.date(2019, 7, 20)


def links_of(code: str) -> int:
    return ItemUnit.objects.filter(
        item__plan__code="zj-ai-2019-2022", item__kind__in=REPORTED_ITEM_KINDS, unit__code=code
    ).count()


def test_a_report_due_soon_reminds_the_units_staff_and_reviewers_once(plan, people):
    report("II.2.1", "econ-it", Q2, state="submitted")  # sent already: no reminder
    report("II.2.2", "econ-it", Q2, state="draft")  # a draft is not sent: reminded
    first = send_reminders(BEFORE_Q2_DUE)
    due_soon = Notification.objects.filter(kind="due_soon")
    econ_people = {people[w].pk for w in ("staff", "reviewer", "reviewer2")}
    econ = due_soon.filter(unit__code="econ-it")
    assert set(econ.values_list("recipient_id", flat=True)) == econ_people
    # One per econ-it task but the one submitted, to each of its three people.
    assert econ.count() == 3 * (links_of("econ-it") - 1)
    assert not econ.filter(key__contains=f":{item('II.2.1').pk}:").exists()
    assert econ.filter(key__contains=f":{item('II.2.2').pk}:", recipient=people["staff"]).exists()
    # Administrators and auditors write no unit's reports: no reminder.
    assert not Notification.objects.filter(
        recipient__in=[people["admin"], people["auditor"]]
    ).exists()
    sci = due_soon.filter(unit__code="sci-tech")
    assert set(sci.values_list("recipient_id", flat=True)) == {
        people["staff_sci"].pk,
        people["reviewer_sci"].pk,
    }
    note = econ.filter(recipient=people["staff"]).first()
    # In the site's language (Chinese), its date as Chinese writes dates.
    assert "2019年7月15日" in note.subject and "2019Q2" in note.subject
    assert note.url.startswith("/plans/zj-ai-2019-2022/tasks/")
    assert first["due_soon"] == due_soon.count()

    # The job runs again (tomorrow, or a retry): nothing is sent twice.
    total = Notification.objects.count()
    again = send_reminders(BEFORE_Q2_DUE)
    assert again == {"due_soon": 0, "overdue": 0, "review_pending": 0}
    assert Notification.objects.count() == total
    assert send_reminders(BEFORE_Q2_DUE + dt.timedelta(days=1))["due_soon"] == 0


def test_a_period_closing_without_a_report_sends_one_overdue_reminder_not_one_per_run(plan, people):
    report("II.2.1", "econ-it", Q2, state="approved")
    report("II.2.2", "econ-it", Q2, state="returned")  # submitted once: not missing
    report("II.2.3", "econ-it", Q1, state="approved")  # another period: still missing in Q2
    send_task_report_reminders.delay(AFTER_Q2_DUE.isoformat())
    overdue = Notification.objects.filter(kind="overdue", unit__code="econ-it")
    assert overdue.count() == 3 * (links_of("econ-it") - 2)
    keys = set(overdue.values_list("key", flat=True))
    assert all(key.endswith(":2019-04-01") for key in keys)  # the newest closed period only
    assert any(f":{item('II.2.3').pk}:" in key for key in keys)
    assert overdue.first().subject.startswith("任务进展报告逾期未报：")
    count = Notification.objects.count()
    for day in (AFTER_Q2_DUE, AFTER_Q2_DUE + dt.timedelta(days=1)):
        send_task_report_reminders.delay(day.isoformat())
    assert Notification.objects.count() == count


def test_the_job_runs_daily_and_the_horizon_is_a_setting(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["task-report-reminders"]
    assert entry["task"] == "taskreports.tasks.send_task_report_reminders"
    assert settings.ZJAI_TASK_REPORT_DUE_SOON_DAYS == 7


def test_a_shorter_horizon_reminds_later(plan, people, settings):
    settings.ZJAI_TASK_REPORT_DUE_SOON_DAYS = 3
    assert send_reminders(BEFORE_Q2_DUE)["due_soon"] == 0
    assert send_reminders(dt.date(2019, 7, 12))["due_soon"] > 0


def test_a_report_waiting_for_review_too_long_tells_the_lead_units_reviewers_once(
    plan, people, settings
):
    """A submitted report not reviewed within ZJAI_REVIEW_PENDING_DAYS: the reviewers of the
    item's lead unit are told, once per review round; not before, not after the review."""
    from django.utils import timezone

    from taskreports import services
    from tests.taskreports.writing import report as written
    from tests.taskreports.writing import tasks

    t = tasks(plan)
    submitted = written(t, people["staff_sci"], "submitted")  # on II.2.1, led by econ-it
    day = timezone.localdate()
    waiting = day + dt.timedelta(days=settings.ZJAI_REVIEW_PENDING_DAYS + 1)
    assert send_reminders(day)["review_pending"] == 0
    sent = send_reminders(waiting)["review_pending"]
    pending = Notification.objects.filter(kind="review_pending")
    assert sent == pending.count() > 0
    assert {n.recipient.unit.code for n in pending} == {"econ-it"}
    assert people["reviewer"].pk in set(pending.values_list("recipient_id", flat=True))
    assert all(n.url == f"/tasks/reports/{submitted.pk}/" for n in pending)
    assert send_reminders(waiting)["review_pending"] == 0
    services.approve_report(submitted, acting_user=people["reviewer"])
    later = waiting + dt.timedelta(days=30)
    assert send_reminders(later)["review_pending"] == 0
