"""Importing enterprises without a credit code twice does not add them twice: a new row with no
code whose name and city are an enterprise's (or an earlier row's) is a likely duplicate, an
error unless the importer ticks "import likely duplicates anyway"."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from enterprises.models import Enterprise
from enterprises.services import create_enterprise
from tests.web import client_for, credit_code

HEADER = "name_zh,credit_code,city\n"


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", ("\ufeff" + HEADER + text).encode("utf-8"))


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def named(name: str) -> int:
    return Enterprise.objects.filter(name_zh=name).count()


def test_reimporting_rows_without_a_code_is_refused_then_allowed_when_ticked(people):
    client = english(people["staff"])
    rows = "无代码甲,,hangzhou\n无代码乙,,ningbo\n"
    assert client.post("/enterprises/import/", {"file": csv_file(rows)}).status_code == 302
    first = Enterprise.objects.get(name_zh="无代码甲")

    again = client.post("/enterprises/import/", {"file": csv_file(rows)})
    assert again.status_code == 400
    errors = {(e.row, e.column): e.message for e in again.context["report"].errors}
    assert set(errors) == {(2, "name_zh"), (3, "name_zh")}
    assert errors[(2, "name_zh")].startswith(
        f"Likely a duplicate of “无代码甲” (Hangzhou, id {first.pk}), which the register "
        "already holds."
    )
    assert "Import likely duplicates anyway" in errors[(2, "name_zh")]
    assert (named("无代码甲"), named("无代码乙")) == (1, 1)

    ticked = client.post("/enterprises/import/", {"file": csv_file(rows), "allow_duplicates": "on"})
    assert ticked.status_code == 302
    assert (named("无代码甲"), named("无代码乙")) == (2, 2)


def test_the_same_name_in_another_city_or_with_a_code_is_no_duplicate(people):
    create_enterprise(acting_user=people["staff"], name_zh="同名企业", city="hangzhou")
    rows = f"同名企业,,ningbo\n同名企业,{credit_code(77)},hangzhou\n"
    response = english(people["staff"]).post("/enterprises/import/", {"file": csv_file(rows)})
    assert response.status_code == 302
    assert named("同名企业") == 3


def test_two_rows_of_one_file_alike_are_refused(people):
    rows = "文件内重复,,hangzhou\n 文件内重复 ,,Hangzhou\n"
    response = english(people["staff"]).post("/enterprises/import/", {"file": csv_file(rows)})
    assert response.status_code == 400
    [error] = response.context["report"].errors
    assert (error.row, error.column) == (3, "name_zh")
    assert error.message.startswith("Likely a duplicate of row 2 (the same name and city).")
    assert named("文件内重复") == 0


def test_the_import_page_offers_the_box(people):
    page = english(people["staff"]).get("/enterprises/import/")
    html = page.content.decode()
    assert 'name="allow_duplicates"' in html and "Import likely duplicates anyway" in html
