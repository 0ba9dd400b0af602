"""The project register in the browser: list, filters, export, detail, add, edit, import."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.services import create_enterprise
from plans.models import ResponsibleUnit
from projects.models import Project
from projects.services import create_project
from tests.web import assert_same_queries, client_for, credit_code

ROLES = ["admin", "reviewer", "staff", "auditor", "staff_sci"]


def bulk(n: int, start: int = 0) -> None:
    econ = ResponsibleUnit.objects.get(code="econ-it")
    Project.objects.bulk_create(
        Project(
            name_zh=f"测试项目{start + i:05d}",
            kind="smart_factory" if i % 2 else "major",
            level="provincial",
            status="under_construction",
            city="hangzhou" if i % 3 else "jiaxing",
            start_date=dt.date(2020 + i % 3, 3, 1),
            planned_investment=1000 + i,
            owner_unit=econ,
        )
        for i in range(n)
    )


@pytest.fixture
def owned(people):
    enterprise = create_enterprise(
        acting_user=people["staff"], name_zh="之江智能", city="hangzhou", credit_code=credit_code(1)
    )
    return create_project(
        acting_user=people["staff"],
        name_zh="之江智能工厂",
        kind="smart_factory",
        level="provincial",
        status="under_construction",
        city="hangzhou",
        start_date=dt.date(2021, 3, 1),
        enterprise=enterprise,
        planned_investment=12000,
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_and_the_detail(people, owned, role):
    client = client_for(people[role])
    page = client.get("/projects/")
    assert page.status_code == 200
    assert "之江智能工厂" in page.content.decode()
    detail = client.get(f"/projects/{owned.pk}/")
    assert detail.status_code == 200
    assert "12,000" in detail.content.decode()


def test_filters_and_sort(people):
    bulk(30)
    client = client_for(people["staff"])
    rows = client.get("/projects/?kind=major&city=jiaxing").context["rows"]
    assert rows and all(p.kind == "major" and p.city == "jiaxing" for p in rows)
    year = client.get("/projects/?year=2021").context["rows"]
    assert year and all(p.start_date.year == 2021 for p in year)
    level = client.get("/projects/?level=national").context["rows"]
    assert level == []
    biggest = client.get("/projects/?sort=-planned_investment").context["rows"]
    assert biggest[0].name_zh == "测试项目00029"


def test_the_list_issues_the_same_queries_at_10_and_200_rows(people):
    bulk(10)
    assert_same_queries(client_for(people["staff"]), "/projects/", lambda: bulk(190, start=10))


def test_export_is_the_filtered_list_as_csv(people):
    bulk(12)
    response = client_for(people["auditor"]).get("/projects/?city=jiaxing&export=csv")
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 4
    assert all("嘉兴" in line for line in lines[1:])


def test_staff_add_a_project_naming_the_enterprise_by_credit_code(people, owned):
    response = client_for(people["staff"]).post(
        "/projects/new/",
        {
            "name_zh": "新示范项目",
            "kind": "demonstration",
            "level": "national",
            "status": "accepted",
            "city": "hangzhou",
            "enterprise": credit_code(1),
            "start_date": "2020-01-01",
            "accepted_on": "2021-06-01",
            "planned_investment": "2,500.5",
        },
    )
    assert response.status_code == 302
    made = Project.objects.get(name_zh="新示范项目")
    assert made.enterprise == owned.enterprise
    assert made.owner_unit == people["staff"].unit
    assert str(made.planned_investment) == "2500.50"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "accepted"}, "__all__"),  # accepted without its date
        ({"enterprise": "91330100MA00000000"}, "enterprise"),
        ({"planned_investment": "-1"}, "planned_investment"),
        ({"accepted_on": "2019-01-01", "status": "accepted"}, "__all__"),  # before the start
    ],
)
def test_bad_input_shows_the_field_and_saves_nothing(people, data, field):
    base = {
        "name_zh": "坏项目",
        "kind": "major",
        "level": "city",
        "status": "under_construction",
        "city": "hangzhou",
        "start_date": "2020-01-01",
    }
    response = client_for(people["staff"]).post("/projects/new/", {**base, **data})
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Project.objects.filter(name_zh="坏项目").exists()


def test_edit_rights_and_conflicts(people, owned):
    url = f"/projects/{owned.pk}/edit/"
    for role in ("staff_sci", "auditor"):
        assert client_for(people[role]).get(url).status_code == 403
    data = {
        "name_zh": "之江智能工厂二期",
        "kind": "smart_factory",
        "level": "provincial",
        "status": "under_construction",
        "city": "hangzhou",
        "start_date": "2021-03-01",
        "enterprise": credit_code(1),
    }
    ok = client_for(people["staff"]).post(url, {**data, "version": owned.version})
    assert ok.status_code == 302
    stale = client_for(people["admin"]).post(url, {**data, "name_zh": "旧名", "version": 1})
    assert stale.status_code == 409
    owned.refresh_from_db()
    assert owned.name_zh == "之江智能工厂二期"


def test_import_all_or_nothing(people, owned):
    header = "名称（中文）,类型,级别,状态,城市,企业（统一社会信用代码）,开工日期,计划投资（万元）\n"
    good = header + f"甲项目,智能工厂,省级,在建,杭州,{credit_code(1)},2021-01-01,100\n"
    bad = good + "乙项目,火箭,省级,在建,杭州,,2021-01-01,100\n"
    client = client_for(people["staff"])
    refused = client.post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", bad.encode("utf-8"))}
    )
    assert refused.status_code == 400
    assert {(e.row, e.column) for e in refused.context["report"].errors} == {(3, "类型")}
    assert not Project.objects.filter(name_zh__in=["甲项目", "乙项目"]).exists()
    done = client.post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", good.encode("utf-8"))}
    )
    assert done.status_code == 302
    assert Project.objects.get(name_zh="甲项目").enterprise == owned.enterprise


@pytest.mark.parametrize("name_header", ["名称", "name", "name_zh", "name (Chinese)"])
def test_import_reads_the_name_column_by_its_old_and_new_headers(people, name_header):
    header = f"{name_header},类型,级别,状态,城市,开工日期\n"
    table = header + "丙项目,重大项目,省级,在建,杭州,2021-01-01\n"
    response = client_for(people["staff"]).post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", table.encode("utf-8"))}
    )
    assert response.status_code == 302
    made = Project.objects.get(name_zh="丙项目")
    assert (made.kind, made.owner_unit) == ("major", people["staff"].unit)


def test_auditors_cannot_add_or_import(people):
    client = client_for(people["auditor"])
    assert client.get("/projects/new/").status_code == 403
    assert client.get("/projects/import/").status_code == 403
