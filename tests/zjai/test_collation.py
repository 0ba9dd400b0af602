"""Chinese names in pinyin order (zjai/collation.py): 北京 < 杭州 < 宁波 < 温州 < 浙江, where
the code points say 北 < 宁 < 杭 < 浙 < 温. On PostgreSQL every ordering of names (the models'
default order, the lists' name column both ways, the API's `?ordering=name_zh`, the selects of
units) reads pinyin; on SQLite the same pages answer (tests/zjai/pinyin_sqlite.py)."""

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from rest_framework.test import APIClient

from enterprises.models import Enterprise
from plans.models import ResponsibleUnit
from projects.models import Project
from tests.web import client_for, credit_code
from zjai.collation import Pinyin, by_name, ordering_terms

PINYIN = ["北京智能", "杭州智能", "宁波智能", "温州智能", "浙江智能"]
CODE_POINTS = sorted(PINYIN)


@pytest.fixture
def named(people):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    # Written in neither order, so that neither comes out by chance.
    for i, name in enumerate(["温州智能", "北京智能", "浙江智能", "宁波智能", "杭州智能"]):
        Enterprise.objects.create(
            name_zh=name, city="hangzhou", credit_code=credit_code(500 + i), owner_unit=econ
        )
        Project.objects.create(name_zh=name, kind="major", level="provincial", city="hangzhou")
    return people


def test_the_example_differs_by_code_point():
    assert CODE_POINTS != PINYIN


def test_the_database_is_postgresql_with_icu():
    assert connection.vendor == "postgresql"


def test_the_registers_default_order_is_pinyin(named):
    assert list(
        Enterprise.objects.filter(name_zh__in=PINYIN).values_list("name_zh", flat=True)
    ) == (PINYIN)
    assert list(Project.objects.filter(name_zh__in=PINYIN).values_list("name_zh", flat=True)) == (
        PINYIN
    )
    # A relation's order follows its model's: projects by their enterprise.
    by_enterprise = Enterprise.objects.filter(name_zh__in=PINYIN).order_by("-name_zh")
    assert [e.name_zh for e in by_enterprise] == CODE_POINTS[::-1]  # a plain field: as it is


@pytest.mark.parametrize("path", ["/enterprises/", "/projects/"])
def test_the_lists_sort_names_by_pinyin_both_ways(named, path):
    client = client_for(named["auditor"])
    for sort, expected in (("", PINYIN), ("name", PINYIN), ("-name", PINYIN[::-1])):
        page = client.get(path, {"q": "智能", "sort": sort}).context["page"]
        assert [row.name_zh for row in page.object_list] == expected, sort


@pytest.mark.parametrize("path", ["/enterprises/", "/projects/"])
def test_the_export_follows_the_list_order(named, path):
    response = client_for(named["auditor"]).get(path, {"q": "智能", "export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [line.split(",")[0] for line in text.strip().splitlines()[1:]]
    assert rows == PINYIN


@pytest.mark.parametrize("resource", ["enterprises", "projects"])
def test_the_api_orders_names_by_pinyin(named, resource):
    client = APIClient()
    client.force_authenticate(named["auditor"])
    for ordering, expected in (("name_zh", PINYIN), ("-name_zh", PINYIN[::-1])):
        answer = client.get(f"/api/v1/{resource}/", {"ordering": ordering, "search": "智能"})
        assert answer.status_code == 200
        assert [row["name_zh"] for row in answer.json()["results"]] == expected


def test_units_within_a_kind_in_pinyin_order(plan):
    for kind in ResponsibleUnit.Kind.values:
        names = list(ResponsibleUnit.objects.filter(kind=kind).values_list("name_zh", flat=True))
        ordered = (
            ResponsibleUnit.objects.filter(kind=kind)
            .order_by(Pinyin("name_zh"))
            .values_list("name_zh", flat=True)
        )
        assert names == list(ordered)


def pinyin_indexes() -> None:
    """The migrations' indexes (the suite builds its tables from the models, without them)."""
    with connection.schema_editor() as editor:
        for module in (
            "enterprises.migrations.0006_pinyin_order",
            "projects.migrations.0009_pinyin_order",
        ):
            importlib.import_module(module).add_index(None, editor)


@pytest.mark.django_db
def test_the_migrations_index_names_with_the_collation():
    pinyin_indexes()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE indexname IN "
            "('enterprise_name_pinyin', 'project_name_pinyin')"
        )
        found = dict(cursor.fetchall())
    assert set(found) == {"enterprise_name_pinyin", "project_name_pinyin"}
    assert all('COLLATE "zh-x-icu"' in definition for definition in found.values())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "index"), [(Enterprise, "enterprise_name_pinyin"), (Project, "project_name_pinyin")]
)
def test_the_list_order_reads_the_index(model, index):
    """The first page of a register sorted by name is an index scan, not a sort of the table
    (the planner told that a sort is dear, as it is at 100,000 rows)."""
    pinyin_indexes()
    query = model.objects.order_by(by_name("name_zh"), "pk")[:50]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan


def test_ordering_terms_turn_only_the_named_fields():
    terms = ordering_terms(["-name_zh", "city", "title_zh"], ["name_zh"])
    assert terms[1:] == ["city", "title_zh"]
    assert terms[0].descending


def test_the_embedded_default_sqlite_answers(tmp_path):
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.zjai.pinyin_sqlite"],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT "))
    answer = json.loads(line.removeprefix("RESULT "))
    assert answer["vendor"] == "sqlite"
    # SQLite has no ICU collation: the names keep its order (code points), and nothing fails.
    assert answer["model"] == CODE_POINTS
    assert answer["list"] == [200, CODE_POINTS]
    assert answer["list_descending"] == [200, CODE_POINTS[::-1]]
    assert answer["api"] == [200, CODE_POINTS]
    assert answer["units"] == 200
