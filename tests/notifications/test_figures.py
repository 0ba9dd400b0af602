"""The figure workflow tells people: submitted → the lead unit's reviewers; approved and
returned → the author; and the daily job: due soon, overdue, waiting for review."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Notification
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Measurement, Target
from targets.tasks import send_figure_notices
from tests.targets.factories import approved_figure, aware


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    other = ResponsibleUnit.objects.get(code="education")
    users = {
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "reviewer2": make_user("reviewer2", "reviewer", econ),
        "outsider": make_user("outsider", "reviewer", other),
        "auditor": make_user("auditor", "auditor", econ),
    }
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save()
    return users


def notices(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    return list(rows.filter(kind=kind) if kind else rows)


def submitted_figure(people, value="1300") -> Measurement:
    target = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=target, value=value, observed_on=dt.date(2021, 6, 30), acting_user=people["staff"]
    )
    return services.submit_measurement(figure, acting_user=people["staff"])


def test_a_submission_tells_the_lead_units_reviewers_and_nobody_else(
    people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        figure = submitted_figure(people)

    for name in ("reviewer", "reviewer2"):
        (notice,) = notices(people[name])
        assert notice.kind == "submitted"
        assert notice.url == f"/figures/{figure.pk}/review/"
        assert "robots-in-service" in notice.body
        assert notice.unit.code == "econ-it"
        # Written in the site's language (Chinese), its date as Chinese writes dates.
        assert "2021年6月30日" in notice.subject and "2021-06-30" not in notice.subject
    for name in ("staff", "outsider", "auditor"):
        assert notices(people[name]) == []
    # The e-mail went out after commit, with the absolute link.
    to_reviewer = [m for m in mail.outbox if m.to == ["reviewer@example.org"]]
    assert len(to_reviewer) == 1
    assert f"http://testserver.example/figures/{figure.pk}/review/" in to_reviewer[0].body


def test_approval_and_return_tell_the_author_with_the_comment(people):
    figure = submitted_figure(people)
    returned = services.reject_measurement(
        figure, acting_user=people["reviewer"], comment="请附统计局来源"
    )
    (notice,) = notices(people["staff"], "returned")
    assert notice.body.endswith("请附统计局来源")
    assert notice.url == f"/figures/{figure.pk}/edit/"
    assert notices(people["reviewer"], "returned") == []  # the actor is skipped

    again = services.revise_measurement(
        returned, acting_user=people["staff"], submit=True, value="1310"
    )
    # The second submission is an event of its own: the reviewers hear of it again.
    assert len(notices(people["reviewer"], "submitted")) == 2
    services.approve_measurement(again, acting_user=people["reviewer2"])
    (approved,) = notices(people["staff"], "approved")
    assert approved.url == "/plans/zj-ai-2019-2022/targets/robots-in-service/"
    assert Notification.objects.filter(kind="approved").count() == 1


def test_a_reviewer_who_edited_the_figure_is_not_asked_to_review_it(people):
    target = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=target, value="5", observed_on=dt.date(2021, 6, 30), acting_user=people["reviewer"]
    )
    services.submit_measurement(figure, acting_user=people["staff"])
    assert notices(people["reviewer"]) == []  # four eyes: they cannot review it
    assert len(notices(people["reviewer2"], "submitted")) == 1


def test_the_daily_job_sends_due_soon_overdue_and_review_pending_once(people, settings):
    settings.ZJAI_REPORTING_INTERVAL_DAYS = 90
    settings.ZJAI_DUE_SOON_DAYS = 14
    robots = Target.objects.get(code="robots-in-service")
    approved_figure(robots, 90000, dt.date(2021, 3, 31), people["reviewer"])
    # Due 90 days after 31 March: 29 June 2021.
    early = aware(dt.date(2021, 6, 20))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: early)
        first = send_figure_notices()
    assert first["due_soon"] >= 1
    due = Notification.objects.filter(key=f"figure-due-soon:{robots.pk}:2021-06-29")
    assert {n.recipient.username for n in due} == {"staff", "reviewer", "reviewer2"}
    assert due[0].url == "/plans/zj-ai-2019-2022/targets/robots-in-service/report/"

    late = aware(dt.date(2021, 7, 10))
    figure = submitted_figure(people)
    Measurement.objects.filter(pk=figure.pk).update(submitted_at=aware(dt.date(2021, 7, 1)))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: late)
        second = send_figure_notices()
        third = send_figure_notices()
    assert Notification.objects.filter(key=f"figure-overdue:{robots.pk}:2021-06-29").count() == 3
    pending = Notification.objects.filter(kind="review_pending", key__contains=f":{figure.pk}:")
    assert {n.recipient.username for n in pending} == {"reviewer", "reviewer2"}
    assert second["overdue"] >= 3 and second["review_pending"] == 2
    assert third == {"due_soon": 0, "overdue": 0, "review_pending": 0}  # nothing twice


def test_nothing_is_due_once_the_deadline_is_reported_or_the_target_closed(people):
    from targets.reminders import figures_due
    from targets.services import close_due_targets

    robots = Target.objects.get(code="robots-in-service")
    soon, late = figures_due(dt.date(2021, 7, 10))
    assert robots.pk in {d.target.pk for d in late}  # nothing approved yet: due since 2019
    approved_figure(robots, 160000, robots.deadline, people["reviewer"])
    soon, late = figures_due(robots.deadline + dt.timedelta(days=30))
    assert robots.pk not in {d.target.pk for d in [*soon, *late]}

    talent = Target.objects.get(code="talent-policies")
    assert talent.pk in {d.target.pk for d in figures_due(dt.date(2026, 1, 1))[1]}
    close_due_targets(target_ids=[talent.pk])  # long past its closing day
    assert talent.pk not in {d.target.pk for d in figures_due(dt.date(2026, 1, 1))[1]}
