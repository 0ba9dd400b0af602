"""Large import files are checked and imported by a Celery job (registers.tasks.run_import_job):
the uploader's page shows how far it got, then the same error table as the import page or the
count imported; all rows or none, as within a request; the file kept in the job's row only
until the job ends.

The first tests run the job in-process (eager Celery, as without a broker); those marked
`worker` run it in a real worker on Redis, the site answering /healthz meanwhile.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from enterprises.models import Enterprise
from projects.models import Project
from registers.jobs.services import start_import_job
from registers.models import ImportBatch, ImportJob
from tests.web import client_for, credit_code
from tests.workers import start_worker, wait_for

NAME = "后台企业"
HEADER = "名称（中文）,统一社会信用代码,城市,等级,认定日期\n"


def enterprise_rows(count: int, bad: dict[int, str] | None = None) -> bytes:
    """`count` good enterprise rows (file rows 2…count+1); `bad` replaces a row's city."""
    lines = [HEADER]
    for i in range(count):
        city = (bad or {}).get(i + 2, "杭州")
        tier = "领军企业,2021-05-01" if i % 3 == 0 else ","
        lines.append(f"{NAME}{i:05d},{credit_code(50_000 + i)},{city},{tier}\n")
    return "".join(lines).encode()


def imported() -> int:
    return Enterprise.objects.filter(name_zh__startswith=NAME).count()


def upload(client: Client, content: bytes, register: str = "enterprises", name: str = "big.csv"):
    return client.post(f"/{register}/import/", {"file": SimpleUploadedFile(name, content)})


@pytest.fixture
def background(settings) -> None:
    """Files of more than 50 rows go to the job (200 by default: the tests' files are small)."""
    settings.ZJAI_IMPORT_BACKGROUND_ROWS = 50


def test_a_large_valid_file_is_imported_by_a_job(
    people, background, django_capture_on_commit_callbacks
):
    staff = people["staff"]
    client = client_for(staff)
    content = enterprise_rows(120)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/import/{job.pk}/"
    assert (job.state, job.rows_checked, job.rows_total) == ("done", 120, 120)
    assert job.content is None  # the file is gone with the job
    assert job.result["created"] == 120 and job.result["errors"] == []

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Refresh" not in page
    html = page.content.decode()
    assert "已导入 120 条。" in html and "已检查 120 / 120 行" in html
    assert imported() == 120
    events = AuditEvent.objects.filter(object_type="enterprises.enterprise", actor=staff)
    assert events.count() == 120
    assert {e.actor_label for e in events} == {f"{staff.username} via job:import:{job.pk}"}


def test_a_job_refuses_bad_rows_with_the_same_error_table_and_saves_nothing(
    people, background, settings, django_capture_on_commit_callbacks
):
    client = client_for(people["staff"])
    content = enterprise_rows(120, bad={7: "上海", 100: "巴黎"})
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, content)
    job = ImportJob.objects.get()
    assert (job.state, job.content) == ("rejected", None)
    page = client.get(response["Location"]).content.decode()
    assert "未导入任何内容：共 2 处错误。" in page and "按行和列列出的错误" in page
    assert "上传更正后的文件" in page
    assert imported() == 0

    # The same file within the request: the same errors, row by row.
    settings.ZJAI_IMPORT_BACKGROUND_ROWS = 5000
    inline = upload(client, content)
    assert inline.status_code == 400
    expected = [(e.row, e.column, e.message) for e in inline.context["report"].errors]
    assert [(e["row"], e["column"], e["message"]) for e in job.result["errors"]] == expected
    assert [row for row, _, _ in expected] == [7, 100]
    assert imported() == 0


def test_a_file_refused_as_a_whole_starts_no_job(people, background):
    """Its kind, size, header or what it unpacks to are checked before a job is made."""
    client = client_for(people["staff"])
    wide = (",".join(f"c{i}" for i in range(60_000)) + "\nx\n").encode()
    response = upload(client, wide, name="wide.csv")
    assert response.status_code == 400
    assert "列数过多" in response.content.decode()
    response = upload(client, b"%PDF-1.4" + b"x" * 5000, name="a.xlsx")
    assert response.status_code == 400
    long_cell = enterprise_rows(100) + ("x" * 2000 + ",,杭州,,\n").encode()
    response = upload(client, long_cell)
    assert response.status_code == 400
    assert "第 102 行第 1 列的单元格过长" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_the_page_of_a_waiting_job_reloads_itself(people, background):
    """Until a worker has taken the job, the page says so and reloads every 2 s (no script:
    a Refresh header); the file waits in the job's row."""
    client = client_for(people["staff"])
    response = upload(client, enterprise_rows(100))  # no commit in this test: never queued
    job = ImportJob.objects.get()
    assert job.state == "queued" and bytes(job.content) == enterprise_rows(100)
    assert job.file_name == "big.csv" and job.language == "zh-hans"
    page = client.get(response["Location"])
    assert page["Refresh"] == "2" and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert "等待后台处理" in html and "本页每 2 秒自动刷新" in html
    assert imported() == 0


def test_a_job_is_its_uploaders_alone_and_its_registers(people, background):
    response = upload(client_for(people["staff"]), enterprise_rows(100))
    url = response["Location"]
    assert client_for(people["reviewer"]).get(url).status_code == 404
    assert client_for(people["admin"]).get(url).status_code == 404
    assert client_for(people["auditor"]).get(url).status_code == 403
    job = ImportJob.objects.get()
    assert client_for(people["staff"]).get(f"/projects/import/{job.pk}/").status_code == 404


def test_a_lost_job_says_so_and_loses_its_file_at_the_next_upload(
    people, background, django_capture_on_commit_callbacks
):
    """A job no worker took within the hour (or whose worker died) is shown as not finished,
    nothing imported; the next job started clears its file."""
    client = client_for(people["staff"])
    response = upload(client, enterprise_rows(100))
    lost = ImportJob.objects.get()
    ImportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    page = client.get(response["Location"])
    assert "Refresh" not in page
    assert "导入未完成：处理它的后台进程已停止。未导入任何内容。" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, enterprise_rows(100))
    lost.refresh_from_db()
    assert (lost.state, lost.content) == ("failed", None)
    assert imported() == 100  # the second upload's rows, once


def test_a_lost_job_taken_late_is_not_run(people, background, django_capture_on_commit_callbacks):
    from registers.tasks import run_import_job

    job = start_import_job(
        acting_user=people["staff"],
        register="enterprises",
        upload=SimpleUploadedFile("late.csv", enterprise_rows(10)),
    )
    ImportJob.objects.filter(pk=job.pk).update(state="failed", content=None)
    assert run_import_job(job.pk) == {"job": job.pk, "state": "skipped"}
    assert imported() == 0


def test_only_those_who_may_add_entries_start_a_job(people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        start_import_job(
            acting_user=people["auditor"],
            register="enterprises",
            upload=SimpleUploadedFile("a.csv", enterprise_rows(10)),
        )
    assert not ImportJob.objects.exists()


def test_a_large_xlsx_file_goes_by_what_it_unpacks_to(
    people, settings, django_capture_on_commit_callbacks
):
    """A workbook compresses ten to one: it is read in the job, not within the request, if it
    unpacks to more than ZJAI_IMPORT_BACKGROUND_BYTES, whatever its rows."""
    from tests.registers import bombs

    settings.ZJAI_IMPORT_BACKGROUND_BYTES = 20_000
    header = ["name_zh", "kind", "level", "status", "city", "start_date"]
    rows = [
        [f"后台项目{i:04d}", "智能工厂", "省级", "在建", "杭州", "2021-01-01"] for i in range(80)
    ]
    content = bombs.xlsx(
        bombs.sheet_xml(
            "".join(bombs.row_xml(n, r) for n, r in enumerate([header, *rows], start=1)),
            dimension="A1:F81",
        )
    )
    assert len(content) < 20_000
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_for(people["staff"]), content, "projects", "big.xlsx")
    assert response["Location"].startswith("/projects/import/")
    assert ImportJob.objects.get().state == "done"
    assert Project.objects.filter(name_zh__startswith="后台项目").count() == 80
    # Projects count: the job's page leads to the batch a reviewer confirms.
    page = client_for(people["staff"]).get(response["Location"]).content.decode()
    batch = ImportBatch.objects.get()
    assert f'href="/registers/batches/{batch.pk}/"' in page
    assert batch.changes.count() == 80


# --- in a real worker ----------------------------------------------------------------------------


def job_states(until: Any) -> list[tuple[str, int, int]]:
    """(state, /healthz status, rows checked) seen every 0.1 s until `until()` holds."""
    client = Client()
    seen = []

    def look() -> bool:
        health = client.get("/healthz")
        job = ImportJob.objects.defer("content").get()
        seen.append((job.state, health.status_code, job.rows_checked))
        return until(job)

    wait_for(look, timeout=180, what="the import job")
    return seen


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_site_answers_while_a_worker_imports_a_large_file(people, background, celery_worker):
    content = enterprise_rows(600)
    response = upload(client_for(people["staff"]), content)
    assert response.status_code == 302  # the request returns; the worker checks the rows
    seen = job_states(lambda job: job.finished)
    assert all(health == 200 for _, health, _ in seen)
    checking = [checked for state, _, checked in seen if state == "checking"]
    assert checking, seen  # /healthz answered while the job was checking rows
    assert checking == sorted(checking)
    job = ImportJob.objects.get()
    assert (job.state, job.rows_checked, job.content) == ("done", 600, None)
    assert imported() == 600
    page = client_for(people["staff"]).get(response["Location"]).content.decode()
    assert "已导入 600 条。" in page
    assert "registers.tasks.run_import_job" in celery_worker.log.read_text()


@pytest.mark.worker
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_job_stopped_at_its_time_limit_imports_nothing(people, background, settings):
    """The soft time limit stops the check (prefork pool: the one that enforces limits); the
    page says why, nothing is saved, the file is dropped. The limits travel with the job's
    message, from the settings of the process that queued it."""
    settings.ZJAI_IMPORT_JOB_SOFT_TIME_LIMIT = 1
    settings.ZJAI_IMPORT_JOB_TIME_LIMIT = 30
    worker = start_worker("import-limit", pool="prefork")
    try:
        response = upload(client_for(people["staff"]), enterprise_rows(3000))
        job_states(lambda job: job.finished)
    finally:
        worker.stop()
    job = ImportJob.objects.get()
    assert (job.state, job.content) == ("failed", None)
    assert job.result["errors"][0]["message"] == (
        "导入超过 1 秒，已被停止，未导入任何内容。请将文件拆分后分别上传。"
    )
    assert imported() == 0
    page = client_for(people["staff"]).get(response["Location"]).content.decode()
    assert "未完成，未导入任何内容" in page and "导入超过 1 秒" in page


def test_a_job_refuses_likely_duplicates_unless_the_importer_ticked_the_box(
    people, background, settings, django_capture_on_commit_callbacks
):
    """The check of likely duplicates (same name and city, no credit code) runs in the job as
    within the request, and the box ticked on the form travels with the job."""
    client = client_for(people["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the job writes in its language
    content = ("name_zh,city\n" + "".join(f"{NAME}{i:05d},杭州\n" for i in range(60))).encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content)
    assert imported() == 60

    with django_capture_on_commit_callbacks(execute=True):
        upload(client, content)
    refused = ImportJob.objects.order_by("pk").last()
    assert refused.state == "rejected"
    errors = refused.result["errors"]
    assert [e["row"] for e in errors] == list(range(2, 62))
    assert all(e["column"] == "name_zh" for e in errors)
    assert all(e["message"].startswith("Likely a duplicate of “后台企业") for e in errors)
    assert imported() == 60

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/enterprises/import/",
            {"file": SimpleUploadedFile("big.csv", content), "allow_duplicates": "on"},
        )
    ticked = ImportJob.objects.order_by("pk").last()
    assert ticked.state == "done" and ticked.result["created"] == 60
    assert imported() == 120
