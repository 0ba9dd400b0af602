"""An import's counted rows form one batch that a second person confirms or rejects as one."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from enterprises.models import Enterprise
from enterprises.services import confirm_enterprise_change, update_enterprise
from projects.models import Project
from registers.models import ChangeState, ImportBatch
from registers.services import confirm_import_batch
from targets.services import recompute_progress
from tests.registers.counting import leading_today
from tests.web import client_for, credit_code
from zjai.exceptions import ConflictError

pytestmark = pytest.mark.django_db

HEADER = "name_zh,credit_code,city,sector,tier,recognised_on\n"


def leading_file(n: int = 3, tier: str = "leading") -> SimpleUploadedFile:
    rows = "".join(
        f"导入领军{i},{credit_code(700 + i)},hangzhou,robots,{tier},2021-03-01\n" for i in range(n)
    )
    return SimpleUploadedFile("leading.csv", (HEADER + rows).encode(), content_type="text/csv")


def imported() -> list[Enterprise]:
    return list(Enterprise.objects.filter(name_zh__startswith="导入领军").order_by("pk"))


def test_an_import_is_confirmed_as_one_batch_by_a_second_person(
    people, django_capture_on_commit_callbacks
):
    recompute_progress()
    before = leading_today()
    staff = client_for(people["staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/enterprises/import/", {"file": leading_file()})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/registers/batches/{batch.pk}/"
    entries = imported()
    assert len(entries) == 3 and not any(e.confirmed for e in entries)
    assert batch.changes.count() == 3 and batch.state == ChangeState.PENDING
    recompute_progress()
    assert leading_today() == before

    # The importer sees it awaiting someone else and cannot confirm it.
    page = staff.get(f"/registers/batches/{batch.pk}/")
    assert "该文件由您导入，您不能确认" in page.content.decode()
    assert len(page.context["rows"]) == 3
    refused = staff.post(
        f"/registers/batches/{batch.pk}/", {"confirm": "1", "version": batch.version}
    )
    assert refused.status_code == 403
    # Its entries are decided as one: not one by one, and their counted fields are frozen.
    with pytest.raises(ConflictError, match=f"#{batch.pk}"):
        confirm_enterprise_change(entries[0], acting_user=people["reviewer"])
    with pytest.raises(ConflictError, match=f"#{batch.pk}"):
        update_enterprise(entries[0], acting_user=people["staff"], tier="benchmark")
    update_enterprise(entries[0], acting_user=people["staff"], name_en="Fixed name")

    reviewer = client_for(people["reviewer"])
    queue = reviewer.get("/registers/to-confirm/")
    assert [b.pk for b in queue.context["batches"]] == [batch.pk]
    assert not queue.context["change_rows"]  # the batch's entries are not listed one by one
    with django_capture_on_commit_callbacks(execute=True):
        done = reviewer.post(
            f"/registers/batches/{batch.pk}/",
            {"confirm": "1", "comment": "批量核对", "version": batch.version},
        )
    assert done.status_code == 302
    batch.refresh_from_db()
    assert (batch.state, batch.decided_by) == (ChangeState.CONFIRMED, people["reviewer"])
    assert all(e.confirmed for e in imported())
    assert leading_today() == before + 3
    assert AuditEvent.objects.filter(
        object_type="registers.importbatch", object_id=str(batch.pk), action="approve"
    ).exists()
    # Decided once: a second decision is refused.
    with pytest.raises(ConflictError):
        confirm_import_batch(batch, acting_user=people["admin"], expected_version=batch.version)


def test_a_rejected_import_counts_nowhere_and_can_be_imported_again(people):
    staff, reviewer = client_for(people["staff"]), client_for(people["reviewer"])
    staff.post("/enterprises/import/", {"file": leading_file()})
    batch = ImportBatch.objects.get()
    no_reason = reviewer.post(
        f"/registers/batches/{batch.pk}/", {"reject": "1", "version": batch.version}
    )
    assert no_reason.status_code == 400 and len(imported()) == 3
    rejected = reviewer.post(
        f"/registers/batches/{batch.pk}/",
        {"reject": "1", "comment": "文件有误", "version": batch.version},
    )
    assert rejected.status_code == 302
    assert imported() == []
    batch.refresh_from_db()
    assert batch.state == ChangeState.REJECTED
    assert all(c.state == ChangeState.REJECTED for c in batch.changes.all())
    assert (
        AuditEvent.objects.filter(object_type="enterprises.enterprise", action="delete").count()
        == 3
    )
    # The corrected file goes in again, with the same credit codes.
    again = staff.post("/enterprises/import/", {"file": leading_file()})
    assert again.status_code == 302 and len(imported()) == 3


def test_an_import_that_counts_nothing_has_no_batch(people):
    response = client_for(people["staff"]).post(
        "/enterprises/import/", {"file": leading_file(tier="")}
    )
    assert response.status_code == 302 and response["Location"] == "/enterprises/"
    assert not ImportBatch.objects.exists()
    assert all(e.confirmed for e in imported())


def test_a_project_import_is_one_batch_and_another_unit_cannot_confirm_it(people):
    table = "名称（中文）,类型,级别,状态,城市,开工日期\n" + "".join(
        f"导入项目{i},智能工厂,省级,在建,杭州,2021-01-01\n" for i in range(2)
    )
    client_for(people["staff"]).post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", table.encode("utf-8"))}
    )
    batch = ImportBatch.objects.get()
    assert batch.register.model_class() is Project and batch.changes.count() == 2
    with pytest.raises(PermissionDenied):
        confirm_import_batch(batch, acting_user=people["reviewer_sci"])
    confirm_import_batch(batch, acting_user=people["admin"], expected_version=batch.version)
    assert Project.objects.filter(name_zh__startswith="导入项目", confirmed=True).count() == 2
