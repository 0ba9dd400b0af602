"""Who may do what with task reports (taskreports.rules): a unit writes only its own reports,
the lead unit reviews its tasks' reports, four eyes, auditors read all and write nothing, and
another unit's draft never shows."""

from __future__ import annotations

import pytest

from taskreports.models import SupervisionNotice, TaskReport
from taskreports.rules import (
    ReportRules,
    may_close_notice,
    may_issue_notice,
    may_reply_notice,
    may_write_notices,
    my_reports,
)
from tests.taskreports.writing import report, tasks


@pytest.fixture
def t(plan):
    return tasks(plan)


def test_a_unit_writes_only_its_own_reports(t, people):
    staff_sci = ReportRules(people["staff_sci"])
    assert staff_sci.may_write_report(t.econ_led.pk, t.sci.pk)
    assert not staff_sci.may_write_report(t.econ_led.pk, t.econ.pk)
    assert not ReportRules(people["staff_talent"]).may_write_report(t.econ_led.pk, t.talent.pk)
    assert ReportRules(people["admin"]).may_write_report(t.econ_led.pk, t.sci.pk)
    auditor = ReportRules(people["auditor"])
    assert not auditor.may_write_report(t.econ_led.pk, t.econ.pk)
    draft = report(t, people["staff_sci"])
    assert staff_sci.may_edit(draft) and staff_sci.may_submit(draft)
    assert not ReportRules(people["staff"]).may_edit(draft)
    assert not auditor.may_edit(draft)


def test_the_lead_unit_reviews_with_four_eyes(t, people):
    submitted = report(t, people["staff_sci"], "submitted")
    assert ReportRules(people["reviewer"]).may_review(submitted)
    assert ReportRules(people["admin"]).may_review(submitted)
    assert not ReportRules(people["reviewer_sci"]).may_review(submitted)  # not the lead
    assert not ReportRules(people["staff"]).may_review(submitted)
    assert not ReportRules(people["auditor"]).may_review(submitted)
    own = report(t, people["reviewer"], "submitted")
    author = ReportRules(people["reviewer"])
    author.read_editors([submitted, own])
    assert author.actions(own) == {
        "edit": False,
        "submit": False,
        "review": False,
        "review_barred": True,
    }
    assert author.actions(submitted)["review"]
    queue = ReportRules(people["reviewer"]).to_review(TaskReport.objects.all())
    assert list(queue) == [submitted]
    assert set(ReportRules(people["reviewer2"]).to_review(TaskReport.objects.all())) == {
        submitted,
        own,
    }


def test_drafts_never_leak_to_another_unit(t, people):
    draft = report(t, people["staff_sci"])
    other_led = report(t, people["staff"], item=t.sci_led)  # econ-it's draft on sci's task
    everyone = TaskReport.objects.all()
    assert set(TaskReport.objects.for_user(people["staff_sci"])) == {draft}
    assert set(TaskReport.objects.for_user(people["reviewer_sci"])) == {draft}
    # The lead unit sees nothing of a draft; the reporting unit its own.
    assert set(TaskReport.objects.for_user(people["reviewer"])) == {other_led}
    assert not TaskReport.objects.for_user(people["staff_talent"]).exists()
    assert set(TaskReport.objects.for_user(people["auditor"])) == set(everyone)
    assert set(my_reports(everyone, people["staff_talent"])) == set()
    submitted = report(t, people["staff_sci"], "submitted", period=t.next_period)
    assert submitted in TaskReport.objects.for_user(people["reviewer"])
    assert submitted not in TaskReport.objects.for_user(people["staff_talent"])


def test_approved_reports_are_read_by_every_role(t, people):
    approved = report(t, people["staff_sci"], "approved", reviewer=people["reviewer"])
    for role in ("admin", "reviewer", "staff", "auditor", "staff_talent"):
        assert approved in TaskReport.objects.for_user(people[role])
    assert not TaskReport.objects.for_user(people["norole"]).exists()


def test_consolidated_reports_and_milestones(t, people):
    assert ReportRules(people["staff"]).may_write_consolidated(t.econ_led.pk)
    assert not ReportRules(people["staff_sci"]).may_write_consolidated(t.econ_led.pk)
    assert not ReportRules(people["auditor"]).may_write_consolidated(t.econ_led.pk)
    staff_sci = ReportRules(people["staff_sci"])
    assert staff_sci.may_manage_milestones(t.econ_led.pk, t.sci.pk)
    assert not staff_sci.may_manage_milestones(t.econ_led.pk, t.econ.pk)
    assert staff_sci.may_manage_milestones(t.sci_led.pk, t.econ.pk)  # sci-tech leads II.1.1
    assert not ReportRules(people["auditor"]).may_manage_milestones(t.econ_led.pk, t.econ.pk)


def test_notices(t, people, make_user):
    assert may_issue_notice(people["admin"], t.talent, None)
    assert may_issue_notice(people["reviewer"], t.sci, t.econ_led)
    assert not may_issue_notice(people["reviewer"], t.sci, t.sci_led)
    assert not may_issue_notice(people["staff"], t.sci, t.econ_led)
    assert not may_issue_notice(people["auditor"], t.sci, t.econ_led)
    assert may_write_notices(people["admin"]) and may_write_notices(people["reviewer"])
    assert not may_write_notices(people["staff"]) and not may_write_notices(people["auditor"])
    notice = SupervisionNotice(unit=t.sci, issuing_unit=t.econ, state="open")
    assert may_reply_notice(people["staff_sci"], notice)
    assert not may_reply_notice(people["staff"], notice)
    assert not may_reply_notice(people["auditor"], notice)
    assert may_close_notice(people["reviewer"], notice)
    assert may_close_notice(people["admin"], notice)
    assert not may_close_notice(people["staff"], notice)
    assert not may_close_notice(people["reviewer_sci"], notice)
