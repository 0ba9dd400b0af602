"""The XLSX template of each register's import (registers/import_template.py): the header the
importer expects, an example row marked 示例 that is never imported as data, a codes sheet,
drop-downs on the coded columns that refer to it, dates formatted as dates; filled in with a
real row, it imports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from enterprises.imports import EnterpriseImport
from enterprises.models import Enterprise
from projects.imports import ProjectImport
from projects.models import Project
from tests.web import client_for, credit_code

REGISTERS = [("enterprises", EnterpriseImport), ("projects", ProjectImport)]
CODED = {
    "enterprises": {"city", "sector", "tier", "status", "edit_kind"},
    "projects": {"kind", "level", "status", "city", "sector", "edit_kind"},
}


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def template(client, register: str):
    response = client.get(f"/{register}/import/?template=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].endswith('-template.xlsx"')
    return load_workbook(io.BytesIO(response.content))


def as_file(book) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("filled.xlsx", buffer.getvalue())


@pytest.mark.parametrize(("register", "importer_class"), REGISTERS)
def test_the_template_has_the_header_an_example_codes_and_drop_downs(
    people, register, importer_class
):
    book = template(english(people["staff"]), register)
    entries, codes = book.worksheets
    assert codes.title == "codes"
    importer = importer_class(people["staff"])
    names = importer.template_columns()
    header = [cell.value for cell in entries[1]]
    assert header == importer.template_headers()
    example = [cell.value for cell in entries[2]]
    assert example[0] == "example"
    assert entries["A2"].comment is not None and entries["A2"].font.i
    last = settings.ZJAI_IMPORT_MAX_ROWS + 1
    # Each coded column has a list drop-down over its rows that names its labels on the codes
    # sheet; the codes sheet has each code beside its label.
    by_range = {str(v.sqref): v for v in entries.data_validations.dataValidation}
    coded = {name for name in names if name in CODED[register]}
    assert coded == CODED[register]
    for index, name in enumerate(names, start=1):
        letter = entries.cell(1, index).column_letter
        column_range = f"{letter}2:{letter}{last}"
        if name not in coded:
            assert column_range not in by_range
            continue
        validation = by_range[column_range]
        assert validation.type == "list"
        sheet_ref, cells = validation.formula1.split("!")
        assert sheet_ref.strip("'") == "codes"
        first, second = cells.replace("$", "").split(":")
        labels = [row[0].value for row in codes[f"{first}:{second}"]]
        codes_of = [codes.cell(row[0].row, row[0].column - 1).value for row in codes[first:second]]
        field_obj = importer.header_form().fields[name]
        assert list(zip(codes_of, labels, strict=True)) == [
            (str(v), str(label)) for v, label in field_obj.choices if v
        ]
        if name != "edit_kind":  # the example adds an entry: no change to date
            assert example[index - 1] in labels  # the example's value is one of them
    # Dates are dates (cells formatted as such); the credit code column is text.
    for index, name in enumerate(names, start=1):
        cell = entries.cell(2, index)
        if name in ("recognised_on", "start_date", "effective_from"):
            assert cell.number_format == "yyyy-mm-dd"
        if name in ("recognised_on", "start_date"):
            assert isinstance(cell.value, dt.datetime)
        if name in ("id", "credit_code", "name_zh"):
            assert cell.number_format == "@"


@pytest.mark.parametrize(("register", "importer_class"), REGISTERS)
def test_the_template_in_chinese(people, register, importer_class):
    book = template(client_for(people["staff"]), register)
    entries = book.worksheets[0]
    assert entries["A2"].value == "示例"
    assert "城市" in [cell.value for cell in entries[1]]


@pytest.mark.parametrize(
    ("register", "model"), [("enterprises", Enterprise), ("projects", Project)]
)
def test_the_untouched_example_is_skipped_and_a_real_row_imports(people, register, model):
    client = english(people["staff"])
    book = template(client, register)
    entries = book.worksheets[0]
    header = [str(cell.value).lower() for cell in entries[1]]
    row = dict.fromkeys(header, None)
    filled = {"name (chinese)": "模板导入企业", "city": "Ningbo"}
    if register == "enterprises":
        filled.update(
            {
                "unified social credit code": credit_code(4242),
                "tier": "leading enterprise",
                "recognised on": dt.date(2023, 6, 1),
            }
        )
    else:
        filled.update({"kind": "smart factory", "level": "city", "start date": dt.date(2023, 6, 1)})
    assert set(filled) <= set(row)
    row.update(filled)
    entries.append([row[h] for h in header])
    before = model.objects.count()
    response = client.post(f"/{register}/import/", {"file": as_file(book)})
    assert response.status_code == 302, response.context and response.context["report"].errors
    assert model.objects.count() == before + 1
    made = model.objects.get(name_zh="模板导入企业")
    assert made.city == "ningbo"
    assert not model.objects.filter(name_zh__contains="示例").exists()


def test_only_the_example_is_no_row_to_import(people):
    client = english(people["staff"])
    response = client.post(
        "/enterprises/import/", {"file": as_file(template(client, "enterprises"))}
    )
    assert response.status_code == 400
    assert "The file has no rows to import." in response.content.decode()


def test_a_changed_example_is_refused_not_imported(people):
    client = english(people["staff"])
    book = template(client, "enterprises")
    entries = book.worksheets[0]
    entries["B2"] = "改过的示例"  # a name written over the example, the mark left in place
    response = client.post("/enterprises/import/", {"file": as_file(book)})
    assert response.status_code == 400
    errors = response.context["report"].errors
    assert [(e.row, e.column) for e in errors] == [(2, "id")]
    assert "marked as the template's example" in errors[0].message
    assert not Enterprise.objects.filter(name_zh="改过的示例").exists()


def test_the_example_is_skipped_in_either_language(people):
    """A template downloaded in Chinese, imported by a reader of the English pages."""
    book = template(client_for(people["staff"]), "projects")
    book.worksheets[0].append(["", "中文模板项目", "", "重大项目", "省级", "", "", "杭州"])
    response = english(people["staff"]).post("/projects/import/", {"file": as_file(book)})
    assert response.status_code == 302, response.context and response.context["report"].errors
    assert Project.objects.filter(name_zh="中文模板项目").count() == 1
    assert not Project.objects.filter(name_zh="示例智能工厂建设项目").exists()
