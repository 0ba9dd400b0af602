"""Bad input, through the browser's forms and the API: each gets a clear error and changes
nothing — no row, no audit event, no file on disk.

- evidence uploads that are too large, of the wrong kind, or renamed;
- register imports in the wrong encoding, without their columns, with formulas, or 10 MB of
  junk;
- invalid credit codes, negative and non-numeric values, dates out of range, unknown enum
  values, through every channel that takes them (add and edit forms, API create and PATCH,
  import);
- deeply nested and huge JSON bodies, and oversized form bodies;
- SQL and script injection strings in every free-text field: stored verbatim, shown escaped
  on every page that shows them, returned verbatim by the API, and harmless in CSV and XLSX
  exports.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.html import escape
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from tests.api.client import schema_dict
from tests.api.fixtures import OWN_TARGET, World
from tests.security.helpers import assert_api_error
from tests.web import credit_code

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TEN_MB = 10 * 1024 * 1024
NOTHING_SAVED = "未保存任何内容"
NOTHING_IMPORTED = "未导入任何内容"
NON_FIELD = "__all__"

# Injection strings a user (or an attacker with an account) may type into any text field.
INJECTIONS = [
    "'; DROP TABLE targets_measurement; --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example/","详情")',
    "{{ request.user }}{% csrf_token %}",
]


def zip_of(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def assert_shown_escaped(html: str, text: str, where: str) -> None:
    """The text is on the page as the browser will display it, never as markup."""
    assert escape(text) in html, f"{where}: {text!r} is not shown (escaped once)"
    if escape(text) != text:
        assert text not in html, f"{where}: {text!r} is in the page unescaped"


def defused(text: str) -> str:
    """How a text cell must appear in a CSV export: a leading ' before a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


# --- the channels that take input -----------------------------------------------------------------


@dataclass
class Outcome:
    """What came back: the status, the messages by field (non-field ones under __all__) and
    the page or JSON text the user sees."""

    status: int
    errors: dict[str, str]
    page: str


VALID: dict[str, dict[str, str]] = {
    "figure": {"value": "1300", "observed_on": "2021-09-30", "note": "三季度"},
    "enterprise": {"name_zh": "坏输入企业", "city": "hangzhou", "status": "active"},
    "project": {
        "name_zh": "坏输入项目",
        "kind": "major",
        "level": "city",
        "status": "under_construction",
        "city": "hangzhou",
        "start_date": "2020-01-01",
    },
}
NEW_PAGE = {
    "figure": f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/",
    "enterprise": "/enterprises/new/",
    "project": "/projects/new/",
}
API_LIST = {
    "figure": "/api/v1/measurements/",
    "enterprise": "/api/v1/enterprises/",
    "project": "/api/v1/projects/",
}
EDIT_PAGE = {
    "figure": "/figures/{}/edit/",
    "enterprise": "/enterprises/{}/edit/",
    "project": "/projects/{}/edit/",
}


def existing(world: World, register: str) -> Any:
    """The entry of our unit (econ-it) that the edit channels change: a draft figure, an
    enterprise, a project."""
    from enterprises.models import Enterprise
    from projects.models import Project
    from targets.models import Measurement

    if register == "figure":
        return Measurement.objects.get(pk=world.figures["own_draft"])
    if register == "enterprise":
        return Enterprise.objects.get(pk=world.enterprises["own"])
    return Project.objects.get(pk=world.projects["own"])


def form_outcome(response: Any) -> Outcome:
    form = (response.context or {}).get("form")
    errors = {name: " ".join(messages) for name, messages in (form.errors if form else {}).items()}
    return Outcome(response.status_code, errors, response.content.decode())


def api_outcome(response: Any) -> Outcome:
    errors: dict[str, str] = {}
    if response.status_code == 400:
        body = assert_api_error(response, 400, "invalid")
        errors = {
            (NON_FIELD if name == "non_field_errors" else name): " ".join(messages)
            for name, messages in body["errors"].items()
        }
    return Outcome(response.status_code, errors, response.content.decode())


def import_file(register: str, rows: list[dict[str, str]], name: str = "rows.csv") -> Any:
    """A CSV file whose header names the fields, one line per row."""
    header = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in header])
    return SimpleUploadedFile(name, ("\ufeff" + buffer.getvalue()).encode("utf-8"))


def import_outcome(response: Any) -> Outcome:
    report = (response.context or {}).get("report")
    errors: dict[str, str] = {}
    for error in report.errors if report else []:
        assert error.row == 3, f"only the bad row (3) has an error: {error}"
        key = NON_FIELD if error.column == "—" else error.column
        errors[key] = f"{errors.get(key, '')} {error.message}".strip()
    return Outcome(response.status_code, errors, response.content.decode())


def send(
    channel: str, register: str, field: str, value: Any, world: World, as_user: Any
) -> Outcome:
    """Send `field: value` (with otherwise valid input) through one channel as econ-it staff."""
    from tests.web import client_for

    browser = client_for(world.user("staff"))
    api = as_user("staff")
    data = {**VALID[register], field: value}
    if channel == "form new":
        return form_outcome(browser.post(NEW_PAGE[register], data))
    if channel == "form edit":
        entry = existing(world, register)
        url = EDIT_PAGE[register].format(entry.pk)
        return form_outcome(browser.post(url, {**data, "version": entry.version}))
    if channel == "api new":
        body = {**data, "target": OWN_TARGET} if register == "figure" else data
        return api_outcome(api.post(API_LIST[register], body, format="json"))
    if channel == "api edit":
        entry = existing(world, register)
        url = f"{API_LIST[register]}{entry.pk}/"
        return api_outcome(
            api.patch(url, {field: value}, format="json", HTTP_IF_MATCH=f'"{entry.version}"')
        )
    if channel == "import":
        good = {**VALID[register], next(iter(VALID[register])): f"导入的好{register}"}
        upload = import_file(register, [good, data])
        return import_outcome(browser.post(f"/{register}s/import/", {"file": upload}))
    raise AssertionError(channel)


FORMS = ("form new", "form edit")
API = ("api new", "api edit")
ALL = (*FORMS, *API)
REGISTER = (*ALL, "import")
VALID_CODE = credit_code(424242)

# (register, field, value, a fragment of the message, channels)
FIELD_CASES: list[tuple[str, str, Any, str, tuple[str, ...]]] = [
    # negative and non-numeric values
    ("figure", "value", "-5", "不能为负数", ALL),
    ("figure", "value", "很多", "", ALL),
    ("figure", "value", "NaN", "", ALL),
    ("figure", "value", "Infinity", "", ALL),
    ("figure", "value", "1e400", "", ALL),
    ("figure", "value", "", "", ALL),
    ("figure", "value", True, "", API),
    ("figure", "value", [1200], "", API),
    ("project", "planned_investment", "-1", "0", REGISTER),
    ("project", "completed_investment", "-0.01", "0", REGISTER),
    ("project", "planned_investment", "十万", "", REGISTER),
    ("project", "planned_investment", "1e20", "", REGISTER),
    # dates out of range, or not dates at all
    ("figure", "observed_on", "1900-01-01", "1978-01-01", ALL),
    ("figure", "observed_on", "2101-01-01", "2100-12-31", ALL),
    ("figure", "observed_on", "2099-12-31", "未来", ALL),
    ("figure", "observed_on", "2021-02-30", "", ALL),
    ("figure", "observed_on", "99999-01-01", "", ALL),
    ("figure", "observed_on", 20210630, "", API),
    ("enterprise", "recognised_on", "1800-01-01", "1978-01-01", REGISTER),
    ("enterprise", "recognised_on", "2999-12-31", "2100-12-31", REGISTER),
    ("project", "start_date", "0001-01-01", "1978-01-01", REGISTER),
    ("project", "start_date", "2200-01-01", "2100-12-31", REGISTER),
    # unknown enum values
    ("enterprise", "city", "shanghai", "shanghai", REGISTER),
    ("enterprise", "city", "<script>alert(1)</script>", "", REGISTER),
    ("enterprise", "tier", "diamond", "diamond", REGISTER),
    ("enterprise", "sector", "rockets", "rockets", REGISTER),
    ("enterprise", "status", "dormant", "dormant", REGISTER),
    ("project", "kind", "rocket", "rocket", REGISTER),
    ("project", "level", "galactic", "galactic", REGISTER),
    ("project", "status", "finished", "finished", REGISTER),
    # invalid unified social credit codes
    ("enterprise", "credit_code", "91330100ABC", "应为 18 位", REGISTER),
    ("enterprise", "credit_code", VALID_CODE[:17], "应为 18 位", REGISTER),
    ("enterprise", "credit_code", VALID_CODE + "0", "18", REGISTER),
    (
        "enterprise",
        "credit_code",
        VALID_CODE[:17] + ("1" if VALID_CODE[17] != "1" else "2"),
        "校验码错误",
        REGISTER,
    ),
    ("enterprise", "credit_code", "91330100MA2IOZSV0X", "不得包含", REGISTER),
    ("enterprise", "credit_code", "91ABCDEF0000000000", "行政区划码", REGISTER),
    ("enterprise", "credit_code", "' OR '1'='1' -- abcd", "18", REGISTER),
    ("enterprise", "credit_code", 913301000000000000, "", API),
    # required and too long
    ("enterprise", "name_zh", "", "", REGISTER),
    ("enterprise", "name_zh", "名" * 201, "200", REGISTER),
    ("project", "name_zh", "名" * 301, "300", REGISTER),
    # one limit for the forms and the API (targets.models.FIGURE_TEXT_MAX_LENGTH)
    ("figure", "note", "说" * 4001, "4000", ALL),
]


@pytest.mark.parametrize(
    ("channel", "register", "field", "value", "fragment"),
    [
        pytest.param(
            channel,
            register,
            field,
            value,
            fragment,
            id=f"{register}.{field}={value!r:.30} {channel}",
        )
        for register, field, value, fragment, channels in FIELD_CASES
        for channel in channels
    ],
)
def test_a_bad_value_names_the_field_and_the_reason_and_changes_nothing(
    channel: str,
    register: str,
    field: str,
    value: Any,
    fragment: str,
    world: World,
    as_user: Any,
    unchanged: Any,
) -> None:
    with unchanged():
        outcome = send(channel, register, field, value, world, as_user)
    assert outcome.status == 400, (outcome.status, outcome.page[:500])
    # Exactly the field that is wrong, with its reason: the rest of the input was valid.
    assert set(outcome.errors) == {field}, outcome.errors
    assert outcome.errors[field].strip(), outcome.errors
    assert fragment in outcome.errors[field], outcome.errors
    if channel.startswith("form"):
        assert NOTHING_SAVED in outcome.page
        assert f'href="#id_{field}"' in outcome.page  # the summary links to the field
    if channel == "import":
        assert NOTHING_IMPORTED in outcome.page
    if not channel.startswith("api") and isinstance(value, str) and escape(value) != value:
        assert value not in outcome.page  # input echoed on a page is escaped too


# --- evidence files -------------------------------------------------------------------------------

BAD_EVIDENCE = [
    pytest.param("big.pdf", PDF + b"0" * (TEN_MB + 300_000), "10.3", id="10.3 MB pdf"),
    pytest.param("virus.pdf", b"MZ\x90\x00\x03" + b"\x00" * 60, "内容不是 PDF", id="exe as pdf"),
    pytest.param("page.html", b"<html><script>alert(1)</script></html>", "格式", id="html"),
    pytest.param(
        "image.svg",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        "格式",
        id="svg",
    ),
    pytest.param("photo.jpg", PNG, "内容不是 JPG", id="png as jpg"),
    pytest.param("letter.docx", zip_of({"a.txt": "x"}), "内容不是 DOCX", id="zip as docx"),
    pytest.param("report.pdf.exe", PDF, "格式", id="double extension"),
    pytest.param("report", PDF, "格式", id="no extension"),
    pytest.param("empty.pdf", b"", "空文件", id="empty"),
]


@pytest.mark.parametrize("page", ["report", "edit"])
@pytest.mark.parametrize(("name", "content", "reason"), BAD_EVIDENCE)
def test_bad_evidence_is_refused_and_no_file_is_stored(
    page: str, name: str, content: bytes, reason: str, world: World, browser: Any, unchanged: Any
) -> None:
    figure = existing(world, "figure")
    url = (
        f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/"
        if page == "report"
        else f"/figures/{figure.pk}/edit/"
    )
    data = {
        **VALID["figure"],
        "version": figure.version,
        "evidence": SimpleUploadedFile(name, content),
    }
    with unchanged():
        outcome = form_outcome(browser("staff").post(url, data))
    assert outcome.status == 400
    assert set(outcome.errors) == {"evidence"}, outcome.errors
    assert reason in outcome.errors["evidence"], outcome.errors
    assert NOTHING_SAVED in outcome.page


@pytest.mark.parametrize(
    ("page", "changes", "status"),
    [
        ("report", {"observed_on": "2099-12-31"}, 400),  # refused by the service, not the form
        ("edit", {"observed_on": "2099-12-31"}, 400),
        ("report", {"value": "-1"}, 400),
        ("edit", {"value": "-1"}, 400),
        ("edit", {"version": 1}, 409),  # someone changed the draft in the meantime
    ],
)
def test_a_good_evidence_file_is_not_stored_when_the_figure_is_refused(
    page: str,
    changes: dict[str, Any],
    status: int,
    world: World,
    browser: Any,
    unchanged: Any,
) -> None:
    from targets import services

    figure = existing(world, "figure")
    if "version" in changes:
        figure = services.update_measurement(figure, acting_user=world.user("staff"), note="改")
    url = (
        f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/"
        if page == "report"
        else f"/figures/{figure.pk}/edit/"
    )
    data = {
        **VALID["figure"],
        "version": figure.version,
        **changes,
        "evidence": SimpleUploadedFile("good.pdf", PDF),
    }
    with unchanged():
        response = browser("staff").post(url, data)
    assert response.status_code == status


def test_the_api_takes_no_files(world: World, as_user: Any, unchanged: Any) -> None:
    body = {**VALID["figure"], "target": OWN_TARGET, "evidence": SimpleUploadedFile("a.pdf", PDF)}
    with unchanged():
        response = as_user("staff").post(API_LIST["figure"], body, format="multipart")
    assert_api_error(response, 415, "unsupported_media_type")


@pytest.mark.parametrize(
    "name", ["../../../../../tmp/escape.pdf", '"><img src=x onerror=alert(1)>.pdf', "a\x00b.pdf"]
)
def test_an_evidence_file_name_cannot_escape_the_media_folder_or_the_page(
    name: str, world: World, browser: Any, media: Path
) -> None:
    from targets.models import Measurement

    client = browser("staff")
    data = {**VALID["figure"], "evidence": SimpleUploadedFile(name, PDF)}
    response = client.post(f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/", data)
    assert response.status_code == 302
    figure = Measurement.objects.latest("pk")
    stored = Path(figure.evidence.path).resolve()
    assert media.resolve() in stored.parents
    assert [p.resolve() for p in media.rglob("*") if p.is_file()] == [stored]
    assert stored.read_bytes() == PDF
    page = client.get(f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/").content.decode()
    # The name is kept as uploaded, less the characters no file name holds (quotes, angle
    # brackets, slashes): plain text, never markup.
    assert "<img src=x" not in page and "&lt;img" not in page and "&quot;&gt;" not in page
    assert (
        figure.evidence_name
        == {
            "../../../../../tmp/escape.pdf": "escape.pdf",
            '"><img src=x onerror=alert(1)>.pdf': "img src=x onerror=alert(1).pdf",
            "a\x00b.pdf": "ab.pdf",
        }[name]
    )
    download = client.get(f"/figures/{figure.pk}/evidence/")
    assert download.status_code == 200
    assert '"' not in download["Content-Disposition"].split("filename=")[1].strip('"')
    assert "/" not in download["Content-Disposition"].split("filename=")[1]


# --- imports --------------------------------------------------------------------------------------

GOOD_ROWS = {
    "enterprise": "name_zh,city\n好企业,杭州\n",
    "project": (
        "name_zh,kind,level,status,city,start_date\n好项目,智能工厂,省级,在建,杭州,2021-01-01\n"
    ),
}


def xlsx_with_formula(register: str) -> bytes:
    book = Workbook()
    sheet = book.active
    header, row = (line.split(",") for line in GOOD_ROWS[register].splitlines())
    sheet.append(header)
    sheet.append(row)
    sheet.append(['=HYPERLINK("http://evil.example/","点击")', *row[1:]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def junk_text(size: int) -> bytes:
    return (b"abcdefghij" * (size // 10 + 1))[:size]


BAD_FILES: list[Any] = [
    pytest.param(
        "rows.csv",
        lambda r: GOOD_ROWS[r].encode("utf-16"),
        "既不是 UTF-8 也不是 GB18030",
        id="utf-16",
    ),
    pytest.param(
        "rows.csv",
        lambda r: GOOD_ROWS[r].encode() + "Café,x\n".encode("latin-1"),
        "既不是 UTF-8 也不是 GB18030",
        id="latin-1 after utf-8",
    ),
    pytest.param(
        "rows.csv",
        lambda r: "\n".join(GOOD_ROWS[r].splitlines()[1:]).encode(),
        "缺少该列",
        id="no header",
    ),
    pytest.param(
        "rows.csv",
        lambda r: GOOD_ROWS[r].replace("city", "town").encode(),
        "缺少该列",
        id="missing column",
    ),
    pytest.param("rows.xlsx", xlsx_with_formula, "公式", id="xlsx formula"),
    pytest.param("rows.csv", lambda r: junk_text(TEN_MB), "文件过大", id="10 MB of text"),
    pytest.param(
        "rows.xlsx", lambda r: bytes(range(256)) * (TEN_MB // 256), "文件过大", id="10 MB of bytes"
    ),
    pytest.param("rows.csv", lambda r: junk_text(1_000_000), "单元格过长", id="1 MB in one cell"),
    pytest.param(
        "rows.csv",
        lambda r: GOOD_ROWS[r].encode() + b"x" * 9000 + b"\x00\n",
        "既不是 UTF-8 也不是 GB18030",
        id="NUL after 8 KB",
    ),
    pytest.param(
        "rows.xlsx",
        lambda r: zip_of({"[Content_Types].xml": "<", "xl/workbook.xml": "<"}),
        "无法读取",
        id="broken xlsx",
    ),
    pytest.param("rows.csv", lambda r: b"", "空文件", id="empty"),
    pytest.param(
        "rows.csv",
        lambda r: GOOD_ROWS[r].replace("city", "<script>alert(1)</script>").encode(),
        "未知的列",
        id="script as a column name",
    ),
    pytest.param(
        "rows.csv",
        lambda r: (GOOD_ROWS[r].splitlines()[0] + "\n" + "x,杭州\n" * 5001).encode(),
        "行数过多",
        id="5001 rows",
    ),
]


@pytest.mark.parametrize("register", ["enterprise", "project"])
@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES)
def test_a_malformed_import_file_is_refused_with_its_reason(
    register: str,
    name: str,
    content: Callable[[str], bytes],
    reason: str,
    world: World,
    browser: Any,
    unchanged: Any,
) -> None:
    upload = SimpleUploadedFile(name, content(register))
    with unchanged():
        response = browser("staff").post(f"/{register}s/import/", {"file": upload})
    assert response.status_code == 400, response.status_code
    html = response.content.decode()
    assert NOTHING_IMPORTED in html or NOTHING_SAVED in html
    assert reason in html
    assert "<script>alert(1)</script>" not in html


def test_good_rows_import_where_bad_files_did_not(world: World, browser: Any) -> None:
    """The files above fail for what is wrong in them, not for their good rows."""
    from enterprises.models import Enterprise
    from projects.models import Project

    client = browser("staff")
    for register in ("enterprise", "project"):
        upload = SimpleUploadedFile("rows.csv", GOOD_ROWS[register].encode())
        assert client.post(f"/{register}s/import/", {"file": upload}).status_code == 302
    assert Enterprise.objects.filter(name_zh="好企业").exists()
    assert Project.objects.filter(name_zh="好项目").exists()


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_a_utf8_file_is_text_wherever_its_first_8_kb_end(
    shift: int, world: World, browser: Any
) -> None:
    """Files are recognised by their first 8 KB; a Chinese text cut there in the middle of a
    character is still text (as evidence and as an import)."""
    from enterprises.models import Enterprise
    from targets.models import Measurement

    rows = "".join(f"{'a' * shift if i == 0 else ''}{'浙' * 190},杭州\n" for i in range(16))
    text = ("name_zh,city\n" + rows).encode()
    assert len(text) > 8192
    client = browser("staff")
    data = {**VALID["figure"], "evidence": SimpleUploadedFile("table.csv", text)}
    response = client.post(f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/report/", data)
    assert response.status_code == 302, form_outcome(response).errors
    assert Measurement.objects.latest("pk").evidence
    # The sixteen rows share a name and a city on purpose: they are let in as likely duplicates.
    imported = client.post(
        "/enterprises/import/",
        {"file": SimpleUploadedFile("e.csv", text), "allow_duplicates": "on"},
    )
    assert imported.status_code == 302, import_outcome(imported).errors
    assert Enterprise.objects.filter(name_zh__contains="浙" * 190).count() == 16


# --- bodies: deeply nested, huge ------------------------------------------------------------------


def url_template(path: str) -> str:
    return "/api/v1/" + path.replace("{own_draft}", "{id}")


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    return opening * depth + closing * depth


JSON_BODIES = [
    pytest.param(nested(100_000), 400, "parse_error", id="100,000 nested arrays"),
    pytest.param(nested(100_000, '{"a":', "}"), 400, "parse_error", id="100,000 nested objects"),
    pytest.param(
        '{"target": "robots-in-service", "value": "1", "observed_on": "2021-09-30", "note": '
        + nested(50)
        + "}",
        400,
        "invalid",
        id="a note of 50 nested arrays",
    ),
    pytest.param(
        '{"target": "robots-in-service", "value": "1", "observed_on": "2021-09-30", "note": "'
        + "x" * 1_500_000
        + '"}',
        400,
        "invalid",
        id="1.5 MB note",
    ),
    pytest.param(
        '{"target": "robots-in-service", "value": "1", "observed_on": "2021-09-30", "note": "'
        + "x" * 3_000_000
        + '"}',
        413,
        "request_too_large",
        id="3 MB body",
    ),
    pytest.param("[" + "1," * 1_500_000 + "1]", 413, "request_too_large", id="3 MB array"),
]


@pytest.mark.parametrize(("body", "status", "code"), JSON_BODIES)
@pytest.mark.parametrize("path", ["measurements/", "measurements/{own_draft}/", "tokens/"])
def test_deeply_nested_or_huge_json_bodies_are_refused(
    path: str, body: str, status: int, code: str, world: World, as_user: Any, unchanged: Any
) -> None:
    url = "/api/v1/" + path.format(own_draft=world.figures["own_draft"])
    method = "PATCH" if "{" in path else "POST"
    version = existing(world, "figure").version
    # The schema-checking client reads the request body again to check it, which Django
    # refuses past the limit: the 413s are checked against the schema here instead.
    client = as_user("staff") if status != 413 else APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {world.keys['staff']}")
    with unchanged():
        response = client.generic(
            method, url, body, content_type="application/json", HTTP_IF_MATCH=f'"{version}"'
        )
    assert_api_error(response, status, code)
    if status == 413:
        documented = schema_dict()["paths"][url_template(path)][method.lower()]["responses"]
        assert "413" in documented
        jsonschema.validate(response.json(), schema_dict()["components"]["schemas"]["Error"])


@pytest.mark.parametrize("page", ["report", "enterprise"])
def test_a_form_body_over_the_limit_is_refused(
    page: str, world: World, browser: Any, unchanged: Any
) -> None:
    url = NEW_PAGE["figure" if page == "report" else "enterprise"]
    data = {**VALID["figure" if page == "report" else "enterprise"], "note": "x" * 3_000_000}
    with unchanged():
        response = browser("staff").post(url, data)
    assert response.status_code == 400
    page_text = response.content.decode()
    # Our page, in the reader's language, saying that nothing was kept.
    assert "请求被拒绝" in page_text and "未做任何更改" in page_text


# --- injection strings: stored verbatim, shown escaped, returned verbatim, defused in exports -----


def auditor_history(world: World, kind: str, pk: int) -> str:
    from tests.web import client_for

    response = client_for(world.user("auditor")).get(f"/reports/history/{kind}/{pk}/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("channel", ["form", "api"])
def test_injection_in_a_figure_note_is_kept_verbatim_and_shown_escaped(
    channel: str, world: World, browser: Any, as_user: Any
) -> None:
    from targets import services
    from targets.models import Measurement

    staff, api = browser("staff"), as_user("staff")
    ids = []
    for text in INJECTIONS:
        if channel == "form":
            response = staff.post(NEW_PAGE["figure"], {**VALID["figure"], "note": text})
            assert response.status_code == 302, form_outcome(response).errors
            ids.append(Measurement.objects.latest("pk").pk)
        else:
            body = {**VALID["figure"], "target": OWN_TARGET, "note": text}
            response = api.post(API_LIST["figure"], body, format="json")
            assert response.status_code == 201
            assert response.json()["note"] == text
            ids.append(response.json()["id"])
    target_page = staff.get(f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/").content.decode()
    for pk, text in zip(ids, INJECTIONS, strict=True):
        figure = Measurement.objects.get(pk=pk)
        assert figure.note == text
        assert api.get(f"/api/v1/measurements/{pk}/").json()["note"] == text
        assert_shown_escaped(target_page, text, "target page")
        assert_shown_escaped(staff.get(f"/figures/{pk}/edit/").content.decode(), text, "edit")
        services.submit_measurement(figure, acting_user=world.user("staff"))
        review = browser("reviewer").get(f"/figures/{pk}/review/").content.decode()
        assert_shown_escaped(review, text, "review page")
        assert_shown_escaped(auditor_history(world, "measurement", pk), text, "history page")
    assert Measurement.objects.count() > len(INJECTIONS)  # the table is still there


@pytest.mark.parametrize("channel", ["form", "api"])
def test_injection_in_review_comments_and_reasons_is_kept_verbatim_and_shown_escaped(
    channel: str, world: World, browser: Any, as_user: Any
) -> None:
    from targets import services
    from targets.models import Measurement, Target

    staff_user, reviewer_user = world.user("staff"), world.user("reviewer")
    target = Target.objects.get(code=OWN_TARGET)

    def submitted(value: str) -> Measurement:
        draft = services.create_measurement(
            target=target, value=value, observed_on="2021-09-30", acting_user=staff_user
        )
        return services.submit_measurement(draft, acting_user=staff_user)

    rejected, withdrawn = [], []
    for i, text in enumerate(INJECTIONS):
        to_reject = submitted(str(2000 + i))
        to_withdraw = services.approve_measurement(
            submitted(str(3000 + i)), acting_user=reviewer_user
        )
        if channel == "form":
            reviewer = browser("reviewer")
            response = reviewer.post(
                f"/figures/{to_reject.pk}/review/",
                {"reject": "1", "comment": text, "version": to_reject.version},
            )
            assert response.status_code == 302
            response = reviewer.post(
                f"/figures/{to_withdraw.pk}/withdraw/",
                {"reason": text, "version": to_withdraw.version},
            )
            assert response.status_code == 302
        else:
            api = as_user("reviewer")
            response = api.post(
                f"/api/v1/measurements/{to_reject.pk}/reject/",
                {"comment": text},
                format="json",
                HTTP_IF_MATCH=f'"{to_reject.version}"',
            )
            assert response.json()["review_comment"] == text
            response = api.post(
                f"/api/v1/measurements/{to_withdraw.pk}/withdraw/",
                {"reason": text},
                format="json",
                HTTP_IF_MATCH=f'"{to_withdraw.version}"',
            )
            assert response.json()["withdrawal_reason"] == text
        rejected.append(to_reject.pk)
        withdrawn.append(to_withdraw.pk)
    staff = browser("staff")
    target_page = staff.get(f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/").content.decode()
    for text, reject_pk, withdraw_pk in zip(INJECTIONS, rejected, withdrawn, strict=True):
        assert Measurement.objects.get(pk=reject_pk).review_comment == text
        assert Measurement.objects.get(pk=withdraw_pk).withdrawal_reason == text
        json = as_user("staff").get(f"/api/v1/measurements/{reject_pk}/").json()
        assert json["review_comment"] == text
        assert_shown_escaped(target_page, text, "target page")
        edit = staff.get(f"/figures/{reject_pk}/edit/").content.decode()
        assert_shown_escaped(edit, text, "edit page of the rejected figure")
        for pk in (reject_pk, withdraw_pk):
            assert_shown_escaped(auditor_history(world, "measurement", pk), text, "history")


REGISTER_TEXT_FIELDS = {
    "enterprise": ("name_zh", "name_en", "recognised_by"),
    "project": ("name_zh", "name_en"),
}


@pytest.mark.parametrize("channel", ["form", "api", "import"])
@pytest.mark.parametrize("register", ["enterprise", "project"])
def test_injection_in_register_entries_is_kept_verbatim_and_shown_escaped(
    register: str, channel: str, world: World, browser: Any, as_user: Any
) -> None:
    from enterprises.models import Enterprise
    from projects.models import Project

    model = Enterprise if register == "enterprise" else Project
    fields = REGISTER_TEXT_FIELDS[register]
    staff, api = browser("staff"), as_user("staff")
    rows = [{**VALID[register], **dict.fromkeys(fields, text)} for text in INJECTIONS]
    if channel == "form":
        for row in rows:
            response = staff.post(NEW_PAGE[register], {**row, "reason": row[fields[0]]})
            assert response.status_code == 302, form_outcome(response).errors
    elif channel == "api":
        for row in rows:
            response = api.post(
                API_LIST[register], {**row, "reason": row[fields[0]]}, format="json"
            )
            # 202: a new project counts once confirmed (four eyes)
            assert response.status_code in (201, 202)
            assert all(response.json()[name] == row[name] for name in fields)
    else:
        response = staff.post(f"/{register}s/import/", {"file": import_file(register, rows)})
        assert response.status_code == 302, import_outcome(response).errors
    listing = staff.get(f"/{register}s/").content.decode()
    for text in INJECTIONS:
        entry = model.objects.get(**{fields[0]: text})
        assert all(getattr(entry, name) == text for name in fields)
        json = api.get(f"{API_LIST[register]}{entry.pk}/").json()
        assert all(json[name] == text for name in fields)
        assert_shown_escaped(listing, text, "list")
        for page in (f"/{register}s/{entry.pk}/", f"/{register}s/{entry.pk}/edit/"):
            assert_shown_escaped(staff.get(page).content.decode(), text, page)
        assert_shown_escaped(auditor_history(world, register, entry.pk), text, "history")


def test_exports_keep_text_verbatim_and_never_as_a_formula(
    world: World, browser: Any, tmp_path: Path
) -> None:
    """The browser's CSV exports of the lists and the report's CSV and XLSX: a text that a
    spreadsheet would run gets a leading ' in CSV and is a text cell in XLSX."""
    from enterprises.models import Enterprise
    from projects.models import Project
    from reports.exporting import export
    from targets.models import Measurement
    from targets.services import recompute_progress

    texts = [*INJECTIONS, "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1"]
    # One approved figure, enterprise and project per text, copied from the world's own.
    figure = Measurement.objects.get(pk=world.figures["own_approved"])
    enterprise = Enterprise.objects.get(pk=world.enterprises["own"])
    project = Project.objects.get(pk=world.projects["own"])
    for day, text in enumerate(texts, start=1):
        for obj, fields in (
            # Each copy a day earlier: one approved figure per target and date.
            (
                figure,
                {
                    "note": text,
                    "review_comment": text,
                    "observed_on": figure.observed_on - dt.timedelta(days=day),
                },
            ),
            (enterprise, {"name_zh": text, "name_en": text, "recognised_by": text}),
            (project, {"name_zh": text, "name_en": text}),
        ):
            obj.pk = None
            for name, value in fields.items():
                setattr(obj, name, value)
            obj.save()
    recompute_progress(None)
    client = browser("auditor")
    for url, columns in (
        ("/figures/?export=csv", 2),
        ("/enterprises/?export=csv", 1),
        ("/projects/?export=csv", 1),
    ):
        cells = [cell for row in csv_rows(client.get(url)) for cell in row]
        for text in texts:
            assert cells.count(defused(text)) >= columns, (url, text)
            if defused(text) != text:
                assert text not in cells, (url, text)
    today = timezone.localdate()
    export("csv", tmp_path / "report", as_of=today)
    for name, columns in (("measurements", 2), ("enterprises", 3), ("projects", 2)):
        with (tmp_path / "report" / f"{name}.csv").open(encoding="utf-8-sig", newline="") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        for text in texts:
            assert cells.count(defused(text)) >= columns, (name, text)
    export("xlsx", tmp_path / "report.xlsx", as_of=today)
    book = load_workbook(tmp_path / "report.xlsx")
    found: dict[str, int] = {}
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if cell.value in texts:
                    found[cell.value] = found.get(cell.value, 0) + 1
    assert found == dict.fromkeys(texts, 2 + 3 + 2), found


@pytest.mark.parametrize("text", INJECTIONS)
def test_injection_in_searches_and_filters_finds_nothing_and_breaks_nothing(
    text: str, world: World, browser: Any, as_user: Any
) -> None:
    from enterprises.models import Enterprise
    from targets.models import Measurement

    staff, api = browser("staff"), as_user("staff")
    for url in ("/enterprises/", "/projects/", "/figures/", "/targets/"):
        response = staff.get(url, {"q": text})
        assert response.status_code == 200, url
        assert text not in response.content.decode() or escape(text) == text
    for path in ("enterprises", "projects", "measurements", "targets", "tokens"):
        response = api.get(f"/api/v1/{path}/", {"search": text})
        assert response.status_code == 200, path
        assert response.json()["count"] == 0, path
    assert Measurement.objects.exists() and Enterprise.objects.exists()


def test_injection_in_a_token_name_comes_back_verbatim(world: World, as_user: Any) -> None:
    api = as_user("staff")
    for text in INJECTIONS:
        made = api.post("/api/v1/tokens/", {"name": text}, format="json")
        assert made.status_code == 201
        assert made.json()["name"] == text
        assert api.get(f"/api/v1/tokens/{made.json()['id']}/").json()["name"] == text


# --- revoking a recognition needs a reason, on every path -----------------------------------------


@pytest.mark.parametrize("channel", ["form edit", "api patch", "api put", "service"])
def test_revoking_an_enterprise_needs_a_reason_on_every_path(
    channel: str, world: World, browser: Any, as_user: Any, unchanged: Any
) -> None:
    from django.core.exceptions import ValidationError

    from audit.models import AuditEvent
    from enterprises import services

    entry = existing(world, "enterprise")
    assert (entry.status, entry.tier) == ("active", "specialised")
    current = {
        "name_zh": entry.name_zh,
        "city": entry.city,
        "sector": entry.sector,
        "tier": entry.tier,
        "recognised_on": entry.recognised_on.isoformat(),
    }
    revoke = {"status": "revoked", "revoked_on": "2022-01-31"}
    url = f"/api/v1/enterprises/{entry.pk}/"

    def attempt(reason: str) -> Outcome:
        entry.refresh_from_db()
        if channel == "form edit":
            data = {**current, **revoke, "reason": reason, "version": entry.version}
            return form_outcome(browser("staff").post(f"/enterprises/{entry.pk}/edit/", data))
        if channel == "service":
            try:
                services.update_enterprise(
                    entry, acting_user=world.user("staff"), reason=reason, **revoke
                )
            except ValidationError as exc:
                return Outcome(400, {k: " ".join(v) for k, v in exc.message_dict.items()}, "")
            return Outcome(200, {}, "")
        api = as_user("staff")
        body = {**revoke, "reason": reason}
        if channel == "api put":
            body = {**current, **body}
        method = api.put if channel == "api put" else api.patch
        return api_outcome(method(url, body, format="json", HTTP_IF_MATCH=f'"{entry.version}"'))

    for blank in ("", "   "):
        with unchanged():
            refused = attempt(blank)
        assert refused.status == 400
        assert set(refused.errors) == {"reason"}, refused.errors
        assert refused.errors["reason"] in (
            "撤销认定须说明理由。",
            "Revoking a recognition needs a reason.",
        )
    done = attempt("省经信厅撤销认定文件")
    assert done.status in (200, 202, 302), done.errors
    # A revocation moves a target: it is written once the unit's reviewer confirms it, and
    # the entry's event names the proposer and the reason given.
    entry.refresh_from_db()
    assert entry.status == "active"
    entry = services.confirm_enterprise_change(entry, acting_user=world.user("reviewer"))
    assert entry.status == "revoked"
    event = AuditEvent.objects.filter(
        object_type="enterprises.enterprise", object_id=str(entry.pk)
    ).latest("seq")
    assert "省经信厅撤销认定文件" in event.reason and "staff" in event.reason
    # Once revoked, other changes need no reason: only the revocation itself does.
    services.update_enterprise(entry, acting_user=world.user("staff"), name_en="Renamed")


# --- query strings of the browser's lists ---------------------------------------------------------

HUGE = "9" * 20


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/enterprises/?recognised_year=99999999999", "recognised_year"),
        ("/enterprises/?recognised_year=2020.5", "recognised_year"),
        ("/projects/?year=-99999999999", "year"),
        ("/projects/?year=" + HUGE, "year"),
        ("/enterprises/?city=atlantis", "city"),
        ("/enterprises/?tier=<script>alert(1)</script>", "tier"),
        ("/projects/?kind=rocket", "kind"),
        ("/figures/?observed_after=2021-02-30", "observed_after"),
        ("/targets/?deadline_before=99999-01-01", "deadline_before"),
    ],
)
def test_a_bad_filter_in_the_browser_is_named_on_the_page(
    url: str, field: str, world: World, browser: Any
) -> None:
    response = browser("staff").get(url)
    assert response.status_code == 200
    assert field in response.context["filterset"].form.errors
    html = response.content.decode()
    assert 'class="error" role="alert"' in html
    assert "<script>alert(1)</script>" not in html


@pytest.mark.parametrize(
    "url",
    [
        "/enterprises/?page=" + HUGE,
        "/figures/?page=" + HUGE,
        "/projects/?page=-" + HUGE,
        f"/plans/zj-ai-2019-2022/targets/{OWN_TARGET}/?page={HUGE}&history_page={HUGE}",
        "/enterprises/{enterprise}/?history_page=" + HUGE,
        "/enterprises/?page=" + "9" * 5000,
    ],
)
def test_a_page_number_out_of_range_is_an_empty_page(url: str, world: World, browser: Any) -> None:
    response = browser("staff").get(url.format(enterprise=world.enterprises["own"]))
    assert response.status_code == 200
