"""The target pages and the figure workflow in the browser: rights of every role, bad input,
conflicts, evidence files, history, and query counts of the lists."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from targets import services
from targets.models import Measurement, Progress, Target, TargetUnit
from tests.web import assert_same_queries, client_for, figures

DAY = dt.date(2022, 6, 30)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def draft(robots, who, value="120000", **extra):
    return services.create_measurement(
        target=robots, value=value, observed_on=DAY, acting_user=who, **extra
    )


def submitted(robots, who, value="120000"):
    return services.submit_measurement(draft(robots, who, value), acting_user=who)


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["admin", "reviewer", "staff", "auditor", "staff_sci", "staff_talent"]
)
def test_every_role_reads_the_target_pages(people, robots, role):
    client = client_for(people[role])
    assert client.get("/targets/").status_code == 200
    page = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "要求进度线" in html  # the chart, with its required path
    assert "期限 2022年12月31日" in html  # the deadline is marked, in the page's date format
    assert "该指标的进度尚未计算" in html  # nothing computed yet: said, not computed here


def test_unknown_target_is_404(people):
    assert (
        client_for(people["staff"])
        .get("/plans/zj-ai-2019-2022/targets/no-such-target/")
        .status_code
        == 404
    )


def test_the_target_page_explains_status_and_shows_the_series(people, robots):
    from targets.services import recompute_progress

    figures(robots, people["reviewer"], 2, start=dt.date(2020, 6, 30))
    recompute_progress(dt.date(2021, 6, 30))
    html = (
        client_for(people["staff"])
        .get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
        .content.decode()
    )
    progress = Progress.objects.get(target=robots)
    assert progress.pace_ratio is not None
    # The sentence says the status, the pace ratio and the forecast.
    assert progress.get_status_display() in html
    assert "倍" in html and "按此速度" in html
    assert "<polyline" in html


def test_the_report_link_shows_only_where_the_unit_may_report(people, robots):
    link = "/plans/zj-ai-2019-2022/targets/robots-in-service/report/"
    assert (
        link
        in client_for(people["staff"])
        .get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
        .content.decode()
    )
    for role in ("auditor", "staff_sci", "staff_talent"):
        page = (
            client_for(people[role])
            .get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
            .content.decode()
        )
        assert link not in page, role
    # Counted targets take no figures at all.
    counted = (
        client_for(people["admin"])
        .get("/plans/zj-ai-2019-2022/targets/ent-leading/")
        .content.decode()
    )
    assert "/plans/zj-ai-2019-2022/targets/ent-leading/report/" not in counted


# --- reporting -------------------------------------------------------------------------------


def test_staff_report_a_draft_then_submit_it(people, robots):
    client = client_for(people["staff"])
    assert client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/report/").status_code == 200
    evidence = SimpleUploadedFile("季报.pdf", PDF, content_type="application/pdf")
    response = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {
            "value": "130,000",
            "observed_on": "2022-06-30",
            "note": "统计局季报",
            "evidence": evidence,
        },
    )
    assert response.status_code == 302
    figure = Measurement.objects.get(target=robots)
    assert figure.state == "draft"
    assert figure.value == Decimal("130000")
    assert figure.created_by == people["staff"]
    assert figure.evidence.name.endswith(".pdf")
    assert AuditEvent.objects.filter(object_type="targets.measurement", action="create").exists()

    page = client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/").content.decode()
    assert "草稿" in page and "130,000" in page
    response = client.post(f"/figures/{figure.pk}/submit/", {"version": figure.version})
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.state == "submitted"
    assert figure.submitted_by == people["staff"]


def test_save_and_submit_at_once(people, robots):
    response = client_for(people["staff"]).post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "130000", "observed_on": "2022-06-30", "submit": "1"},
    )
    assert response.status_code == 302
    assert Measurement.objects.get(target=robots).state == "submitted"


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        ({"value": "很多", "observed_on": "2022-06-30"}, "value", "请输入"),
        ({"value": "-5", "observed_on": "2022-06-30"}, "value", "不能为负数"),
        ({"value": "100", "observed_on": "2099-01-01"}, "observed_on", "未来"),
        ({"value": "100", "observed_on": "30/06/2022x"}, "observed_on", "日期"),
        ({"value": "", "observed_on": "2022-06-30"}, "value", "必填项"),
    ],
)
def test_bad_figures_show_the_field_and_the_reason_and_save_nothing(
    people, robots, data, field, reason
):
    response = client_for(people["staff"]).post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/", data
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert reason in " ".join(form.errors[field])
    html = response.content.decode()
    assert "未保存任何内容" in html
    assert f'href="#id_{field}"' in html
    assert not Measurement.objects.exists()


def _docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "ok", "reason"),
    [
        ("report.pdf", PDF, True, ""),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, True, ""),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 32, True, ""),
        ("table.csv", "城市,数量\n杭州,1\n".encode(), True, ""),
        ("letter.docx", _docx_bytes(), True, ""),
        ("virus.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", False, "内容不是 PDF"),
        ("letter.xlsx", _docx_bytes(), False, "内容不是 XLSX"),
        ("script.exe", b"MZ\x90\x00", False, "格式"),
        ("page.html", b"<html></html>", False, "格式"),
    ],
)
def test_evidence_type_is_checked_by_content(people, robots, name, content, ok, reason):
    response = client_for(people["staff"]).post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "1", "observed_on": "2022-06-30", "evidence": SimpleUploadedFile(name, content)},
    )
    if ok:
        assert response.status_code == 302, response.context["form"].errors
        assert Measurement.objects.get().evidence
    else:
        assert response.status_code == 400
        assert reason in " ".join(response.context["form"].errors["evidence"])
        assert not Measurement.objects.exists()


def test_evidence_size_is_limited(people, robots, settings):
    settings.ZJAI_EVIDENCE_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048)
    response = client_for(people["staff"]).post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "1", "observed_on": "2022-06-30", "evidence": big},
    )
    assert response.status_code == 400
    assert "最大" in " ".join(response.context["form"].errors["evidence"])
    assert not Measurement.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "staff_sci", "staff_talent", "reviewer_sci"])
def test_who_may_not_report_gets_403(people, robots, role):
    client = client_for(people[role])
    assert client.get("/plans/zj-ai-2019-2022/targets/robots-in-service/report/").status_code == 403
    response = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "1", "observed_on": "2022-06-30"},
    )
    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_a_participating_unit_may_report(people):
    # ic-12inch-line: econ-it leads, sci-tech takes part.
    response = client_for(people["staff_sci"]).post(
        "/plans/zj-ai-2019-2022/targets/ic-12inch-line/report/",
        {"value": "1", "observed_on": "2022-06-30"},
    )
    assert response.status_code == 302


def test_counted_targets_take_no_figures(people):
    response = client_for(people["admin"]).get("/plans/zj-ai-2019-2022/targets/ent-leading/report/")
    assert response.status_code == 403


# --- editing, conflicts ----------------------------------------------------------------------


def test_edit_a_draft_with_its_version(people, robots):
    figure = draft(robots, people["staff"])
    client = client_for(people["staff"])
    assert client.get(f"/figures/{figure.pk}/edit/").status_code == 200
    response = client.post(
        f"/figures/{figure.pk}/edit/",
        {"value": "121000", "observed_on": "2022-06-30", "version": figure.version},
    )
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.value == Decimal("121000")
    assert figure.version == 2


def test_a_stale_edit_is_refused_with_a_clear_message_and_overwrites_nothing(people, robots):
    figure = draft(robots, people["staff"])
    read_version = figure.version
    services.update_measurement(
        figure, acting_user=people["staff"], expected_version=read_version, value="125000"
    )
    response = client_for(people["staff"]).post(
        f"/figures/{figure.pk}/edit/",
        {"value": "1", "observed_on": "2022-06-30", "version": read_version},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "未保存：在此期间已有他人修改" in html
    assert "没有覆盖任何内容" in html
    figure.refresh_from_db()
    assert figure.value == Decimal("125000")


def test_an_edit_without_its_version_is_refused(people, robots):
    figure = draft(robots, people["staff"])
    response = client_for(people["staff"]).post(
        f"/figures/{figure.pk}/edit/", {"value": "1", "observed_on": "2022-06-30"}
    )
    assert response.status_code == 400
    figure.refresh_from_db()
    assert figure.value == Decimal("120000")


def test_a_stale_submit_is_refused(people, robots):
    figure = draft(robots, people["staff"])
    services.update_measurement(figure, acting_user=people["staff"], value="121000")
    client = client_for(people["staff"])
    response = client.post(f"/figures/{figure.pk}/submit/", {"version": 1}, follow=True)
    assert "已被他人修改" in response.content.decode()
    figure.refresh_from_db()
    assert figure.state == "draft"


def test_submitted_figures_cannot_be_edited(people, robots):
    figure = submitted(robots, people["staff"])
    assert client_for(people["staff"]).get(f"/figures/{figure.pk}/edit/").status_code == 403


@pytest.mark.parametrize("role", ["auditor", "staff_sci"])
def test_others_may_not_edit_or_submit(people, robots, role):
    figure = draft(robots, people["staff"])
    client = client_for(people[role])
    assert client.get(f"/figures/{figure.pk}/edit/").status_code in (403, 404)
    response = client.post(f"/figures/{figure.pk}/submit/", {"version": figure.version})
    assert response.status_code in (403, 404)
    figure.refresh_from_db()
    assert figure.state == "draft"


def test_another_units_draft_is_404_everywhere(people):
    talent = Target.objects.get(code="talent-policies")
    secret = services.create_measurement(
        target=talent,
        value="3",
        observed_on=DAY,
        note="保密草稿",
        evidence=SimpleUploadedFile("a.pdf", PDF),
        acting_user=people["staff_talent"],
    )
    client = client_for(people["staff"])
    for url in (
        f"/figures/{secret.pk}/",
        f"/figures/{secret.pk}/edit/",
        f"/figures/{secret.pk}/review/",
        f"/figures/{secret.pk}/withdraw/",
        f"/figures/{secret.pk}/evidence/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/figures/{secret.pk}/submit/", {"version": 1}).status_code == 404
    for url in (
        "/plans/zj-ai-2019-2022/targets/talent-policies/",
        "/figures/",
        "/figures/?export=csv",
        "/",
    ):
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert "保密草稿".encode() not in body, url
    # The auditor reads everything, including the draft.
    auditor = client_for(people["auditor"])
    assert (
        "保密草稿"
        in auditor.get("/plans/zj-ai-2019-2022/targets/talent-policies/").content.decode()
    )


# --- review ----------------------------------------------------------------------------------


def test_reviewer_approves_and_progress_follows(people, robots, django_capture_on_commit_callbacks):
    figure = submitted(robots, people["staff"])
    client = client_for(people["reviewer"])
    page = client.get(f"/figures/{figure.pk}/review/")
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(
            f"/figures/{figure.pk}/review/",
            {"approve": "1", "comment": "核对无误", "version": figure.version},
            follow=True,
        )
    # The recompute (and the author's e-mail), queued once the approval committed.
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["notify", "schedule_recompute"]
    assert response.status_code == 200
    assert "数值已审核通过" in response.content.decode()
    figure.refresh_from_db()
    assert figure.state == "approved"
    assert figure.reviewed_by == people["reviewer"]
    # No manual step: the recompute queued on commit ran (eagerly, in this test).
    progress = Progress.objects.get(target=robots)
    assert progress.current_value == Decimal("120000")
    assert progress.current_date == DAY


def test_reject_needs_a_comment(people, robots):
    figure = submitted(robots, people["staff"])
    client = client_for(people["reviewer"])
    response = client.post(
        f"/figures/{figure.pk}/review/", {"reject": "1", "comment": "", "version": figure.version}
    )
    assert response.status_code == 400
    assert "请说明退回的理由" in response.content.decode()
    figure.refresh_from_db()
    assert figure.state == "submitted"
    response = client.post(
        f"/figures/{figure.pk}/review/",
        {"reject": "1", "comment": "口径不一致", "version": figure.version},
    )
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.state == "rejected"
    assert figure.review_comment == "口径不一致"


def test_a_reviewer_never_reviews_their_own_figure(people, robots):
    figure = submitted(robots, people["reviewer"])
    client = client_for(people["reviewer"])
    page = client.get(f"/figures/{figure.pk}/review/").content.decode()
    assert "您经手过这条数值（创建、修改或提交过它），因此您不能审核" in page
    assert 'name="approve"' not in page
    response = client.post(
        f"/figures/{figure.pk}/review/", {"approve": "1", "version": figure.version}
    )
    assert response.status_code == 403
    assert "您不能审核自己创建、修改或提交过的数值" in response.content.decode()
    figure.refresh_from_db()
    assert figure.state == "submitted"
    # Another reviewer of the lead unit may.
    other = client_for(people["reviewer2"]).post(
        f"/figures/{figure.pk}/review/", {"approve": "1", "version": figure.version}
    )
    assert other.status_code == 302


@pytest.mark.parametrize("role", ["staff", "auditor", "reviewer_sci", "staff_sci"])
def test_only_reviewers_of_the_lead_unit_review(people, robots, role):
    figure = submitted(robots, people["staff"])
    client = client_for(people[role])
    assert client.get(f"/figures/{figure.pk}/review/").status_code in (403, 404)
    response = client.post(
        f"/figures/{figure.pk}/review/", {"approve": "1", "version": figure.version}
    )
    assert response.status_code in (403, 404)
    figure.refresh_from_db()
    assert figure.state == "submitted"


def test_a_stale_review_is_refused(people, robots):
    figure = submitted(robots, people["staff"])
    services.reject_measurement(figure, acting_user=people["reviewer2"], comment="重报")
    response = client_for(people["reviewer"]).post(
        f"/figures/{figure.pk}/review/", {"approve": "1", "version": figure.version}
    )
    assert response.status_code in (400, 409)
    figure.refresh_from_db()
    assert figure.state == "rejected"


def test_withdraw_an_approved_figure(people, robots):
    figure = services.approve_measurement(
        submitted(robots, people["staff"]), acting_user=people["reviewer"]
    )
    assert client_for(people["staff"]).get(f"/figures/{figure.pk}/withdraw/").status_code == 403
    assert client_for(people["auditor"]).get(f"/figures/{figure.pk}/withdraw/").status_code == 403
    client = client_for(people["reviewer"])
    missing_reason = client.post(f"/figures/{figure.pk}/withdraw/", {"version": figure.version})
    assert missing_reason.status_code == 400
    response = client.post(
        f"/figures/{figure.pk}/withdraw/", {"reason": "统计口径调整", "version": figure.version}
    )
    assert response.status_code == 302
    figure.refresh_from_db()
    assert figure.state == "withdrawn"


# --- evidence and history ----------------------------------------------------------------------


def test_evidence_downloads_only_for_who_may_see_the_figure(people, robots):
    figure = draft(robots, people["staff"], evidence=SimpleUploadedFile("季报.pdf", PDF))
    own = client_for(people["staff"]).get(f"/figures/{figure.pk}/evidence/")
    assert own.status_code == 200
    assert own["Content-Type"] == "application/pdf"
    assert "attachment" in own["Content-Disposition"]
    assert own["X-Content-Type-Options"] == "nosniff"
    assert b"".join(own.streaming_content) == PDF
    assert client_for(people["auditor"]).get(f"/figures/{figure.pk}/evidence/").status_code == 200
    # Another unit sees neither the draft nor its file...
    assert (
        client_for(people["staff_talent"]).get(f"/figures/{figure.pk}/evidence/").status_code == 404
    )
    # ...until it is approved: approved figures are public inside the system.
    approved = services.approve_measurement(
        services.submit_measurement(figure, acting_user=people["staff"]),
        acting_user=people["reviewer"],
    )
    response = client_for(people["staff_talent"]).get(f"/figures/{approved.pk}/evidence/")
    assert response.status_code == 200


def test_history_lists_the_figures_changes_with_who_and_when(people, robots):
    figure = submitted(robots, people["staff"])
    services.approve_measurement(figure, acting_user=people["reviewer"], comment="同意")
    html = (
        client_for(people["auditor"])
        .get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
        .content.decode()
    )
    assert "变更历史" in html
    for action in ("新建", "提交审核", "审核通过"):  # create, submit, approve in the reader's words
        assert f">{action}<" in html
    assert "reviewer1" in html and "staff1" in html
    assert "同意" in html


def test_history_shows_a_drafts_events_only_to_who_sees_the_draft(people, robots):
    hidden = draft(robots, people["staff"], value="4321", note="内部草稿")
    shown = submitted(robots, people["staff"], value="8765")
    services.approve_measurement(shown, acting_user=people["reviewer"], comment="核对无误")
    own = client_for(people["staff"]).get("/plans/zj-ai-2019-2022/targets/robots-in-service/")
    other = client_for(people["staff_talent"]).get(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/"
    )
    own_ids = {row.event.object_id for row in own.context["history_rows"]}
    other_ids = {row.event.object_id for row in other.context["history_rows"]}
    assert {str(hidden.pk), str(shown.pk)} <= own_ids
    assert str(shown.pk) in other_ids and str(hidden.pk) not in other_ids
    assert "核对无误" in other.content.decode()


# --- the figures list ---------------------------------------------------------------------------


def test_the_figures_list_filters_and_scopes(people, robots):
    submitted(robots, people["staff"])
    draft(robots, people["staff"], value="5")
    client = client_for(people["reviewer"])
    waiting = client.get("/figures/?to_review=true")
    assert waiting.status_code == 200
    assert [m.state for m in waiting.context["rows"]] == ["submitted"]
    drafts = client.get("/figures/?state=draft")
    assert [m.state for m in drafts.context["rows"]] == ["draft"]
    assert client_for(people["staff_talent"]).get("/figures/").context["rows"] == []


def test_figures_export_is_csv_of_the_filtered_rows(people, robots):
    submitted(robots, people["staff"])
    draft(robots, people["staff"], value="5")
    response = client_for(people["auditor"]).get("/figures/?state=submitted&export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 2
    assert "submitted" in lines[1]


def test_figures_export_keeps_negative_numbers_as_numbers_and_defuses_text(people, robots):
    figure = submitted(robots, people["staff"])
    Measurement.objects.filter(pk=figure.pk).update(value=Decimal("-5"), note="=1+2")
    response = client_for(people["auditor"]).get("/figures/?state=submitted&export=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = text.strip().splitlines()[1].split(",")
    assert "-5.0000" in row, row  # a number, as a spreadsheet reads it (not quoted)
    assert "'=1+2" in row  # text that would run as a formula is quoted


def test_list_pages_issue_the_same_queries_at_10_and_200_rows(people, robots):
    figures(robots, people["staff"], 10)
    client = client_for(people["staff"])
    assert_same_queries(
        client,
        "/figures/",
        lambda: figures(robots, people["reviewer"], 190, start=dt.date(2021, 1, 1)),
    )
    assert_same_queries(
        client,
        "/plans/zj-ai-2019-2022/targets/robots-in-service/",
        lambda: figures(robots, people["staff"], 190, state="draft", start=dt.date(2021, 1, 1)),
    )


def test_the_target_list_issues_the_same_queries_at_15_and_200_targets(people, robots):
    client = client_for(people["staff"])

    def more_targets():
        for i in range(185):
            clone = Target.objects.get(pk=robots.pk)
            clone.pk = None
            clone.code = f"extra-{i}"
            clone.save()
            TargetUnit.objects.create(target=clone, unit_id=people["staff"].unit_id, order=0)

    assert_same_queries(client, "/targets/", more_targets)
    assert Target.objects.count() == 200
