"""The open data of a publication: the files anyone may download (docs/open-data.md,
"The downloads").

`data_files(publication)` maps each file's path, relative to the plan's public address, to its
bytes; the download views (publishing.data_views) and the static export serve and write the
same. Every file is made from `publication.content` and the publication's own fields alone,
never from the live tables, so a download says exactly what the edition said, on any later day.

Per plan, each table as CSV (UTF-8, no BOM, a header row of machine keys, RFC 4180) and as
JSON (a list of objects with the same keys): targets, series, figures, items, units; per target
its series and figures (data/targets/<code>.csv and .json, the JSON with the target's published
fields and metadata); and data/datapackage.json, a Frictionless Data Package describing the
plan-level CSVs with a Table Schema each. Values are the edition's text: a decimal as the export
writes it ("95000.0000"), a date as ISO, a boolean as True/False, nothing as an empty cell. Text
a spreadsheet would run as a formula gets the export's leading ' in the CSV (zjai.csvsafe); the
JSON keeps it as published.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from zjai.csvsafe import defuse

from .models import Publication

# The export's cell kinds (reports.builders.Column.kind) as Table Schema types.
SCHEMA_TYPES = {
    "text": "string",
    "int": "integer",
    "decimal": "number",
    "number": "number",
    "percent": "number",
    "date": "date",
    "datetime": "datetime",
    "bool": "boolean",
}
# How a boolean cell reads: as the export writes it (Python's str).
TRUE_VALUES, FALSE_VALUES = ["True"], ["False"]
# How many publications' files one process keeps made (the content never changes).
CACHED_PUBLICATIONS = 8


@dataclass(frozen=True)
class Field:
    name: str
    type: str  # a Table Schema type
    title_zh: str
    title_en: str
    description: str = ""

    @property
    def is_text(self) -> bool:
        return self.type == "string"


@dataclass
class DataTable:
    """One plan-level table: its CSV and JSON files and its data package resource."""

    name: str
    title_zh: str
    title_en: str
    description: str
    fields: list[Field]
    rows: list[list[Any]]
    primary_key: list[str] = field(default_factory=list)
    foreign_keys: list[dict[str, Any]] = field(default_factory=list)

    @property
    def keys(self) -> list[str]:
        return [f.name for f in self.fields]


def _reference(fields: str, resource: str, to: str) -> dict[str, Any]:
    """A foreign key: `fields` of this table name a row of `resource` ("" = this table)."""
    return {"fields": fields, "reference": {"resource": resource, "fields": to}}


# --- the tables ------------------------------------------------------------------------------


def targets_rows(content: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The edition's targets table as published: its columns and a row per target."""
    keys = [column["key"] for column in content["target_columns"]]
    return keys, [[target["row"].get(key) for key in keys] for target in content["targets"]]


def targets_table(content: dict[str, Any]) -> DataTable:
    keys, rows = targets_rows(content)
    fields = [
        Field(c["key"], SCHEMA_TYPES.get(c["kind"], "string"), c["title_zh"], c["title_en"])
        for c in content["target_columns"]
    ]
    return DataTable(
        "targets",
        "指标进度",
        "Targets",
        "每个指标的目标、基期、当前值与进度状态，与该版本导出的指标进度表逐格相同。 / Each "
        "target's goal, baseline, current value and progress status: the cells of the "
        "edition's exported targets table.",
        fields,
        rows,
        primary_key=["code"],
        foreign_keys=[_reference("lead_unit", "units", "code")] if "lead_unit" in keys else [],
    )


POINT_FIELDS = [
    Field("target", "string", "指标代码", "target code"),
    Field("date", "date", "日期", "date"),
    Field("value", "number", "值", "value"),
]


def series_table(content: dict[str, Any]) -> DataTable:
    rows = [[t["code"], day, value] for t in content["targets"] for day, value in t["series"]]
    return DataTable(
        "series",
        "指标序列",
        "Series",
        "每个指标在每个季度末及统计截至日的计入值（图表中的实际线）。 / Each target's "
        "counted value at every quarter end and on the as-of date (the actual line of the "
        "charts).",
        POINT_FIELDS,
        rows,
        primary_key=["target", "date"],
        foreign_keys=[_reference("target", "targets", "code")],
    )


def figures_table(content: dict[str, Any]) -> DataTable:
    rows = [[t["code"], day, value] for t in content["targets"] for day, value in t["figures"]]
    return DataTable(
        "figures",
        "填报数据",
        "Figures",
        "填报类指标截至统计日已审核通过的数据：所描述的日期和值。 / The approved figures of "
        "the reported targets as of the date: the date each describes and its value.",
        [
            Field("target", "string", "指标代码", "target code"),
            Field("date", "date", "数据所属日期", "date described"),
            Field("value", "number", "值", "value"),
        ],
        rows,
        foreign_keys=[_reference("target", "targets", "code")],
    )


ITEM_FIELDS = [
    Field("key", "string", "条目键", "item key", "规划文本中的位置 / the item's place in the plan"),
    Field("parent", "string", "上级条目", "parent item"),
    Field("kind", "string", "类型", "kind"),
    Field("number", "string", "编号", "number"),
    Field("depth", "integer", "层级", "depth"),
    Field("title_zh", "string", "标题", "title (Chinese)"),
    Field("title_en", "string", "标题（英文）", "title (English)"),
    Field("text_zh", "string", "原文", "text (Chinese)"),
    Field("text_en", "string", "原文（英文）", "text (English)"),
    Field("lead_unit", "string", "牵头单位", "lead unit"),
    Field(
        "units",
        "string",
        "责任单位",
        "units",
        "单位代码，以分号分隔，牵头单位在前 / unit codes, separated by semicolons, the lead first",
    ),
    Field("status", "string", "任务状态", "task status"),
    Field("status_period", "string", "状态所属报告期", "status period"),
    Field("status_period_start", "date", "报告期开始", "status period start"),
    Field("status_period_end", "date", "报告期结束", "status period end"),
]


def _lead_unit(links: list[dict[str, Any]]) -> str | None:
    return next((link["unit"] for link in links if link["lead"]), None)


def _unit_codes(links: list[dict[str, Any]]) -> str:
    ordered = sorted(links, key=lambda link: not link["lead"])  # stable: the lead first
    return ";".join(link["unit"] for link in ordered)


def _item_row(item: dict[str, Any], period: dict[str, str] | None) -> list[Any]:
    # A status is told for the period it was reported in; an item without one has none.
    told = period if item["status"] is not None else None
    return [
        item["key"],
        item["parent"],
        item["kind"],
        item["number"],
        item["depth"],
        item["title_zh"],
        item["title_en"],
        item["text_zh"],
        item["text_en"],
        _lead_unit(item["units"]),
        _unit_codes(item["units"]),
        item["status"],
        told["label"] if told else None,
        told["start"] if told else None,
        told["end"] if told else None,
    ]


def items_table(content: dict[str, Any]) -> DataTable:
    period = content.get("period")
    return DataTable(
        "items",
        "规划条目",
        "Plan items",
        "规划文本的条目树；任务的状态为统计日前最近一个已结束报告期的汇总状态。 / The tree "
        "of the plan's items; a reported task's status is its status in the newest reporting "
        "period closed by the as-of date.",
        ITEM_FIELDS,
        [_item_row(item, period) for item in content["items"]],
        primary_key=["key"],
        foreign_keys=[
            _reference("parent", "", "key"),
            _reference("lead_unit", "units", "code"),
        ],
    )


def units_table(content: dict[str, Any]) -> DataTable:
    return DataTable(
        "units",
        "责任单位",
        "Responsible units",
        "条目与指标所列的责任单位。 / The responsible units the items and targets name.",
        [
            Field("code", "string", "单位代码", "unit code"),
            Field("name_zh", "string", "单位名称", "name (Chinese)"),
            Field("name_en", "string", "单位名称（英文）", "name (English)"),
        ],
        [[u["code"], u["name_zh"], u["name_en"]] for u in content["units"]],
        primary_key=["code"],
    )


def plan_tables(content: dict[str, Any]) -> list[DataTable]:
    return [
        targets_table(content),
        series_table(content),
        figures_table(content),
        items_table(content),
        units_table(content),
    ]


# --- the file formats ------------------------------------------------------------------------


def csv_bytes(keys: list[str], rows: list[list[Any]], text_columns: set[int]) -> bytes:
    """RFC 4180 CSV in UTF-8: a header row of keys, CRLF line ends, text that would run as a
    formula defused as the exports defuse it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(keys)
    for row in rows:
        writer.writerow(
            [
                "" if value is None else defuse(value) if i in text_columns else value
                for i, value in enumerate(row)
            ]
        )
    return out.getvalue().encode("utf-8")


def json_bytes(value: Any) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def records(keys: list[str], rows: list[list[Any]]) -> list[dict[str, Any]]:
    return [dict(zip(keys, row, strict=True)) for row in rows]


def table_csv(table: DataTable) -> bytes:
    text = {i for i, f in enumerate(table.fields) if f.is_text}
    return csv_bytes(table.keys, table.rows, text)


def table_schema(table: DataTable) -> dict[str, Any]:
    schema: dict[str, Any] = {"fields": [_field_schema(f) for f in table.fields]}
    schema["missingValues"] = [""]
    if table.primary_key:
        schema["primaryKey"] = table.primary_key
    if table.foreign_keys:
        schema["foreignKeys"] = table.foreign_keys
    return schema


def _field_schema(f: Field) -> dict[str, Any]:
    out: dict[str, Any] = {"name": f.name, "type": f.type, "title": f"{f.title_zh} / {f.title_en}"}
    if f.description:
        out["description"] = f.description
    if f.type == "boolean":
        out["trueValues"], out["falseValues"] = TRUE_VALUES, FALSE_VALUES
    return out


# --- per target ------------------------------------------------------------------------------

TARGET_POINT_KEYS = ["table", "date", "value"]


def target_points(target: dict[str, Any]) -> list[list[Any]]:
    """A target's series then its figures, each row naming the plan-level table it is in."""
    return [["series", day, value] for day, value in target["series"]] + [
        ["figures", day, value] for day, value in target["figures"]
    ]


def target_document(content: dict[str, Any], target: dict[str, Any]) -> dict[str, Any]:
    """A target as published: its fields, metadata and status in words, with its points."""
    return {
        "plan": content["plan"]["code"],
        "edition": content["edition"],
        **{k: v for k, v in target.items() if k not in ("series", "figures")},
        "series": [{"date": day, "value": value} for day, value in target["series"]],
        "figures": [{"date": day, "value": value} for day, value in target["figures"]],
    }


def target_files(content: dict[str, Any]) -> dict[str, bytes]:
    files = {}
    for target in content["targets"]:
        base = f"data/targets/{target['code']}"
        files[f"{base}.csv"] = csv_bytes(TARGET_POINT_KEYS, target_points(target), {0})
        files[f"{base}.json"] = json_bytes(target_document(content, target))
    return files


# --- the data package ------------------------------------------------------------------------


def edition_fields(publication: Publication) -> dict[str, Any]:
    edition = publication.content["edition"]
    return {
        "number": publication.number,
        "as_of": edition["as_of"],
        "known_at": edition["known_at"],
        "digest": edition["digest"],
        "audit_head": edition["audit_head"],
        "content_digest": publication.content_digest,
    }


def both(zh: str, en: str) -> str:
    """A name in Chinese and English, either left out when the edition has none."""
    return " / ".join(text for text in (zh, en) if text)


def package_name(plan_code: str) -> str:
    """The plan's code as a data package name (lower case letters, digits, - . _)."""
    return plan_code.lower()


def package_description(content: dict[str, Any], number: int) -> str:
    plan, edition = content["plan"], content["edition"]
    return (
        f"{plan['title_zh']}：第 {number} 次公开的版本，统计截至 {edition['as_of']}，"
        f"数据截至 {edition['known_at']} 已审核通过。只含已审核的数据，数值与该版本的导出相同。\n"
        f"{plan['title_en']}: publication {number}, as of {edition['as_of']}, as known at "
        f"{edition['known_at']}. Approved figures only; the values are the edition's export's."
    )


def sources(plan: dict[str, Any]) -> list[dict[str, str]]:
    """Where the plan comes from: its issuer and document number, when the edition names them."""
    issuer = both(plan["issuer_zh"], plan["issuer_en"])
    title = " ".join(text for text in (issuer, plan["document_number"]) if text)
    return [{"title": title}] if title else []


def resource(table: DataTable) -> dict[str, Any]:
    return {
        "name": table.name,
        "path": f"{table.name}.csv",
        "profile": "tabular-data-resource",
        "title": f"{table.title_zh} / {table.title_en}",
        "description": table.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": table_schema(table),
    }


def datapackage(publication: Publication, tables: list[DataTable]) -> dict[str, Any]:
    content = publication.content
    plan = content["plan"]
    return {
        "profile": "tabular-data-package",
        "name": package_name(plan["code"]),
        "title": both(plan["title_zh"], plan["title_en"]),
        "description": package_description(content, publication.number),
        "version": str(publication.number),
        "created": publication.published_at.isoformat(),
        "licenses": [dict(settings.PUBLIC_LICENSE)],
        "sources": sources(plan),
        "edition": edition_fields(publication),
        "resources": [resource(table) for table in tables],
    }


# --- all of it -------------------------------------------------------------------------------


def plan_files(publication: Publication) -> dict[str, bytes]:
    tables = plan_tables(publication.content)
    files: dict[str, bytes] = {}
    for table in tables:
        files[f"data/{table.name}.csv"] = table_csv(table)
        files[f"data/{table.name}.json"] = json_bytes(records(table.keys, table.rows))
    files["data/datapackage.json"] = json_bytes(datapackage(publication, tables))
    return files


class _Made:
    """A publication as the cache's key: its pk and content digest (the content never
    changes), carrying the publication to make the files from on a miss."""

    def __init__(self, publication: Publication) -> None:
        self.publication = publication
        self.key = (publication.pk, publication.content_digest)

    def __hash__(self) -> int:
        return hash(self.key)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Made) and other.key == self.key


@functools.lru_cache(maxsize=CACHED_PUBLICATIONS)
def _made(made: _Made) -> dict[str, bytes]:
    files = {**plan_files(made.publication), **target_files(made.publication.content)}
    made.publication = None  # type: ignore[assignment]  # keep the bytes, not the content
    return files


def data_files(publication: Publication) -> dict[str, bytes]:
    """Every file of the publication's open data, by path relative to the plan's address."""
    return dict(_made(_Made(publication)))
