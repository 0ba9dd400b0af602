"""Issue 18 on the project pages and the import: the largest investment is kept exactly, one
more digit is refused with the field's range, on the form and as one import error naming the
column."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Project
from tests.web import client_for

INVESTMENT_RANGE = "请输入 0 到 9999999999999.99 之间的数。"
LARGEST = Decimal("9999999999999.99")
FORM = {
    "name_zh": "大项目",
    "kind": "major",
    "level": "city",
    "status": "under_construction",
    "city": "hangzhou",
    "start_date": "2021-01-01",
}


def test_the_add_page_keeps_the_largest_investments(people):
    response = client_for(people["staff"]).post(
        "/projects/new/",
        {**FORM, "planned_investment": "9,999,999,999,999.99", "completed_investment": LARGEST},
    )
    assert response.status_code == 302
    made = Project.objects.get(name_zh="大项目")
    assert (made.planned_investment, made.completed_investment) == (LARGEST, LARGEST)


@pytest.mark.parametrize("field", ["planned_investment", "completed_investment"])
def test_the_add_page_refuses_one_more_digit_with_the_range(people, field):
    response = client_for(people["staff"]).post("/projects/new/", {**FORM, field: "10000000000000"})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [INVESTMENT_RANGE]
    assert not Project.objects.filter(name_zh="大项目").exists()


def test_an_import_row_with_one_more_digit_is_one_error_naming_the_column(people):
    header = "名称（中文）,类型,级别,状态,城市,开工日期,计划投资（万元）\n"
    rows = "甲项目,重大项目,省级,在建,杭州,2021-01-01,9999999999999.99\n"
    rows += "乙项目,重大项目,省级,在建,杭州,2021-01-01,10000000000000\n"
    client = client_for(people["staff"])
    refused = client.post(
        "/projects/import/", {"file": SimpleUploadedFile("p.csv", (header + rows).encode())}
    )
    assert refused.status_code == 400
    errors = [(e.row, e.column, e.message) for e in refused.context["report"].errors]
    assert errors == [(3, "计划投资（万元）", INVESTMENT_RANGE)]
    assert not Project.objects.filter(name_zh__in=["甲项目", "乙项目"]).exists()

    done = client.post(
        "/projects/import/",
        {"file": SimpleUploadedFile("p.csv", (header + rows.splitlines()[0] + "\n").encode())},
    )
    assert done.status_code == 302
    assert Project.objects.get(name_zh="甲项目").planned_investment == LARGEST
