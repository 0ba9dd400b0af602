"""export_site: the static site opened from disk in Chromium, every link followed."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from publishing import services
from tests.browser.conftest import screenshot
from tests.publishing.conftest import (  # noqa: F401  (fixtures)
    DRAFT_VALUE,
    PENDING_VALUE,
    REVIEW_COMMENT,
    people,
    publication,
    secrets,
    world,
)

# What a page refers to: links, stylesheets and icons, images, scripts.
REFERENCES = """() => [
  ...[...document.querySelectorAll("a[href]")].map(e => e.href),
  ...[...document.querySelectorAll("link[href]")].map(e => e.href),
  ...[...document.querySelectorAll("img[src], script[src]")].map(e => e.src),
]"""


def export(plan_code: str, output: Path) -> str:
    from io import StringIO

    out = StringIO()
    call_command("export_site", plan=plan_code, output=str(output), stdout=out)
    return out.getvalue()


@pytest.mark.slow
def test_the_export_is_browsable_from_disk_with_no_broken_link(
    publication,  # noqa: F811  (the imported fixture)
    plan,
    tmp_path,
    new_page,
):
    services.publish(plan=plan, as_of=dt.date(2021, 3, 31), acting_user=publication.published_by)
    site = tmp_path / "site"
    summary = export(plan.code, site)
    assert summary.startswith("Exported ") and str(site) in summary
    root = site.resolve()
    page = new_page()
    start = (root / "index.html").as_uri()
    queue, seen, broken, outside = [start], {start}, [], set()
    licence = settings.PUBLIC_LICENSE["path"]
    while queue:
        url = queue.pop(0)
        path = Path(unquote(urlparse(url).path))
        if not path.is_file():
            broken.append(url)
            continue
        if path.suffix != ".html":
            continue
        page.goto(url)
        html = page.content()
        for secret in (DRAFT_VALUE, PENDING_VALUE, REVIEW_COMMENT):
            assert secret not in html, (url, secret)
        for reference in page.evaluate(REFERENCES):
            reference = urldefrag(reference).url
            if not reference.startswith("file://"):
                outside.add(reference)
                continue
            target = Path(unquote(urlparse(reference).path))
            assert target.is_relative_to(root), (url, reference)
            if reference not in seen:
                seen.add(reference)
                queue.append(reference)
    assert not broken
    assert outside == {licence}
    visited = {Path(unquote(urlparse(u).path)).relative_to(root).as_posix() for u in seen}
    code = plan.code
    # Both languages, both editions, the data files and the assets were reached.
    for expected in [
        "index.html",
        "en/index.html",
        f"{code}/index.html",
        f"en/{code}/targets/robots-in-service/index.html",
        f"{code}/editions/2/index.html",
        f"en/{code}/editions/1/data/index.html",
        f"{code}/data/targets.csv",
        f"{code}/editions/1/data/targets.json",
        "static/css/zjai.css",
    ]:
        assert expected in visited, expected
    # Each page's file stands where its address says.
    page.goto((root / "en" / code / "index.html").as_uri())
    assert page.locator("h1").inner_text() == publication.content["plan"]["title_en"]
    for language, prefix in (("zh", ""), ("en", "en/")):
        page.goto((root / f"{prefix}{code}/index.html").as_uri())
        screenshot(page, f"public-plan-{language}.png")
        page.goto((root / f"{prefix}{code}/targets/robots-in-service/index.html").as_uri())
        screenshot(page, f"public-target-{language}.png")


def test_an_earlier_export_is_written_again_and_any_other_directory_refused(
    publication,  # noqa: F811  (the imported fixture)
    plan,
    tmp_path,
):
    site = tmp_path / "site"
    export(plan.code, site)
    (site / "stale.html").write_text("old")
    export(plan.code, site)
    assert not (site / "stale.html").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(CommandError, match="not empty") as error:
        export(plan.code, other)
    assert "\n" not in str(error.value)
    assert (other / "notes.txt").read_text() == "mine"


def test_an_unknown_or_unpublished_plan_is_one_line_and_a_non_zero_exit(plan, tmp_path):
    for code in ("no-such-plan", plan.code):
        with pytest.raises(CommandError) as error:
            export(code, tmp_path / "site")
        assert "\n" not in str(error.value) and code in str(error.value)
    assert not (tmp_path / "site").exists()
