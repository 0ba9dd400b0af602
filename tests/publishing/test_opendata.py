"""The open data of a publication (publishing.opendata) and its downloads
(publishing.data_views): what anyone may fetch, checked against the edition itself."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.test import Client
from frictionless import Package, validate

from publishing import services
from publishing.opendata import data_files
from reports.builders import AsOfReport
from reports.csv import write_csv
from targets.choices import SourceKind
from tests.publishing.conftest import DRAFT_VALUE, EVIDENCE_NOTE, PENDING_VALUE, REVIEW_COMMENT
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db

PLAN_FILES = ["targets", "series", "figures", "items", "units"]
SECRETS = (DRAFT_VALUE, PENDING_VALUE, REVIEW_COMMENT, EVIDENCE_NOTE, "clerk", "checker", "boss")


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def cell(value) -> str:
    """A JSON value as the CSV writes it."""
    return "" if value is None else str(value)


def write(files: dict[str, bytes], root) -> None:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def test_the_files_of_a_publication(publication):
    files = data_files(publication)
    codes = [t["code"] for t in publication.content["targets"]]
    assert set(files) == (
        {f"data/{name}.{ext}" for name in PLAN_FILES for ext in ("csv", "json")}
        | {"data/datapackage.json"}
        | {f"data/targets/{code}.{ext}" for code in codes for ext in ("csv", "json")}
    )
    resources = json.loads(files["data/datapackage.json"])["resources"]
    for name, resource in zip(PLAN_FILES, resources, strict=True):
        fields = [f["name"] for f in resource["schema"]["fields"]]
        assert rows_of(files[f"data/{name}.csv"])[0] == fields
        assert resource["path"] == f"{name}.csv"
        assert b"\r\n" in files[f"data/{name}.csv"]
        assert not files[f"data/{name}.csv"].startswith("\ufeff".encode())


def test_the_data_package_validates(publication, tmp_path):
    write(data_files(publication), tmp_path)
    report = validate(str(tmp_path / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    # The schemas are checked, not only read: a point of an unknown target fails.
    broken = tmp_path / "broken"
    write(data_files(publication), broken)
    with (broken / "data" / "series.csv").open("a", encoding="utf-8") as f:
        f.write("no-such-target,2021-06-30,1.0\r\n")
    assert not validate(str(broken / "data" / "datapackage.json")).valid
    package = Package(str(tmp_path / "data" / "datapackage.json"))
    assert package.name == "zj-ai-2019-2022"
    assert [r.name for r in package.resources] == PLAN_FILES
    assert package.licenses[0]["name"] == "CC-BY-4.0"
    descriptor = json.loads((tmp_path / "data" / "datapackage.json").read_text("utf-8"))
    assert descriptor["version"] == "1"
    assert descriptor["edition"]["digest"] == publication.digest
    assert descriptor["edition"]["as_of"] == AS_OF.isoformat()
    assert descriptor["created"] == publication.published_at.isoformat()
    series = descriptor["resources"][1]["schema"]
    assert series["foreignKeys"] == [
        {"fields": "target", "reference": {"resource": "targets", "fields": "code"}}
    ]
    assert series["primaryKey"] == ["target", "date"]
    types = {f["name"]: f["type"] for f in descriptor["resources"][0]["schema"]["fields"]}
    assert (types["target_value"], types["deadline"], types["headline"]) == (
        "number",
        "date",
        "boolean",
    )
    # Frictionless reads the cells as the types the schema names.
    robots = next(
        row
        for row in package.get_resource("targets").read_rows()
        if row["code"] == "robots-in-service"
    )
    assert str(robots["current_value"]) == "95000.0000"


def test_targets_csv_is_the_export_targets_table(publication, plan, tmp_path):
    report = AsOfReport(plan, AS_OF, known_at=publication.known_at)
    write_csv(report, tmp_path / "export")
    exported = rows_of(
        (tmp_path / "export" / "targets.csv").read_bytes().removeprefix(b"\xef\xbb\xbf")
    )
    ours = rows_of(data_files(publication)["data/targets.csv"])
    assert ours[0] == [c.key for c in report.targets_table().columns]
    assert ours[1:] == exported[1:]
    assert len(ours) == len(report.targets) + 1


def test_figures_csv_is_the_editions_approved_figures(publication, plan):
    report = AsOfReport(plan, AS_OF, known_at=publication.known_at)
    reported = {t.pk: t.code for t in report.targets if t.source_kind == SourceKind.REPORTED}
    expected = sorted(
        [reported[target_id], on.isoformat(), format(value, "f")]
        for target_id, on, value in report.measurements_queryset().values_list(
            "target_id", "observed_on", "value"
        )
        if target_id in reported
    )
    ours = rows_of(data_files(publication)["data/figures.csv"])
    assert ours[0] == ["target", "date", "value"]
    assert sorted(ours[1:]) == expected
    assert ["robots-in-service", "2021-03-31", "95000.0000"] in ours


def test_series_csv_is_the_editions_series(publication, plan):
    report = AsOfReport(plan, AS_OF, known_at=publication.known_at)
    series = report.quarter_series(report.targets)
    ours = rows_of(data_files(publication)["data/series.csv"])
    for target in report.targets:
        points = [(day, value) for code, day, value in ours[1:] if code == target.code]
        quarter_ends = [(day.isoformat(), str(value)) for day, value in series.get(target.pk, [])]
        assert points[: len(quarter_ends)] == quarter_ends


def test_items_and_units(publication):
    files = data_files(publication)
    items = rows_of(files["data/items.csv"])
    header = items[0]
    assert header[:4] == ["key", "parent", "kind", "number"]
    by_key = {row[0]: dict(zip(header, row, strict=True)) for row in items[1:]}
    assert len(by_key) == len(publication.content["items"])
    assert by_key["I.1"]["parent"] == "I"
    assert by_key["I"]["parent"] == ""
    units = {row[0] for row in rows_of(files["data/units.csv"])[1:]}
    led = {row["lead_unit"] for row in by_key.values() if row["lead_unit"]}
    assert led and led <= units


def test_the_json_downloads_equal_the_csv(publication):
    files = data_files(publication)
    for name in PLAN_FILES:
        rows = rows_of(files[f"data/{name}.csv"])
        records = json.loads(files[f"data/{name}.json"])
        assert [[cell(r[key]) for key in rows[0]] for r in records] == rows[1:], name
        assert all(list(r) == rows[0] for r in records)
    for target in publication.content["targets"]:
        base = f"data/targets/{target['code']}"
        document = json.loads(files[f"{base}.json"])
        assert document["row"] == target["row"]
        assert document["metadata"] == target["metadata"]
        points = [
            [table, point["date"], cell(point["value"])]
            for table in ("series", "figures")
            for point in document[table]
        ]
        assert rows_of(files[f"{base}.csv"]) == [["table", "date", "value"], *points]


def test_a_target_file_holds_its_series_and_figures(publication):
    rows = rows_of(data_files(publication)["data/targets/robots-in-service.csv"])
    assert ["figures", "2021-03-31", "95000.0000"] in rows
    assert any(row[0] == "series" for row in rows)


def test_formula_text_is_defused_in_csv_kept_in_json(publication):
    publication.content["units"][0]["name_en"] = "=HYPERLINK(1)"
    publication.content_digest = "changed"  # another content: made afresh
    files = data_files(publication)
    assert "'=HYPERLINK(1)" in files["data/units.csv"].decode()
    assert json.loads(files["data/units.json"])[0]["name_en"] == "=HYPERLINK(1)"


def test_stable_addresses_serve_the_same_bytes_with_caching(publication, client: Client):
    current = client.get("/public/zj-ai-2019-2022/data/targets.csv")
    edition = client.get("/public/zj-ai-2019-2022/editions/1/data/targets.csv")
    assert current.status_code == edition.status_code == 200
    assert current.content == edition.content == data_files(publication)["data/targets.csv"]
    assert current["Content-Type"] == "text/csv; charset=utf-8"
    assert current["Content-Disposition"] == 'inline; filename="zj-ai-2019-2022-1-targets.csv"'
    assert current["ETag"] and "max-age" in current["Cache-Control"]
    again = client.get(
        "/public/zj-ai-2019-2022/data/targets.csv", HTTP_IF_NONE_MATCH=current["ETag"]
    )
    assert again.status_code == 304
    package = client.get("/public/zj-ai-2019-2022/data/datapackage.json")
    assert package["Content-Type"] == "application/json"
    assert package.json()["name"] == "zj-ai-2019-2022"
    target = client.get("/public/zj-ai-2019-2022/editions/1/data/targets/robots-in-service.json")
    assert target.json()["code"] == "robots-in-service"


def test_the_current_address_follows_the_newest_publication(publication, plan, world, client):
    import datetime as dt

    services.publish(plan=plan, as_of=dt.date(2021, 9, 30), acting_user=world["admin"])
    current = client.get("/public/zj-ai-2019-2022/data/datapackage.json").json()
    first = client.get("/public/zj-ai-2019-2022/editions/1/data/datapackage.json").json()
    assert (current["version"], first["version"]) == ("2", "1")
    assert current["edition"]["as_of"] == "2021-09-30"


@pytest.mark.parametrize(
    "address",
    [
        "/public/zj-ai-2019-2022/data/nothing.csv",
        "/public/zj-ai-2019-2022/data/../settings.py",
        "/public/zj-ai-2019-2022/data/targets/no-such-target.csv",
        "/public/zj-ai-2019-2022/data/targets/",
        "/public/zj-ai-2019-2022/editions/2/data/targets.csv",
        "/public/no-such-plan/data/targets.csv",
    ],
)
def test_an_unknown_file_is_404(publication, client, address):
    assert client.get(address).status_code == 404


def test_nothing_secret_in_any_download(publication, client):
    for path in data_files(publication):
        response = client.get(f"/public/zj-ai-2019-2022/{path}")
        assert response.status_code == 200, path
        text = response.content.decode("utf-8")
        for secret in SECRETS:
            assert secret not in text, (path, secret)


def test_a_withdrawn_editions_downloads_are_404(publication, world, client):
    services.withdraw(publication, acting_user=world["admin"], reason="wrong date")
    for path in ("data/targets.csv", "data/datapackage.json"):
        assert client.get(f"/public/zj-ai-2019-2022/{path}").status_code == 404
        assert client.get(f"/public/zj-ai-2019-2022/editions/1/{path}").status_code == 404


def test_a_download_reads_two_rows_once_made(publication, client, django_assert_num_queries):
    client.get("/public/zj-ai-2019-2022/data/series.csv")
    # The ETag's state and the publication without its content: the files are made once.
    with django_assert_num_queries(2):
        response = client.get("/public/zj-ai-2019-2022/editions/1/data/series.csv")
    assert response.status_code == 200
