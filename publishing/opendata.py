"""The open data of a publication: the files anyone may download (docs/open-data.md).

`data_files(publication)` maps each file's path, relative to the plan's public address, to its
bytes; the download views and the static export (publishing.site) serve and write the same.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from .models import Publication


def targets_rows(content: dict[str, Any]) -> tuple[list[str], list[list[Any]]]:
    """The edition's targets table as published: its columns and a row per target."""
    keys = [column["key"] for column in content["target_columns"]]
    return keys, [[target["row"].get(key) for key in keys] for target in content["targets"]]


def _csv(header: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else value for value in row])
    return out.getvalue().encode("utf-8")


def data_files(publication: Publication) -> dict[str, bytes]:
    content = publication.content
    keys, rows = targets_rows(content)
    return {
        "data/targets.csv": _csv(keys, rows),
        "data/targets.json": json.dumps(
            [dict(zip(keys, row, strict=True)) for row in rows], ensure_ascii=False, indent=1
        ).encode("utf-8"),
    }
