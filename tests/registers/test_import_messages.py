"""What an import's error table says about a cell: the date format, the allowed codes with
their labels, the number expected (registers/import_messages.py); and its column header is the
spreadsheet's column (列), not the plan's boxed column (专栏)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import Enterprise
from projects.models import Project
from tests.web import client_for


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", ("\ufeff" + text).encode("utf-8"))


def errors_of(response) -> dict[tuple[int, str], str]:
    assert response.status_code == 400
    return {(e.row, e.column): e.message for e in response.context["report"].errors}


@pytest.fixture
def english(people):
    client = client_for(people["staff"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_enterprise_cells_say_what_is_expected(english):
    rows = (
        "name_zh,city,tier,recognised_on,status\n"
        "甲公司,上海,leading,05/01/2021,active\n"  # a city not in Zhejiang, a date as m/d/Y
        "乙公司,,gold,2021-05-01,active\n"  # no city, an unknown tier
        "丙公司,hangzhou,leading,2021-05-01,gone\n"  # an unknown status
    )
    found = errors_of(english.post("/enterprises/import/", {"file": csv_file(rows)}))
    city = found[(2, "city")]
    assert "“上海” is not an allowed value" in city
    # Every city of Zhejiang by its code and its label.
    for code_label in ("hangzhou (Hangzhou)", "ningbo (Ningbo)", "zhoushan (Zhoushan)"):
        assert code_label in city
    assert "“05/01/2021” is not a date: write it as YYYY-MM-DD" in found[(2, "recognised_on")]
    assert found[(3, "city")].startswith("This column must be filled in: write one of hangzhou")
    tier = found[(3, "tier")]
    assert "“gold” is not an allowed value" in tier
    assert "leading (leading enterprise)" in tier and "specialised (specialised SME)" in tier
    assert "active (active), revoked (revoked)" in found[(4, "status")]
    assert not Enterprise.objects.filter(name_zh__in=["甲公司", "乙公司", "丙公司"]).exists()


def test_project_cells_say_what_is_expected(english):
    rows = (
        "name_zh,kind,level,city,planned_investment,start_date\n"
        "甲项目,huge,provincial,hangzhou,12 亿,2024-13-01\n"
    )
    found = errors_of(english.post("/projects/import/", {"file": csv_file(rows)}))
    assert "major (major project)" in found[(2, "kind")]
    assert "smart_factory (smart factory)" in found[(2, "kind")]
    assert "“12 亿” is not a number" in found[(2, "planned_investment")]
    assert "e.g. 1234.5" in found[(2, "planned_investment")]
    assert "YYYY-MM-DD" in found[(2, "start_date")]
    assert not Project.objects.filter(name_zh="甲项目").exists()


def test_other_errors_keep_their_own_words(english):
    rows = "name_zh,credit_code,city\n甲公司,123,hangzhou\n"
    found = errors_of(english.post("/enterprises/import/", {"file": csv_file(rows)}))
    assert "18 characters" in found[(2, "credit_code")]


def test_the_error_table_names_the_spreadsheet_column(english):
    response = english.post("/enterprises/import/", {"file": csv_file("name_zh,city\n甲,上海\n")})
    assert '<th scope="col">column</th>' in response.content.decode()


def test_the_error_table_says_列_in_chinese(people):
    """Chinese on purpose: the plan's column (专栏) and the spreadsheet's (列) are two words.
    Passes once the catalogue has this helper's translations (po/regs.json)."""
    response = client_for(people["staff"]).post(
        "/enterprises/import/", {"file": csv_file("name_zh,city\n甲,上海\n")}
    )
    html = response.content.decode()
    assert '<th scope="col">列</th>' in html
    assert "专栏" not in html
