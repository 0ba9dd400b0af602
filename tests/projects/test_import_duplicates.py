"""Projects have no code of their own: a new row with the name and city of a project of the
register, or of an earlier row of the file, is a likely duplicate unless the importer ticks
"import likely duplicates anyway". A row that changes a project by its id is not checked."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from projects.models import Project
from tests.web import client_for

HEADER = "name_zh,kind,level,city\n"


def csv_file(text: str, header: str = HEADER) -> SimpleUploadedFile:
    return SimpleUploadedFile("import.csv", ("\ufeff" + header + text).encode("utf-8"))


def english(user):
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_project_imported_twice_is_refused_unless_ticked(people):
    client = english(people["staff"])
    rows = "重复项目,major,provincial,hangzhou\n"
    assert client.post("/projects/import/", {"file": csv_file(rows)}).status_code == 302
    project = Project.objects.get(name_zh="重复项目")

    again = client.post("/projects/import/", {"file": csv_file(rows)})
    assert again.status_code == 400
    [error] = again.context["report"].errors
    assert (error.row, error.column) == (2, "name_zh")
    assert f"id {project.pk}" in error.message
    assert Project.objects.filter(name_zh="重复项目").count() == 1

    ticked = client.post("/projects/import/", {"file": csv_file(rows), "allow_duplicates": "1"})
    assert ticked.status_code == 302
    assert Project.objects.filter(name_zh="重复项目").count() == 2


def test_another_city_is_another_project(people):
    rows = "两地项目,major,provincial,hangzhou\n两地项目,major,provincial,ningbo\n"
    response = english(people["staff"]).post("/projects/import/", {"file": csv_file(rows)})
    assert response.status_code == 302
    assert Project.objects.filter(name_zh="两地项目").count() == 2


def test_a_row_changing_a_project_by_id_is_not_a_duplicate(people):
    client = english(people["staff"])
    # A confirmed project of the staff's unit (an import's would await its batch's review).
    project = Project.objects.create(
        name_zh="改名项目",
        kind="major",
        level="provincial",
        city="hangzhou",
        owner_unit=people["staff"].unit,
    )
    change = csv_file(f"{project.pk},改名项目,city\n", header="id,name_zh,level\n")
    response = client.post("/projects/import/", {"file": change})
    assert response.status_code == 302, response.context and response.context["report"].errors
    assert Project.objects.filter(name_zh="改名项目").count() == 1
