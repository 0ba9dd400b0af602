"""Registers with valid time (issue 13), through the three ways an entry is changed: the edit
form, the import and the API. For every counted field of both registers, a target counts or
sums on it; a change dated after a day D, confirmed by a reviewer of the owning unit, leaves the
value as of D as it was and moves the value as of a day after the change. A correction moves
the value as of D as known now, and leaves it as known before the correction."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from enterprises.forms import EnterpriseForm
from enterprises.models import Enterprise
from enterprises.services import confirm_enterprise_change, create_enterprise
from plans.models import PlanItem
from projects.forms import ProjectForm
from projects.models import Project
from projects.services import confirm_project_change, create_project
from registers.models import ImportBatch, ImportJob, PendingChange
from reports.builders import AsOfReport
from targets.models import Target
from targets.values import current_values
from tests.web import client_for
from zjai.choices import City

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=1000)
D = TODAY - dt.timedelta(days=300)  # the day a report describes
E = TODAY - dt.timedelta(days=100)  # the day the change takes effect
X = TODAY - dt.timedelta(days=50)  # a day after the change
LATE = TODAY - dt.timedelta(days=10)

ENTERPRISE = {
    "name_zh": "丽水某智能科技有限公司",
    "city": "lishui",
    "sector": "robots",
    "tier": "leading",
    "recognised_on": LONG_AGO,
}
PROJECT = {
    "name_zh": "丽水某智能工厂",
    "kind": "smart_factory",
    "level": "provincial",
    "status": "under_construction",
    "city": "lishui",
    "sector": "robots",
    "planned_investment": Decimal("100"),
    "completed_investment": Decimal("40"),
    "start_date": LONG_AGO,
}

# (register, the counted field, the change, the target's kind, filter and summed field, the
# value before, the value after)
CASES = [
    ("enterprises", "tier", {"tier": "benchmark"}, "count", {"tier": "leading"}, "", 1, 0),
    ("enterprises", "recognised_on", {"recognised_on": LATE}, "count", {}, "", 1, 0),
    (
        "enterprises",
        "status",
        {"status": "revoked", "revoked_on": E},
        "count",
        {},
        "",
        1,
        0,
    ),
    ("enterprises", "city", {"city": "zhoushan"}, "count", {"city": "lishui"}, "", 1, 0),
    ("enterprises", "sector", {"sector": "wearables"}, "count", {"sector": "robots"}, "", 1, 0),
    ("projects", "kind", {"kind": "major"}, "count", {"kind": "smart_factory"}, "", 1, 0),
    ("projects", "level", {"level": "national"}, "count", {"level": "provincial"}, "", 1, 0),
    (
        "projects",
        "status",
        {"status": "accepted", "accepted_on": E},
        "count",
        {"status": "accepted"},
        "",
        0,
        1,
    ),
    ("projects", "city", {"city": "zhoushan"}, "count", {"city": "lishui"}, "", 1, 0),
    ("projects", "sector", {"sector": "wearables"}, "count", {"sector": "robots"}, "", 1, 0),
    (
        "projects",
        "planned_investment",
        {"planned_investment": Decimal("250")},
        "sum",
        {},
        "planned_investment",
        100,
        250,
    ),
    (
        "projects",
        "completed_investment",
        {"completed_investment": Decimal("90")},
        "sum",
        {},
        "completed_investment",
        40,
        90,
    ),
    ("projects", "start_date", {"start_date": LATE}, "count", {}, "", 1, 0),
]
IDS = [f"{case[0]}-{case[1]}" for case in CASES]


def make_target(register: str, kind: str, source_filter: dict, field: str) -> Target:
    item = PlanItem.objects.order_by("pk").first()
    assert item is not None
    return Target.objects.create(
        plan=item.plan,
        item=item,
        code=f"vt-{register}-{kind}",
        title_zh="测试目标",
        title_en="A test target",
        unit_of_measure="个",
        unit_of_measure_en="entries",
        comparator="gte",
        target_value=Decimal(1),
        deadline=TODAY,
        source_kind=kind,
        source_register=register,
        source_field=field,
        source_filter=source_filter,
    )


def value(target: Target, day: dt.date, known_at: dt.datetime | None = None) -> Decimal:
    return current_values([target], day, known_at=known_at)[target.pk].value or Decimal(0)


def confirmed_entry(register: str, people) -> Any:
    """An entry of the staff member's unit, confirmed by its reviewer: counted from the start."""
    if register == "enterprises":
        entry = create_enterprise(acting_user=people["staff"], **ENTERPRISE)
        return confirm_enterprise_change(entry, acting_user=people["reviewer"])
    entry = create_project(acting_user=people["staff"], **PROJECT)
    return confirm_project_change(entry, acting_user=people["reviewer"])


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- the three ways ---------------------------------------------------------------------------


def through_form(register, entry, people, changes: dict, dating: dict) -> None:
    form_class = EnterpriseForm if register == "enterprises" else ProjectForm
    shown = form_class(instance=entry, user=people["staff"])
    data = {name: text(shown[name].value()) for name in shown.fields}
    data.update({name: text(v) for name, v in changes.items()})
    data.update({name: text(v) for name, v in dating.items()})
    data["version"] = str(entry.version)
    response = client_for(people["staff"]).post(f"/{register}/{entry.pk}/edit/", data)
    assert response.status_code == 302, response.context and response.context["form"].errors
    entry.refresh_from_db()
    response = client_for(people["reviewer"]).post(
        f"/{register}/{entry.pk}/decide/", {"confirm": "1", "version": entry.version}
    )
    assert response.status_code == 302


def import_file(rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("changes.csv", buffer.getvalue().encode(), content_type="text/csv")


def through_import(register, entry, people, changes: dict, dating: dict) -> None:
    # The Chinese headers of the id and the dating, and the field names of the columns.
    words = {"change": "变更", "correction": "更正"}
    headers = {"effective_from": "生效日期", "edit_kind": "变更或更正", "reason": "修改理由"}
    header = ["编号", *changes, *(headers[name] for name in dating)]
    row = [
        str(entry.pk),
        *(text(v) for v in changes.values()),
        *(words.get(text(v), text(v)) for v in dating.values()),
    ]
    response = client_for(people["staff"]).post(
        f"/{register}/import/", {"file": import_file([header, row])}
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    batch = ImportBatch.objects.latest("pk")
    assert response["Location"] == reverse("registers:batch", args=[batch.pk])
    # The reviewer sees how each change is dated before confirming the batch.
    page = client_for(people["reviewer"]).get(response["Location"]).content.decode()
    correction = dating.get("edit_kind") == "correction"
    assert ("更正（原值有误）" if correction else "变更（自某日起）") in page
    response = client_for(people["reviewer"]).post(
        reverse("registers:batch", args=[batch.pk]), {"confirm": "1", "version": batch.version}
    )
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.state == "confirmed"


def through_api(register, entry, people, changes: dict, dating: dict) -> None:
    url = f"/api/v1/{register}/{entry.pk}/"
    staff = client_for(people["staff"])
    body = {name: text(v) for name, v in {**changes, **dating}.items()}
    response = staff.patch(
        url, body, content_type="application/json", HTTP_IF_MATCH=staff.get(url)["ETag"]
    )
    assert response.status_code == 202, response.content
    pending = response.json()["pending_change"]
    if "edit_kind" in dating:
        assert pending["edit_kind"] == dating["edit_kind"]
    if dating.get("effective_from"):
        assert pending["effective_from"] == text(dating["effective_from"])
    reviewer = client_for(people["reviewer"])
    response = reviewer.post(
        f"{url}confirm/",
        {},
        content_type="application/json",
        HTTP_IF_MATCH=reviewer.get(url)["ETag"],
    )
    assert response.status_code == 200, response.content


WAYS = {"form": through_form, "import": through_import, "api": through_api}


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize(
    ("register", "field", "changes", "kind", "source_filter", "summed", "before", "after"),
    CASES,
    ids=IDS,
)
def test_a_change_dated_after_a_day_leaves_that_day_as_it_was(
    people, way, register, field, changes, kind, source_filter, summed, before, after
):
    target = make_target(register, kind, source_filter, summed)
    entry = confirmed_entry(register, people)
    assert value(target, D) == value(target, X) == before
    WAYS[way](
        register,
        entry,
        people,
        changes,
        {"effective_from": E, "edit_kind": "change", "reason": "按认定文件"},
    )
    model = Enterprise if register == "enterprises" else Project
    entry = model.objects.get(pk=entry.pk)
    assert getattr(entry, field) == changes[field]
    assert entry.valid_from == E
    # The day before the change is as it was; the day after it moved.
    assert value(target, D) == before
    assert value(target, E - dt.timedelta(days=1)) == before
    assert value(target, X) == after


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize(
    ("register", "field", "changes", "kind", "source_filter", "summed", "before", "after"),
    CASES,
    ids=IDS,
)
def test_every_report_as_of_a_day_before_a_change_is_identical(
    people, way, register, field, changes, kind, source_filter, summed, before, after
):
    """The whole report as of D (every target of the plan, its value, status and forecast) is
    the same after the change; the report as of a day after it differs on the target."""
    target = make_target(register, kind, source_filter, summed)
    confirmed_entry(register, people)
    entry = confirmed_entry(register, people)
    as_of_d = AsOfReport(target.plan, D).target_rows
    as_of_x = AsOfReport(target.plan, X).target_rows
    WAYS[way](
        register,
        entry,
        people,
        changes,
        {"effective_from": E, "edit_kind": "change", "reason": "按认定文件"},
    )
    assert AsOfReport(target.plan, D).target_rows == as_of_d
    moved = {row.target.pk: row.result for row in AsOfReport(target.plan, X).target_rows}
    assert moved[target.pk] != {row.target.pk: row.result for row in as_of_x}[target.pk]
    assert moved[target.pk].current_value == before + after  # the other entry is unchanged


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize(
    ("register", "field", "changes", "kind", "source_filter", "summed", "before", "after"),
    [case for case in CASES if case[1] not in ("status", "recognised_on", "start_date")],
    ids=[i for i in IDS if not i.endswith(("status", "recognised_on", "start_date"))],
)
def test_a_correction_changes_the_past_as_known_now_not_as_known_before(
    people, way, register, field, changes, kind, source_filter, summed, before, after
):
    target = make_target(register, kind, source_filter, summed)
    entry = confirmed_entry(register, people)
    known_before = timezone.now()
    WAYS[way](register, entry, people, changes, {"edit_kind": "correction", "reason": "录入错误"})
    # The old value was always wrong: as known now, every day has the new one…
    assert value(target, D) == after
    assert value(target, TODAY) == after
    # …and an edition as known before the correction still says what it said.
    assert value(target, D, known_at=known_before) == before
    assert value(target, TODAY, known_at=known_before) == before


@pytest.mark.parametrize("register", ["enterprises", "projects"])
def test_a_dated_correction_of_a_date_field_moves_the_day_it_counts_from(people, register):
    """The dates that make an entry count (recognised on, started on) corrected: the entry
    counts from the corrected date, as known now; as known before, from the old one."""
    field = "recognised_on" if register == "enterprises" else "start_date"
    target = make_target(register, "count", {}, "")
    entry = confirmed_entry(register, people)
    known_before = timezone.now()
    through_form(
        register,
        entry,
        people,
        {field: X},
        {"edit_kind": "correction", "effective_from": "", "reason": "日期录错"},
    )
    assert value(target, D) == 0
    assert value(target, X) == 1
    assert value(target, D, known_at=known_before) == 1


# --- refused datings ---------------------------------------------------------------------------

REFUSED = [
    ({"effective_from": E, "edit_kind": "change", "reason": ""}, "reason"),
    (
        {"effective_from": TODAY + dt.timedelta(days=1), "edit_kind": "change", "reason": "x"},
        "effective_from",
    ),
    ({"effective_from": E, "edit_kind": "correction", "reason": "x"}, "effective_from"),
    ({"effective_from": "", "edit_kind": "correction", "reason": ""}, "reason"),
]


@pytest.mark.parametrize(("dating", "field"), REFUSED)
def test_the_edit_form_shows_a_wrong_dating_on_its_field(people, dating, field):
    entry = confirmed_entry("enterprises", people)
    shown = EnterpriseForm(instance=entry, user=people["staff"])
    data = {name: text(shown[name].value()) for name in shown.fields}
    data.update({"tier": "benchmark", "version": str(entry.version)})
    data.update({name: text(v) for name, v in dating.items()})
    response = client_for(people["staff"]).post(f"/enterprises/{entry.pk}/edit/", data)
    assert response.status_code == 400
    assert list(response.context["form"].errors) == [field]
    assert f'id="id_{field}_errors"' in response.content.decode()
    assert not PendingChange.objects.pending().exists()


@pytest.mark.parametrize(("dating", "field"), REFUSED)
def test_the_api_answers_a_wrong_dating_with_the_field(people, dating, field):
    entry = confirmed_entry("projects", people)
    url = f"/api/v1/projects/{entry.pk}/"
    staff = client_for(people["staff"])
    body = {"kind": "major", "edit_kind": dating["edit_kind"], "reason": dating["reason"]}
    if dating["effective_from"]:
        body["effective_from"] = text(dating["effective_from"])
    response = staff.patch(
        url, body, content_type="application/json", HTTP_IF_MATCH=staff.get(url)["ETag"]
    )
    assert response.status_code == 400, response.content
    assert list(response.json()["errors"]) == [field]
    assert not PendingChange.objects.pending().exists()


@pytest.mark.parametrize(("dating", "field"), REFUSED)
def test_an_import_names_the_row_and_column_of_a_wrong_dating_and_saves_nothing(
    people, dating, field
):
    entry = confirmed_entry("enterprises", people)
    header = ["id", "name_en", "tier", "effective_from", "edit_kind", "reason"]
    row = [str(entry.pk), "Renamed", "benchmark", *(text(dating[k]) for k in header[3:])]
    response = client_for(people["staff"]).post(
        "/enterprises/import/", {"file": import_file([header, row])}
    )
    assert response.status_code == 400
    errors = response.context["report"].errors
    assert [(e.row, e.column) for e in errors] == [(2, field)]
    entry.refresh_from_db()
    assert (entry.name_en, entry.tier) == ("", "leading")
    assert not PendingChange.objects.pending().exists() and not ImportBatch.objects.exists()


def test_adding_an_entry_takes_no_dating(people):
    """Only a change of an existing entry is dated: the add form has no such fields, the API's
    POST refuses them with the field, an import's row without an id too."""
    staff = client_for(people["staff"])
    page = staff.get("/enterprises/new/").content.decode()
    assert 'name="effective_from"' not in page and 'name="edit_kind"' not in page
    entry = confirmed_entry("enterprises", people)
    page = staff.get(f"/enterprises/{entry.pk}/edit/").content.decode()
    assert 'name="effective_from"' in page and 'name="edit_kind"' in page
    assert "生效日期" in page and "变更或更正" in page

    response = staff.post(
        "/api/v1/enterprises/",
        {"name_zh": "新企业", "city": "hangzhou", "effective_from": E.isoformat()},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["effective_from"]

    header = ["name_zh", "city", "effective_from"]
    response = staff.post(
        "/enterprises/import/",
        {"file": import_file([header, ["新企业", "hangzhou", E.isoformat()]])},
    )
    assert response.status_code == 400
    assert [(e.row, e.column) for e in response.context["report"].errors] == [(2, "effective_from")]
    assert not Enterprise.objects.filter(name_zh="新企业").exists()


def test_an_import_changes_only_the_entries_the_importer_may_edit(people):
    entry = confirmed_entry("enterprises", people)
    header = ["id", "tier"]
    # Another unit's staff may not change it; an unknown id and a repeated one are errors.
    other = client_for(people["staff_sci"]).post(
        "/enterprises/import/", {"file": import_file([header, [str(entry.pk), "benchmark"]])}
    )
    assert other.status_code == 400
    assert [(e.row, e.column) for e in other.context["report"].errors] == [(2, "id")]
    mixed = client_for(people["staff"]).post(
        "/enterprises/import/",
        {
            "file": import_file(
                [header, [str(entry.pk), "benchmark"], [str(entry.pk), "leading"], ["999999", "x"]]
            )
        },
    )
    assert mixed.status_code == 400
    assert [(e.row, e.column) for e in mixed.context["report"].errors] == [(3, "id"), (4, "id")]
    entry.refresh_from_db()
    assert entry.tier == "leading" and not PendingChange.objects.pending().exists()


def test_an_import_that_adds_and_changes_counts_both_once_its_batch_is_confirmed(people):
    target = make_target("enterprises", "count", {"tier": "benchmark"}, "")
    entry = confirmed_entry("enterprises", people)
    header = ["id", "name_zh", "city", "tier", "recognised_on", "effective_from", "reason"]
    rows = [
        [str(entry.pk), "", "", "benchmark", "", E.isoformat(), "第二批"],
        ["", "新标杆企业", "hangzhou", "benchmark", LONG_AGO.isoformat(), "", ""],
    ]
    response = client_for(people["staff"]).post(
        "/enterprises/import/", {"file": import_file([header, *rows])}
    )
    assert response.status_code == 302
    # The name was left empty: it stays; nothing counts before the batch is confirmed.
    entry.refresh_from_db()
    assert (entry.name_zh, entry.tier) == (ENTERPRISE["name_zh"], "leading")
    assert value(target, TODAY) == 0
    batch = ImportBatch.objects.get()
    assert batch.changes.count() == 2
    confirmed = client_for(people["reviewer"]).post(
        reverse("registers:batch", args=[batch.pk]), {"confirm": "1", "version": batch.version}
    )
    assert confirmed.status_code == 302
    assert value(target, D) == 1  # the new one, recognised long ago
    assert value(target, TODAY) == 2


def test_the_template_lists_the_columns_that_change_an_entry(people):
    response = client_for(people["staff"]).get("/enterprises/import/?template=csv")
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert header[0] == "id"
    assert header[-3:] == ["变更或更正", "生效日期", "修改理由"]


# --- the entry's page -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_entry_page_shows_the_values_by_period_and_the_earlier_accounts(people, language):
    entry = confirmed_entry("enterprises", people)
    through_api(
        "enterprises",
        entry,
        people,
        {"tier": "benchmark"},
        {"effective_from": E, "edit_kind": "change", "reason": "第二批"},
    )
    entry.refresh_from_db()
    through_api(
        "enterprises",
        entry,
        people,
        {"city": "quzhou"},
        {"edit_kind": "correction", "reason": "录错"},
    )
    client = client_for(people["reviewer"])
    client.cookies["django_language"] = language
    page = client.get(f"/enterprises/{entry.pk}/")
    html = page.content.decode()
    context = page.context["valid_time"]
    # As known now: two periods, the city corrected in both; the tier changed on E.
    assert [(p.valid_from, p.last_day) for p in context.current] == [
        (None, E - dt.timedelta(days=1)),
        (E, None),
    ]
    with translation.override(language):
        city = context.labels.index(str(_("city")))
        tier = context.labels.index(str(_("tier")))
        quzhou = str(City.QUZHOU.label)
    assert [p.values[city] for p in context.current] == [quzhou, quzhou]
    assert context.current[0].values[tier] != context.current[1].values[tier]
    # The accounts the correction replaced: both periods with the old city.
    assert len(context.earlier) >= 2 and all(p.replaced_at for p in context.earlier)
    with translation.override(language):
        assert str(_("Counted values over time")) in html
    assert 'class="earlier-accounts"' in html


def test_a_background_import_changes_entries_by_id_as_dated(
    people, settings, django_capture_on_commit_callbacks
):
    """A file large enough for the job: its rows that name an entry change it, dated."""
    settings.ZJAI_IMPORT_BACKGROUND_ROWS = 2
    target = make_target("projects", "sum", {}, "planned_investment")
    entries = [confirmed_entry("projects", people) for _ in range(3)]
    header = ["编号", "planned_investment", "生效日期", "变更或更正", "修改理由"]
    rows = [[str(e.pk), "250", E.isoformat(), "变更", "追加投资"] for e in entries]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(people["staff"]).post(
            "/projects/import/", {"file": import_file([header, *rows])}
        )
    job = ImportJob.objects.get()
    assert response["Location"] == f"/projects/import/{job.pk}/"
    assert job.state == "done", job.result
    assert (job.result["created"], job.result["updated"]) == (3, 3)
    batch = ImportBatch.objects.get(pk=job.result["batch_id"])
    assert {c.effective_from for c in batch.changes.all()} == {E}
    confirmed = client_for(people["reviewer"]).post(
        reverse("registers:batch", args=[batch.pk]), {"confirm": "1", "version": batch.version}
    )
    assert confirmed.status_code == 302
    assert value(target, D) == 300
    assert value(target, X) == 750


def test_the_project_page_shows_its_periods(people):
    entry = confirmed_entry("projects", people)
    through_form(
        "projects",
        entry,
        people,
        {"level": "national"},
        {"effective_from": E, "edit_kind": "change", "reason": "升级为国家级"},
    )
    page = client_for(people["staff"]).get(f"/projects/{entry.pk}/")
    periods = page.context["valid_time"].current
    assert [(p.valid_from, p.edit_kind) for p in periods] == [(None, "变更（自某日起）"), (E, "")]
    assert "计数值的历史" in page.content.decode()
