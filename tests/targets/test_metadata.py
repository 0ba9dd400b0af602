"""A target's metadata (definition, how it is measured, data source, limitations): written by
the same service, with the same right, as the rest of a target's definition; stamped with the
time a text last changed; shown on the target's page; changed through the admin and the API;
replayed by the audit log like the other fields of a target."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.test import Client

from audit.models import AuditEvent
from targets import services
from targets.models import Target
from tests.api.client import ApiClient
from tests.audit.test_replay import differences, run, sql
from tests.audit.test_write_paths import _admin_form_data
from tests.web import client_for

pytestmark = pytest.mark.django_db

URL = "/plans/zj-ai-2019-2022/targets/{}/"
API = "/api/v1/targets/zj-ai-2019-2022:{}/"


@pytest.fixture
def robots(plan) -> Target:
    return Target.objects.get(plan=plan, code="robots-in-service")


@pytest.fixture
def benchmark(plan) -> Target:
    """A target the plan file gives no metadata."""
    return Target.objects.get(plan=plan, code="ent-benchmark")


def events_of(target: Target) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type="targets.target", object_id=str(target.pk)).order_by(
            "seq"
        )
    )


# --- the service -------------------------------------------------------------------------------


def test_a_changed_text_stamps_the_target_and_records_an_event(people, benchmark):
    assert benchmark.metadata_updated_at is None and not benchmark.has_metadata
    changed = services.update_target(
        benchmark,
        acting_user=people["admin"],
        reason="补充定义",
        expected_version=benchmark.version,
        definition_zh="经认定的人工智能产业应用标杆企业数量。",
        data_source_en="The enterprise register.",
    )
    assert changed.version == benchmark.version + 1
    assert changed.metadata_updated_at is not None
    event = events_of(benchmark)[-1]
    assert event.action == "update" and event.reason == "补充定义"
    assert event.after["definition_zh"] == "经认定的人工智能产业应用标杆企业数量。"
    assert event.after["data_source_en"] == "The enterprise register."
    assert event.before["definition_zh"] == "" and event.before["metadata_updated_at"] is None
    assert event.after["metadata_updated_at"] is not None
    # The metadata moves no figure: the target is not marked for a recompute.
    assert Target.objects.get(pk=benchmark.pk).dirty_since is None


def test_the_same_texts_again_change_nothing_and_another_field_leaves_the_stamp(people, robots):
    stamped = robots.metadata_updated_at
    assert stamped is not None  # the plan file gave it metadata
    seq = AuditEvent.objects.count()
    same = services.update_target(
        robots, acting_user=people["admin"], reason="无变化", definition_zh=robots.definition_zh
    )
    assert same.version == robots.version and AuditEvent.objects.count() == seq
    weighted = services.update_target(
        robots, acting_user=people["admin"], reason="权重", weight="2"
    )
    assert weighted.metadata_updated_at == stamped
    assert "metadata_updated_at" not in events_of(robots)[-1].after
    # A weight moves the roll-ups: marked for a recompute.
    assert Target.objects.get(pk=robots.pk).dirty_since is not None


def test_the_stamp_is_the_services_to_set(people, robots):
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    with pytest.raises(ValidationError) as refused:
        services.update_target(
            robots, acting_user=people["admin"], reason="r", metadata_updated_at=timezone.now()
        )
    assert "metadata_updated_at" in refused.value.message_dict


@pytest.mark.parametrize("role", ["staff", "reviewer", "auditor"])
def test_only_an_administrator_changes_the_metadata(people, robots, role):
    with pytest.raises(PermissionDenied):
        services.update_target(robots, acting_user=people[role], reason="r", definition_zh="改")
    assert Target.objects.get(pk=robots.pk).definition_zh == robots.definition_zh


def test_the_bilingual_properties_fall_back_to_the_other_language(benchmark):
    from django.utils import translation

    benchmark.limitations_zh = "仅统计已确认的企业。"
    with translation.override("en"):
        assert benchmark.limitations == "仅统计已确认的企业。"
    benchmark.limitations_en = "Confirmed enterprises only."
    with translation.override("en"):
        assert benchmark.limitations == "Confirmed enterprises only."
    with translation.override("zh-hans"):
        assert benchmark.limitations == "仅统计已确认的企业。"


# --- the admin ---------------------------------------------------------------------------------


def staff_admin(user):
    """A client of the Django admin site, which wants staff status (an administrator's account
    has every permission of the site; the rule is still targets.rules)."""
    user.is_staff = True
    user.is_superuser = user.username.startswith("admin")
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_changes_the_metadata_through_the_service(people, benchmark):
    client = staff_admin(people["admin"])
    url = f"/admin/targets/target/{benchmark.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "definition_zh" in form.fields and "metadata_updated_at" not in form.fields
    data = _admin_form_data(page)
    data.update(computation_en="Counted from the enterprise register.", audit_reason="补充口径")
    saved = client.post(url, data)
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    target = Target.objects.get(pk=benchmark.pk)
    assert target.computation_en == "Counted from the enterprise register."
    assert target.metadata_updated_at is not None
    assert events_of(target)[-1].reason == "补充口径"


def test_a_staff_member_cannot_open_the_admin_change_page(people, benchmark):
    client = staff_admin(people["staff"])
    page = client.get(f"/admin/targets/target/{benchmark.pk}/change/")
    assert page.status_code in (302, 403)
    forged = client.post(
        f"/admin/targets/target/{benchmark.pk}/change/",
        {"definition_zh": "伪造", "audit_reason": "r", "seen_version": benchmark.version},
    )
    assert forged.status_code == 403
    assert Target.objects.get(pk=benchmark.pk).definition_zh == ""


# --- the target's page -------------------------------------------------------------------------


def in_language(user, language: str) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def test_the_page_shows_the_metadata_in_chinese(people, robots):
    html = client_for(people["staff"]).get(URL.format(robots.code)).content.decode()
    section = html[
        html.index('id="metadata"') : html.index("</section>", html.index('id="metadata"'))
    ]
    assert "全省制造业企业在役（已安装并投入使用）的工业机器人总台数。" in section
    assert "省经济和信息化厅统计数据（在役工业机器人调查）。" in section
    # The responsible unit is the lead unit, linked to its page.
    assert "/econ-it/" in section and "省经济和信息化厅" in section
    assert 'id="metadata-updated"' in section
    assert "Edit the metadata" not in section and "编辑元数据" not in section  # staff only read


def test_the_page_shows_the_metadata_in_english(people, robots):
    html = in_language(people["staff"], "en").get(URL.format(robots.code)).content.decode()
    section = html[
        html.index('id="metadata"') : html.index("</section>", html.index('id="metadata"'))
    ]
    assert "Metadata" in section and "how it is measured" in section
    assert "installed and in use in the province" in section
    assert "limitations" in section and "The stock rests on what enterprises report" in section


def test_a_text_written_in_one_language_only_shows_in_the_other(people, benchmark):
    services.update_target(
        benchmark, acting_user=people["admin"], reason="r", limitations_zh="仅统计已确认的企业。"
    )
    html = in_language(people["staff"], "en").get(URL.format(benchmark.code)).content.decode()
    section = html[html.index('id="metadata"') :]
    assert "仅统计已确认的企业。" in section
    # The texts it lacks are left out, not shown empty.
    assert 'id="metadata-limitations"' in section and 'id="metadata-definition"' not in section


def test_a_target_without_metadata_shows_none_but_to_an_administrator(people, benchmark):
    html = client_for(people["staff"]).get(URL.format(benchmark.code)).content.decode()
    assert 'id="metadata"' not in html
    admin = in_language(people["admin"], "en").get(URL.format(benchmark.code)).content.decode()
    assert "No metadata has been written for this target yet." in admin
    assert f"/admin/targets/target/{benchmark.pk}/change/" in admin


# --- the API -----------------------------------------------------------------------------------


@pytest.fixture
def as_client():
    """A schema-validating API client signed in as the user (every answer checked against the
    OpenAPI schema)."""

    def make(user) -> ApiClient:
        client = ApiClient()
        client.force_authenticate(user)
        return client

    return make


def test_the_api_round_trips_the_metadata(people, benchmark, as_client):
    admin = as_client(people["admin"])
    read = admin.get(API.format(benchmark.code))
    assert read.status_code == 200
    body = read.json()
    assert body["definition_zh"] == "" and body["metadata_updated_at"] is None
    changed = admin.patch(
        API.format(benchmark.code),
        {"definition_en": "Recognised benchmark enterprises.", "reason": "definition"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["definition_en"] == "Recognised benchmark enterprises."
    assert changed.json()["metadata_updated_at"] is not None
    assert changed["ETag"] == f'"{body["version"] + 1}"'
    again = admin.get(API.format(benchmark.code)).json()
    assert again["definition_en"] == "Recognised benchmark enterprises."
    # The version read before is stale now: 412, nothing written.
    stale = admin.patch(
        API.format(benchmark.code),
        {"definition_en": "Other.", "reason": "r"},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert stale.status_code == 412
    assert Target.objects.get(pk=benchmark.pk).definition_en == "Recognised benchmark enterprises."


def test_the_api_refuses_anyone_but_an_administrator_and_a_wrong_body(people, robots, as_client):
    etag = f'"{robots.version}"'
    body = {"definition_zh": "改", "reason": "r"}
    for role in ("staff", "reviewer", "auditor"):
        answer = as_client(people[role]).patch(
            API.format(robots.code), body, format="json", HTTP_IF_MATCH=etag
        )
        assert answer.status_code == 403
    admin = as_client(people["admin"])
    for wrong, field in (
        ({"definition_zh": 5, "reason": "r"}, "definition_zh"),
        ({"definition_zh": "改"}, "reason"),
        ({"title_zh": "改", "reason": "r"}, "title_zh"),
    ):
        answer = admin.patch(API.format(robots.code), wrong, format="json", HTTP_IF_MATCH=etag)
        assert answer.status_code == 400 and field in answer.json()["errors"], answer.content
    assert Target.objects.get(pk=robots.pk).definition_zh == robots.definition_zh


# --- the audit log's replay --------------------------------------------------------------------


def test_the_replay_compares_the_metadata(robots):
    from plans.models import ResponsibleUnit
    from tests.audit.test_replay import audited_user

    admin = audited_user("boss", "admin", ResponsibleUnit.objects.get(code="econ-it"))
    services.update_target(robots, acting_user=admin, reason="r", limitations_en="Revised scope.")
    out, err = run()
    assert err == "" and "matches its trail" in out
    sql("UPDATE targets_target SET definition_zh = 'forged' WHERE id = %s", [robots.pk])
    (line,) = [x for x in differences() if x.startswith(f"targets.target:{robots.pk} ")]
    assert "definition_zh" in line
