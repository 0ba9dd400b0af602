"""The enterprise register in the browser: list, filters, sort, pagination, export, detail,
add, edit, bulk import — and who may do which."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from audit.models import AuditEvent
from enterprises.models import Enterprise
from enterprises.services import create_enterprise
from plans.models import ResponsibleUnit
from tests.web import assert_same_queries, client_for, credit_code
from zjai import lists

ROLES = ["admin", "reviewer", "staff", "auditor", "staff_sci"]


def ours():
    """Enterprises of the tests (the plan itself names a few, loaded with it)."""
    return Enterprise.objects.filter(plan_key__isnull=True)


def bulk(n: int, start: int = 0, **extra) -> None:
    econ = ResponsibleUnit.objects.get(code="econ-it")
    Enterprise.objects.bulk_create(
        Enterprise(
            name_zh=f"测试企业{start + i:05d}",
            credit_code=credit_code(start + i),
            city="hangzhou" if i % 2 else "ningbo",
            tier="leading" if i % 5 == 0 else "",
            recognised_on=dt.date(2020, 1, 1) + dt.timedelta(days=i) if i % 5 == 0 else None,
            owner_unit=econ,
            **extra,
        )
        for i in range(n)
    )


@pytest.fixture
def owned(people):
    return create_enterprise(
        acting_user=people["staff"],
        name_zh="之江智能科技有限公司",
        city="hangzhou",
        credit_code=credit_code(999),
    )


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_list_and_the_detail(people, owned, role):
    client = client_for(people[role])
    page = client.get("/enterprises/")
    assert page.status_code == 200
    assert "之江智能科技有限公司" in page.content.decode()
    detail = client.get(f"/enterprises/{owned.pk}/")
    assert detail.status_code == 200
    assert credit_code(999) in detail.content.decode()
    assert "变更历史" in detail.content.decode()


def test_unknown_enterprise_is_404(people):
    assert client_for(people["staff"]).get("/enterprises/999999/").status_code == 404


def test_filters_search_and_sort(people):
    bulk(30)
    client = client_for(people["staff"])
    rows = client.get("/enterprises/?city=hangzhou").context["rows"]
    assert rows and all(e.city == "hangzhou" for e in rows)
    leading = client.get("/enterprises/?tier=leading&city=ningbo").context["rows"]
    assert leading and all(e.tier == "leading" and e.city == "ningbo" for e in leading)
    by_code = client.get(f"/enterprises/?q={credit_code(7).lower()}").context["rows"]
    assert [e.credit_code for e in by_code] == [credit_code(7)]
    by_name = client.get("/enterprises/?q=测试企业0001").context["rows"]
    assert {e.name_zh for e in by_name} == {f"测试企业{i:05d}" for i in range(10, 20)}
    year = client.get("/enterprises/?recognised_year=2020").context["rows"]
    assert year and all(e.recognised_on.year == 2020 for e in year)
    newest = client.get("/enterprises/?sort=-name&q=测试企业").context["rows"]
    assert newest[0].name_zh == "测试企业00029"
    # An unknown sort falls back to the default one.
    assert client.get("/enterprises/?sort=password").status_code == 200


def test_pagination_counts_only_up_to_a_cap(people, monkeypatch):
    monkeypatch.setattr(lists, "COUNT_CAP", 40)
    bulk(120)
    client = client_for(people["auditor"])
    first = client.get("/enterprises/?q=测试企业")
    page = first.context["page"]
    assert len(page.object_list) == lists.PER_PAGE
    assert page.capped and page.count == 40 and page.has_next
    third = client.get("/enterprises/?q=测试企业&page=3").context["page"]
    assert len(third.object_list) == 20 and not third.has_next
    assert "共 40 条以上" in first.content.decode()


def test_the_list_issues_the_same_queries_at_10_and_200_rows(people):
    bulk(10)
    client = client_for(people["staff"])
    assert_same_queries(client, "/enterprises/", lambda: bulk(190, start=10))
    assert_same_queries(client, "/enterprises/?sort=-recognised_on&city=hangzhou", lambda: None)


def test_export_is_the_filtered_list_as_csv(people):
    bulk(20)
    response = client_for(people["auditor"]).get("/enterprises/?city=ningbo&q=测试企业&export=csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert len(lines) == 1 + 10
    assert "统一社会信用代码" in lines[0]
    assert all("宁波" in line for line in lines[1:])


def test_export_defuses_spreadsheet_formulas(people):
    create_enterprise(acting_user=people["staff"], name_zh="=HYPERLINK(1)", city="hangzhou")
    text = b"".join(
        client_for(people["staff"]).get("/enterprises/?export=csv").streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


# --- add and edit ------------------------------------------------------------------------------


def test_staff_add_an_enterprise(people):
    client = client_for(people["staff"])
    assert client.get("/enterprises/new/").status_code == 200
    response = client.post(
        "/enterprises/new/",
        {
            "name_zh": "新企业",
            "credit_code": credit_code(5).lower(),
            "city": "wenzhou",
            "tier": "benchmark",
            "recognised_on": "2021-03-01",
            "status": "active",
            "reason": "省经信厅文件",
        },
    )
    assert response.status_code == 302
    made = Enterprise.objects.get(name_zh="新企业")
    assert made.credit_code == credit_code(5)
    assert made.owner_unit == people["staff"].unit
    event = AuditEvent.objects.get(object_type="enterprises.enterprise", object_id=str(made.pk))
    assert event.reason == "省经信厅文件"


@pytest.mark.parametrize(
    ("data", "field", "reason"),
    [
        (
            {"name_zh": "坏代码", "credit_code": "91330100ABC", "city": "hangzhou"},
            "credit_code",
            "18",
        ),
        ({"name_zh": "坏城市", "city": "shanghai"}, "city", ""),
        ({"name_zh": "", "city": "hangzhou"}, "name_zh", "必填"),
        ({"name_zh": "缺日期", "city": "hangzhou", "tier": "leading"}, "__all__", "认定日期"),
    ],
)
def test_bad_input_shows_the_field_and_the_reason_and_saves_nothing(people, data, field, reason):
    response = client_for(people["staff"]).post("/enterprises/new/", {"status": "active", **data})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    assert reason in " ".join(errors[field])
    assert "未保存任何内容" in response.content.decode()
    assert not ours().exists()


def test_a_duplicate_credit_code_is_refused(people, owned):
    response = client_for(people["staff"]).post(
        "/enterprises/new/",
        {
            "name_zh": "重复",
            "credit_code": owned.credit_code,
            "city": "hangzhou",
            "status": "active",
        },
    )
    assert response.status_code == 400
    assert "credit_code" in response.context["form"].errors
    assert ours().count() == 1


@pytest.mark.parametrize("role", ["auditor", "norole"])
def test_who_may_not_add_gets_403(people, role):
    client = client_for(people[role])
    assert client.get("/enterprises/new/").status_code == 403
    assert client.post("/enterprises/new/", {"name_zh": "x", "city": "hangzhou"}).status_code == 403
    assert client.get("/enterprises/import/").status_code == 403
    assert not ours().exists()


def test_edit_only_by_the_managing_unit(people, owned):
    url = f"/enterprises/{owned.pk}/edit/"
    for role in ("staff_sci", "auditor"):
        client = client_for(people[role])
        assert client.get(url).status_code == 403, role
        assert client.post(url, {"name_zh": "改名", "version": 1}).status_code == 403, role
    page = client_for(people["staff"]).get(url)
    assert page.status_code == 200
    assert "owner_unit" not in page.context["form"].fields  # only an admin reassigns
    assert "owner_unit" in client_for(people["admin"]).get(url).context["form"].fields
    detail = client_for(people["staff_sci"]).get(f"/enterprises/{owned.pk}/").content.decode()
    assert url not in detail  # no edit link where editing is not allowed


def test_edit_with_the_version_read(people, owned):
    url = f"/enterprises/{owned.pk}/edit/"
    data = {"name_zh": "之江智能（新名）", "city": "hangzhou", "status": "active"}
    response = client_for(people["staff"]).post(url, {**data, "version": owned.version})
    assert response.status_code == 302
    owned.refresh_from_db()
    assert owned.name_zh == "之江智能（新名）"
    # The same stale version again: refused, nothing overwritten.
    stale = client_for(people["staff"]).post(url, {**data, "name_zh": "旧", "version": 1})
    assert stale.status_code == 409
    assert "已被他人修改" in stale.content.decode()
    owned.refresh_from_db()
    assert owned.name_zh == "之江智能（新名）"


# --- bulk import --------------------------------------------------------------------------------

HEADER = "名称（中文）,统一社会信用代码,城市,领域,等级,认定日期,状态\n"


def csv_file(text: str, name: str = "import.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def test_import_csv_creates_every_row_through_the_service(people):
    rows = (
        HEADER
        + f"甲公司,{credit_code(1)},杭州,智能机器人,领军企业,2021-05-01,有效\n"
        + f"乙公司,{credit_code(2)},ningbo,chips,,,active\n"
        + "丙公司,,Wenzhou,,,,\n"
    )
    response = client_for(people["staff"]).post("/enterprises/import/", {"file": csv_file(rows)})
    assert response.status_code == 302, response.context and response.context.get("report")
    assert ours().count() == 3
    first = Enterprise.objects.get(name_zh="甲公司")
    assert (first.city, first.sector, first.tier) == ("hangzhou", "robots", "leading")
    assert first.owner_unit == people["staff"].unit
    assert (
        AuditEvent.objects.filter(
            object_type="enterprises.enterprise", actor=people["staff"]
        ).count()
        == 3
    )


def test_import_reports_every_error_by_row_and_column_and_saves_nothing(people):
    rows = (
        HEADER
        + f"甲公司,{credit_code(1)},杭州,,,,有效\n"  # fine
        + "乙公司,123,杭州,,,,有效\n"  # bad code
        + "丙公司,,上海,,,,有效\n"  # bad city
        + f"丁公司,{credit_code(1)},杭州,,,,有效\n"  # same code as row 2
        + ",,杭州,,领军企业,,有效\n"  # no name, tier without date
    )
    response = client_for(people["staff"]).post("/enterprises/import/", {"file": csv_file(rows)})
    assert response.status_code == 400
    errors = {(e.row, e.column) for e in response.context["report"].errors}
    assert (3, "统一社会信用代码") in errors
    assert (4, "城市") in errors
    assert (5, "统一社会信用代码") in errors
    assert (6, "名称（中文）") in errors
    assert 2 not in {row for row, _ in errors}
    html = response.content.decode()
    assert "未导入任何内容" in html and "按行和列列出的错误" in html
    assert not ours().exists()


def test_import_xlsx(people):
    book = Workbook()
    sheet = book.active
    sheet.append(["name_zh", "credit_code", "city", "tier", "recognised_on"])
    sheet.append(["表格甲", credit_code(11), "杭州", "标杆企业", dt.date(2021, 1, 5)])
    sheet.append(["表格乙", None, "嘉兴", None, None])
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("import.xlsx", buffer.getvalue())
    response = client_for(people["staff"]).post("/enterprises/import/", {"file": upload})
    assert response.status_code == 302
    made = Enterprise.objects.get(name_zh="表格甲")
    assert made.tier == "benchmark" and made.recognised_on == dt.date(2021, 1, 5)
    assert ours().count() == 2


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("import.pdf", b"%PDF-1.4", "CSV 或 XLSX"),
        ("import.xlsx", "名称（中文）,城市\n甲,杭州\n".encode(), "CSV 或 XLSX"),
        ("import.csv", "颜色,城市\n红,杭州\n".encode(), "未知的列"),
        ("import.csv", "名称（中文）\n甲\n".encode(), "缺少该列"),
        ("import.csv", "名称（中文）,城市\n".encode(), "没有可导入的行"),
    ],
)
def test_import_refuses_unreadable_files(people, name, content, reason):
    response = client_for(people["staff"]).post(
        "/enterprises/import/", {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not ours().exists()


def test_import_template_names_the_columns(people):
    response = client_for(people["staff"]).get("/enterprises/import/?template=csv")
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode("utf-8-sig")
