"""Four eyes on the registers (issue 12, finding 2): a register change that moves a target counts
only once a second person of the owning unit confirms it.

The attack: one staff member added three "leading" enterprises and moved that target from 9 to
12, and nobody else saw it. Here the same three additions move nothing, show as pending, cannot
be confirmed by the person who made them, and move the target once a reviewer confirms them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from enterprises.models import Enterprise
from enterprises.services import (
    confirm_enterprise_change,
    create_enterprise,
    reject_enterprise_change,
    update_enterprise,
)
from plans.models import ResponsibleUnit
from projects.models import Project
from projects.services import confirm_project_change, create_project, update_project
from registers.models import ChangeState, PendingChange
from targets.models import Target
from targets.services import recompute_progress
from targets.values import current_values
from tests.registers.counting import leading_today
from tests.web import client_for, credit_code
from zjai.exceptions import ConflictError

pytestmark = pytest.mark.django_db

LEADING = {"city": "hangzhou", "sector": "robots", "tier": "leading"}


def add_leading(client, n: int, start: int = 0) -> list[Enterprise]:
    for i in range(n):
        response = client.post(
            "/enterprises/new/",
            {
                "name_zh": f"领军{start + i}",
                "credit_code": credit_code(500 + start + i),
                "recognised_on": "2021-03-01",
                "status": "active",
                **LEADING,
            },
        )
        assert response.status_code == 302, response.context and response.context["form"].errors
    return list(Enterprise.objects.filter(name_zh__startswith="领军").order_by("pk"))


def decide(client, entry: Enterprise, decision: str, comment: str = ""):
    return client.post(
        f"/enterprises/{entry.pk}/decide/",
        {decision: "1", "comment": comment, "version": entry.version},
    )


def test_three_leading_enterprises_added_by_one_person_count_once_a_reviewer_confirms(
    people, django_capture_on_commit_callbacks
):
    recompute_progress()
    before = leading_today()
    staff = client_for(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        added = add_leading(staff, 3)
    assert len(added) == 3 and not any(e.confirmed for e in added)

    # Nothing moved: the recompute counts confirmed entries only.
    recompute_progress()
    assert leading_today() == before
    target = Target.objects.get(code="ent-leading")
    assert current_values([target], timezone.localdate())[target.pk].value == before

    # They show as pending: in the list (badge and filter) and on each entry's page.
    listing = staff.get("/enterprises/?pending=true")
    assert {e.pk for e in listing.context["rows"]} >= {e.pk for e in added}
    assert listing.content.decode().count("tag-pending") >= 3
    assert not staff.get("/enterprises/?pending=false").context["rows"].__contains__(added[0])
    page = staff.get(f"/enterprises/{added[0].pk}/").content.decode()
    assert "新条目待确认" in page
    assert "您提出了此变更，因此不能确认" in page  # the proposer is told why no button

    # The same person cannot confirm: refused by the page and by the service.
    refused = decide(staff, added[0], "confirm")
    assert refused.status_code == 403
    with pytest.raises(PermissionDenied):
        confirm_enterprise_change(added[0], acting_user=people["staff"])
    # Nor can another unit's reviewer.
    with pytest.raises(PermissionDenied):
        confirm_enterprise_change(added[0], acting_user=people["reviewer_sci"])
    assert not Enterprise.objects.filter(pk__in=[e.pk for e in added], confirmed=True).exists()

    # A reviewer of the unit confirms each: the recompute runs and the target moves by three.
    reviewer = client_for(people["reviewer"])
    queue = reviewer.get("/registers/to-confirm/")
    assert {row["change"].object_id for row in queue.context["change_rows"]} >= {
        e.pk for e in added
    }
    for entry in added:
        with django_capture_on_commit_callbacks(execute=True):
            response = decide(reviewer, entry, "confirm", "已核对认定文件")
        assert response.status_code == 302
    assert leading_today() == before + 3
    entry = Enterprise.objects.get(pk=added[0].pk)
    assert entry.confirmed and entry.version == 2
    # Audited as the reviewer's, with the proposer named.
    event = AuditEvent.objects.filter(
        object_type="enterprises.enterprise", object_id=str(entry.pk)
    ).latest("seq")
    assert event.actor == people["reviewer"] and event.after == {"confirmed": True}
    assert "proposed by staff1" in event.reason and "已核对认定文件" in event.reason
    assert not staff.get("/enterprises/?pending=true").context["rows"]


def test_a_rejected_new_entry_counts_nowhere_leaves_the_register_and_is_audited(
    people, django_capture_on_commit_callbacks
):
    recompute_progress()
    before = leading_today()
    (entry,) = add_leading(client_for(people["staff"]), 1)
    reviewer = client_for(people["reviewer"])
    no_reason = decide(reviewer, entry, "reject")
    assert no_reason.status_code == 400 and Enterprise.objects.filter(pk=entry.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = decide(reviewer, entry, "reject", "无认定文件")
    assert response.status_code == 302
    assert not Enterprise.objects.filter(pk=entry.pk).exists()
    recompute_progress()
    assert leading_today() == before
    change = PendingChange.objects.get(object_id=entry.pk)
    assert (change.state, change.decided_by, change.comment) == (
        ChangeState.REJECTED,
        people["reviewer"],
        "无认定文件",
    )
    deleted = AuditEvent.objects.get(
        object_type="enterprises.enterprise", object_id=str(entry.pk), action="delete"
    )
    assert deleted.actor == people["reviewer"] and "无认定文件" in deleted.reason
    assert deleted.before["tier"] == "leading"
    assert AuditEvent.objects.filter(
        object_type="registers.pendingchange", object_id=str(change.pk), action="reject"
    ).exists()
    # The same credit code can be added again, corrected.
    add_leading(client_for(people["staff"]), 1)


def test_a_counted_change_waits_and_other_fields_apply_at_once(people):
    staff, reviewer = people["staff"], people["reviewer"]
    entry = create_enterprise(
        acting_user=staff, name_zh="甲", recognised_on=dt.date(2021, 3, 1), **LEADING
    )
    entry = confirm_enterprise_change(entry, acting_user=reviewer)
    target = Target.objects.get(code="ent-leading")
    today = timezone.localdate()
    counted = current_values([target], today)[target.pk].value

    entry = update_enterprise(
        entry,
        acting_user=staff,
        expected_version=entry.version,
        name_en="Jia AI",
        status="revoked",
        revoked_on=dt.date(2022, 1, 5),
        reason="复核",
    )
    fresh = Enterprise.objects.get(pk=entry.pk)
    # The name at once; the revocation is proposed and counts nowhere yet.
    assert (fresh.name_en, fresh.status, fresh.revoked_on) == ("Jia AI", "active", None)
    assert current_values([target], today)[target.pk].value == counted
    change = PendingChange.objects.pending().of_entry(fresh).get()
    assert change.proposed == {"status": "revoked", "revoked_on": "2022-01-05"}

    # Another staff member of the unit cannot change the counted fields meanwhile (409), but
    # may change the others.
    colleague = people["admin"]
    with pytest.raises(ConflictError, match="staff1"):
        update_enterprise(fresh, acting_user=colleague, tier="benchmark")
    fresh = update_enterprise(fresh, acting_user=colleague, name_en="Jia")
    assert PendingChange.objects.pending().of_entry(fresh).get().proposed == change.proposed

    # The proposer amends their own proposal; setting it back withdraws it.
    fresh = update_enterprise(fresh, acting_user=staff, revoked_on=dt.date(2022, 2, 1))
    assert PendingChange.objects.get(pk=change.pk).proposed["revoked_on"] == "2022-02-01"
    fresh = update_enterprise(fresh, acting_user=staff, status="active", revoked_on=None)
    assert PendingChange.objects.get(pk=change.pk).state == ChangeState.WITHDRAWN
    assert not PendingChange.objects.pending().of_entry(fresh).exists()

    # Proposed again and confirmed: now the count moves.
    fresh = update_enterprise(
        fresh, acting_user=staff, status="revoked", revoked_on=dt.date(2022, 1, 5), reason="复核"
    )
    confirm_enterprise_change(fresh, acting_user=reviewer)
    assert current_values([target], today)[target.pk].value == counted - 1


def test_an_update_that_changes_nothing_writes_nothing(people):
    entry = create_enterprise(acting_user=people["staff"], name_zh="乙", city="ningbo")
    assert entry.confirmed  # no tier: it counts nowhere, so nothing to confirm
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    same = update_enterprise(
        entry, acting_user=people["staff"], expected_version=1, name_zh="乙", city="ningbo"
    )
    assert same.version == 1 and Enterprise.objects.get(pk=entry.pk).version == 1
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    page = client_for(people["staff"]).post(
        f"/enterprises/{entry.pk}/edit/",
        {"name_zh": "乙", "city": "ningbo", "status": "active", "version": 1},
    )
    assert page.status_code == 302
    assert Enterprise.objects.get(pk=entry.pk).version == 1
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()


def test_another_unit_with_a_stale_version_is_refused_for_its_right_not_its_version(people):
    entry = create_enterprise(acting_user=people["staff"], name_zh="丙", city="ningbo")
    update_enterprise(entry, acting_user=people["staff"], name_en="Bing")  # version 2
    with pytest.raises(PermissionDenied):
        update_enterprise(entry, acting_user=people["staff_sci"], expected_version=1, name_en="x")
    project = create_project(
        acting_user=people["staff"], name_zh="丁", kind="major", level="city", city="ningbo"
    )
    update_project(project, acting_user=people["staff"], name_en="Ding")
    with pytest.raises(PermissionDenied):
        update_project(project, acting_user=people["staff_sci"], expected_version=1, name_en="x")
    with pytest.raises(PermissionDenied):
        confirm_project_change(project, acting_user=people["reviewer_sci"], expected_version=1)


def test_a_new_project_counts_once_confirmed(people, django_capture_on_commit_callbacks):
    """Every project counts (the demonstration projects' target counts accepted ones)."""
    target = Target.objects.get(code="demo-projects")
    today = timezone.localdate()
    counted = current_values([target], today)[target.pk].value
    project = create_project(
        acting_user=people["staff"],
        name_zh="示范项目",
        kind="demonstration",
        level="provincial",
        status="accepted",
        city="hangzhou",
        start_date=dt.date(2020, 1, 1),
        accepted_on=dt.date(2021, 6, 1),
    )
    assert not project.confirmed
    assert current_values([target], today)[target.pk].value == counted
    with django_capture_on_commit_callbacks(execute=True):
        confirm_project_change(project, acting_user=people["admin"])
    assert current_values([target], today)[target.pk].value == counted + 1
    assert Project.objects.get(pk=project.pk).confirmed


def test_a_change_in_another_units_entry_is_confirmed_by_that_unit(people):
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    entry = create_enterprise(
        acting_user=people["staff_sci"], name_zh="戊", recognised_on=dt.date(2021, 1, 1), **LEADING
    )
    assert entry.owner_unit == sci
    with pytest.raises(PermissionDenied):
        confirm_enterprise_change(entry, acting_user=people["reviewer"])  # econ-it's reviewer
    with pytest.raises(ValidationError):
        reject_enterprise_change(entry, acting_user=people["reviewer_sci"], comment=" ")
    confirm_enterprise_change(entry, acting_user=people["reviewer_sci"])
    assert Enterprise.objects.get(pk=entry.pk).confirmed


def test_the_dashboard_points_a_reviewer_to_what_awaits_them(people):
    create_enterprise(
        acting_user=people["staff"], name_zh="己", recognised_on=dt.date(2021, 1, 1), **LEADING
    )
    reviewer = client_for(people["reviewer"]).get("/")
    assert reviewer.context["registers_to_confirm"] == 1
    assert "/registers/to-confirm/" in reviewer.content.decode()
    # Not to the proposer, nor to another unit's reviewer (nothing of theirs waits).
    assert "registers_to_confirm" not in client_for(people["staff"]).get("/").context
    assert client_for(people["reviewer_sci"]).get("/").context["registers_to_confirm"] == 0
    mine = client_for(people["staff"]).get("/registers/to-confirm/")
    assert [row["change"].entry_repr for row in mine.context["mine"]] == ["己"]
