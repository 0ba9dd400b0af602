"""The write side of task reports: the workflow with its review rounds, four eyes, versions,
milestones, consolidated reports and supervision notices, with their audit events and inbox
notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audit.models import AuditEvent
from audit.replay import replay
from notifications.models import Notification
from taskreports import services
from taskreports.models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskEvidence,
    TaskReport,
)
from tests.taskreports.writing import pdf, report, tasks
from zjai.exceptions import ConflictError

TABLES = [
    "taskreports.taskreport",
    "taskreports.consolidatedreport",
    "taskreports.milestone",
    "taskreports.supervisionnotice",
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def t(plan):
    return tasks(plan)


def inbox(user) -> list[tuple[str, str]]:
    return list(
        Notification.objects.filter(recipient=user).order_by("pk").values_list("kind", "key")
    )


def test_write_submit_return_revise_resubmit_approve_keeps_every_round(t, people):
    staff, reviewer = people["staff_sci"], people["reviewer"]
    draft = report(t, staff)
    assert (draft.state, draft.unit, draft.period_end) == ("draft", t.sci, t.period.end)

    submitted = services.submit_report(draft, acting_user=staff, expected_version=draft.version)
    assert submitted.state == "submitted"
    assert submitted.first_submitted_at is not None
    # The lead unit's reviewers are told, never the author.
    key = f"taskreport:{draft.pk}:round:1:submitted"
    assert inbox(reviewer) == [("submitted", key)]
    assert inbox(people["reviewer2"]) == [("submitted", key)]
    assert inbox(staff) == []
    note = Notification.objects.get(recipient=reviewer)
    assert note.url == f"/tasks/reports/{draft.pk}/" and note.unit_id == t.econ.pk

    returned = services.return_report(
        submitted, acting_user=reviewer, comment="请补充数据", expected_version=submitted.version
    )
    assert returned.state == "returned"
    returned_note = Notification.objects.get(recipient=staff)
    assert returned_note.kind == "returned" and "请补充数据" in returned_note.body

    revised = services.update_report(
        returned, acting_user=staff, expected_version=returned.version, work_done="补充了数据"
    )
    assert revised.state == "returned"  # the lead unit keeps seeing it until resubmitted
    first = revised.first_submitted_at
    again = services.submit_report(revised, acting_user=staff)
    assert again.first_submitted_at == first  # timeliness counts the first submission
    approved = services.approve_report(again, acting_user=reviewer, comment="同意")
    assert approved.state == "approved"
    rounds = list(ReviewRound.objects.filter(report=draft).order_by("number"))
    assert [(r.number, r.decision, r.comment) for r in rounds] == [
        (1, "returned", "请补充数据"),
        (2, "approved", "同意"),
    ]
    assert [k for _kind, k in inbox(staff)] == [
        f"taskreport:{draft.pk}:round:1:return",
        f"taskreport:{draft.pk}:round:2:approve",
    ]
    actions = list(
        AuditEvent.objects.filter(object_type="taskreports.taskreport", object_id=str(draft.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "return", "update", "submit", "approve"]
    assert replay(tables=TABLES).ok


def test_one_report_per_unit_task_and_period(t, people):
    report(t, people["staff_sci"])
    with pytest.raises(ValidationError) as refused:
        report(t, people["staff_sci"])
    assert "already has a report" in str(refused.value)
    assert TaskReport.objects.count() == 1


def test_a_unit_reports_only_on_its_tasks_and_for_itself(t, people):
    with pytest.raises(PermissionDenied):
        report(t, people["staff_talent"])  # talent-office is not on II.2.1
    with pytest.raises(PermissionDenied):
        report(t, people["staff_sci"], unit=t.econ)  # another unit's report
    with pytest.raises(PermissionDenied):
        report(t, people["auditor"], unit=t.econ)
    # An administrator writes for any responsible unit, not for a unit outside the task.
    assert report(t, people["admin"], unit=t.sci).unit == t.sci
    with pytest.raises(ValidationError):
        report(t, people["admin"], unit=t.talent, period=t.next_period)
    assert TaskReport.objects.count() == 1


def test_bad_input_names_the_field(t, people):
    staff = people["staff_sci"]
    cases = [
        ({"status": "done"}, "status"),
        ({"percent_complete": 101}, "percent_complete"),
        ({"percent_complete": "abc"}, "percent_complete"),
        ({"period_start": dt.date(2021, 2, 1)}, "period_start"),
        ({"period_start": dt.date(2099, 1, 1)}, "period_start"),
        ({"work_done": "x" * 4001}, "work_done"),
        ({"milestones_reached": [999999]}, "milestones_reached"),
    ]
    for change, field in cases:
        arguments = {
            "item": t.econ_led,
            "unit": t.sci,
            "period_start": t.period.start,
            "status": "in_progress",
            "acting_user": staff,
            **change,
        }
        with pytest.raises(ValidationError) as refused:
            services.create_report(**arguments)
        assert field in refused.value.message_dict, (change, refused.value)
    assert TaskReport.objects.count() == 0


def test_four_eyes_and_the_lead_unit_review(t, people):
    author = people["reviewer"]  # econ-it's reviewer writes econ-it's own report
    submitted = report(t, author, "submitted")
    with pytest.raises(PermissionDenied, match="created, changed or submitted"):
        services.approve_report(submitted, acting_user=author)
    with pytest.raises(PermissionDenied, match="lead unit"):
        services.approve_report(submitted, acting_user=people["reviewer_sci"])
    with pytest.raises(PermissionDenied):
        services.approve_report(submitted, acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.approve_report(submitted, acting_user=people["auditor"])
    assert services.approve_report(submitted, acting_user=people["reviewer2"]).state == "approved"


def test_an_editor_never_reviews_even_an_administrator(t, people):
    draft = report(t, people["staff_sci"])
    services.update_report(draft, acting_user=people["admin"], problems="资金不足")
    submitted = services.submit_report(draft, acting_user=people["staff_sci"])
    with pytest.raises(PermissionDenied):
        services.return_report(submitted, acting_user=people["admin"], comment="x")


def test_return_needs_a_comment_and_a_stale_version_is_refused(t, people):
    submitted = report(t, people["staff_sci"], "submitted")
    with pytest.raises(ValidationError):
        services.return_report(submitted, acting_user=people["reviewer"], comment="  ")
    with pytest.raises(ConflictError) as stale:
        services.approve_report(
            submitted, acting_user=people["reviewer"], expected_version=submitted.version - 1
        )
    assert stale.value.current_version == submitted.version
    with pytest.raises(ConflictError):  # submitted: no longer editable
        services.update_report(submitted, acting_user=people["staff_sci"], work_done="x")
    assert TaskReport.objects.get().state == "submitted"


def test_changing_nothing_changes_no_version(t, people):
    draft = report(t, people["staff_sci"])
    same = services.update_report(
        draft, acting_user=people["staff_sci"], status=draft.status, work_done=draft.work_done
    )
    assert same.version == draft.version


def test_evidence_keeps_its_name_and_its_checks(t, people):
    staff = people["staff_sci"]
    draft = report(t, staff)
    evidence = services.add_evidence(draft, file=pdf(), acting_user=staff)
    assert evidence.original_name == "进展材料.pdf"
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(
            draft, file=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"), acting_user=staff
        )
    assert "file" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_evidence(draft, file=pdf(), acting_user=people["staff"])
    services.remove_evidence(evidence, acting_user=staff)
    assert not TaskEvidence.objects.exists()
    assert TaskReport.objects.get().version == draft.version + 2


def test_consolidated_report_defaults_to_the_units_roll_up(t, people):
    report(t, people["staff_sci"], "approved", reviewer=people["reviewer"], status="behind")
    report(t, people["staff"], "approved", reviewer=people["reviewer2"], status="completed")
    with pytest.raises(PermissionDenied):
        services.write_consolidated_report(
            item=t.econ_led, period_start=t.period.start, acting_user=people["staff_sci"]
        )
    written = services.write_consolidated_report(
        item=t.econ_led,
        period_start=t.period.start,
        summary="总体滞后",
        acting_user=people["staff"],
    )
    assert written.status == "behind"
    changed = services.write_consolidated_report(
        item=t.econ_led,
        period_start=t.period.start,
        status="in_progress",
        acting_user=people["reviewer"],
        expected_version=written.version,
    )
    assert (changed.status, changed.version) == ("in_progress", 2)
    with pytest.raises(ConflictError):
        services.write_consolidated_report(
            item=t.econ_led,
            period_start=t.period.start,
            status="completed",
            acting_user=people["reviewer"],
            expected_version=1,
        )
    with pytest.raises(ValidationError):  # nothing approved: the status must be chosen
        services.write_consolidated_report(
            item=t.econ_led, period_start=t.next_period.start, acting_user=people["staff"]
        )
    assert ConsolidatedReport.objects.count() == 1


def test_milestones_by_the_lead_unit_and_the_owning_unit(t, people):
    lead = services.create_milestone(
        item=t.econ_led,
        unit=t.sci,
        due_on=dt.date(2021, 6, 30),
        description="完成平台建设",
        acting_user=people["staff"],
    )
    own = services.create_milestone(
        item=t.econ_led,
        unit=t.sci,
        due_on=dt.date(2021, 9, 30),
        description="完成验收",
        acting_user=people["staff_sci"],
    )
    with pytest.raises(PermissionDenied):  # sci-tech does not own econ-it's steps
        services.create_milestone(
            item=t.econ_led,
            unit=t.econ,
            due_on=dt.date(2021, 9, 30),
            description="x",
            acting_user=people["staff_sci"],
        )
    with pytest.raises(PermissionDenied):
        services.create_milestone(
            item=t.econ_led,
            unit=t.sci,
            due_on=dt.date(2021, 9, 30),
            description="x",
            acting_user=people["auditor"],
        )
    with pytest.raises(ValidationError):
        services.create_milestone(
            item=t.econ_led,
            unit=t.talent,
            due_on=dt.date(2021, 9, 30),
            description="x",
            acting_user=people["admin"],
        )
    moved = services.update_milestone(
        own, acting_user=people["staff_sci"], expected_version=1, due_on="2021-10-31"
    )
    assert (moved.due_on, moved.version) == (dt.date(2021, 10, 31), 2)
    done = services.mark_milestone_done(lead, acting_user=people["reviewer"], expected_version=1)
    assert done.done_on is not None
    with pytest.raises(ConflictError):
        services.mark_milestone_done(done, acting_user=people["reviewer"])
    # A report reaches its own task's milestones only.
    reached = report(t, people["staff_sci"])
    services.update_report(reached, acting_user=people["staff_sci"], milestones_reached=[lead])
    assert list(reached.milestones_reached.all()) == [lead]
    assert Milestone.objects.count() == 2
    assert replay(tables=TABLES).ok


def test_a_notice_issued_answered_and_closed(t, people):
    admin = people["admin"]
    notice = services.issue_notice(
        unit=t.sci,
        item=t.econ_led,
        period_start=t.period.start,
        subject="2021年一季度报告未报送",
        text="请于三日内报送。",
        reply_by=timezone.localdate() + dt.timedelta(days=3),
        acting_user=admin,
    )
    assert (notice.state, notice.issuing_unit, notice.plan) == ("open", t.econ, t.plan)
    for person in ("staff_sci", "reviewer_sci"):
        assert inbox(people[person]) == [("notice_issued", f"notice:{notice.pk}:issued")]
    assert inbox(people["staff_talent"]) == []
    with pytest.raises(PermissionDenied):
        services.reply_notice(notice, reply="x", acting_user=people["staff"])
    with pytest.raises(PermissionDenied):
        services.close_notice(notice, acting_user=people["staff_sci"])
    answered = services.reply_notice(
        notice, reply="已补报。", acting_user=people["staff_sci"], expected_version=1
    )
    assert answered.state == "answered"
    # The issuer and the issuing unit's reviewers hear of the answer.
    assert [kind for kind, _key in inbox(admin)] == ["notice_answered"]
    assert [kind for kind, _key in inbox(people["reviewer"])] == ["notice_answered"]
    with pytest.raises(ConflictError):
        services.reply_notice(answered, reply="again", acting_user=people["staff_sci"])
    closed = services.close_notice(
        answered, acting_user=people["reviewer"], comment="已落实", expected_version=2
    )
    assert (closed.state, closed.close_comment) == ("closed", "已落实")
    with pytest.raises(ConflictError):
        services.close_notice(closed, acting_user=admin)
    assert replay(tables=TABLES).ok


def test_who_issues_notices(t, people):
    arguments = {
        "subject": "滞后",
        "text": "请说明原因。",
        "reply_by": timezone.localdate() + dt.timedelta(days=5),
    }
    # A lead unit's reviewer, to a unit of a task it leads.
    ok = services.issue_notice(
        unit=t.sci, item=t.econ_led, acting_user=people["reviewer"], **arguments
    )
    assert ok.issuing_unit == t.econ
    for who, item in (
        ("reviewer", t.sci_led),  # econ-it does not lead II.1.1
        ("staff", t.econ_led),  # staff issue nothing
        ("auditor", t.econ_led),
        ("reviewer_sci", None),  # only the coordinating office issues without a task
    ):
        with pytest.raises(PermissionDenied):
            services.issue_notice(
                unit=t.econ, item=item, plan=t.plan, acting_user=people[who], **arguments
            )
    with pytest.raises(ValidationError):  # talent-office is not on the task
        services.issue_notice(
            unit=t.talent, item=t.econ_led, acting_user=people["admin"], **arguments
        )
    with pytest.raises(ValidationError) as past:
        services.issue_notice(
            unit=t.sci,
            item=t.econ_led,
            acting_user=people["admin"],
            **{**arguments, "reply_by": dt.date(2020, 1, 1)},
        )
    assert "reply_by" in past.value.message_dict
    assert SupervisionNotice.objects.count() == 1


def test_notices_are_written_in_the_sites_language_whoever_caused_them(t, people):
    """A reviewer browsing in English returns a report: the author reads the notice in the
    site's language (Chinese), like every other notice (docs/notifications.md)."""
    from django.utils import translation

    submitted = report(t, people["staff_sci"], "submitted")
    with translation.override("en"):
        services.return_report(submitted, acting_user=people["reviewer"], comment="补充")
    notice = Notification.objects.get(recipient=people["staff_sci"], kind="returned")
    assert notice.subject.startswith("任务进展报告被退回：")
    assert notice.body == "意见：补充"
