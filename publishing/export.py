"""The static export of a plan's public pages (docs/open-data.md, "Static export"): every page
of every live edition in both languages, the portfolio (this plan only), each edition's data
files and the static assets, written under one directory with relative links only, so that any
web server, a CDN or a browser opening the files from disk serves it as it is."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from django.contrib.staticfiles import finders

from . import opendata, selectors, site
from .models import Publication

# Written at the top of an export: a directory holding it may be emptied and written again.
MARKER = ".zjai-public-export"


class ExportError(Exception):
    """The export cannot be written: the message says why, in one line."""


@dataclass
class Written:
    pages: int = 0
    files: int = 0


def _prepare(output: Path) -> None:
    if output.exists() and not output.is_dir():
        raise ExportError(f"{output} is a file, not a directory.")
    if output.is_dir() and any(output.iterdir()):
        if not (output / MARKER).is_file():
            raise ExportError(
                f"{output} is not empty and holds no earlier export: choose an empty directory."
            )
        # An earlier export: written again from nothing, so a withdrawn edition leaves with it.
        for child in output.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    output.mkdir(parents=True, exist_ok=True)


def _write(output: Path, relative: str, data: bytes) -> None:
    path = output / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def export_plan(plan_code: str, output: Path) -> Written:
    editions = selectors.editions_of(plan_code)
    if not editions:
        raise ExportError(f"No live publication of a plan with the code {plan_code!r}.")
    _prepare(output)
    written = Written()
    # editions_of leaves the content out: the pages need it.
    publications = list(
        Publication.objects.filter(pk__in=[p.pk for p in editions])
        .select_related("plan")
        .order_by("-number")
    )
    current = publications[0]

    def page(relative: str, html: str) -> None:
        _write(output, relative + "index.html", html.encode("utf-8"))
        written.pages += 1

    for language in site.LANGUAGES:
        prefix = site.language_prefix(language)
        page(
            prefix,
            site.render_portfolio(
                [current], language=language, links=site.Links(language, "", static=True)
            ),
        )
        editions_here = f"{plan_code}/editions/"
        page(
            prefix + editions_here,
            site.render(
                current,
                site.Page("editions"),
                language=language,
                links=site.Links(language, editions_here, site.edition_base(plan_code, None), True),
                editions=publications,
            ),
        )
        for publication in publications:
            bases = [site.edition_base(plan_code, publication.number)]
            if publication is current:
                bases.append(site.edition_base(plan_code, None))
            for base in bases:
                for shown in site.pages_of(publication):
                    here = base + shown.path()
                    links = site.Links(language, here, base, static=True)
                    page(
                        prefix + here,
                        site.render(publication, shown, language=language, links=links),
                    )
    for publication in publications:
        bases = [site.edition_base(plan_code, publication.number)]
        if publication is current:
            bases.append(site.edition_base(plan_code, None))
        files = opendata.data_files(publication)
        for base in bases:
            for name, data in files.items():
                _write(output, base + name, data)
                written.files += 1
    for name in site.ASSETS:
        found = finders.find(name)
        if not found:
            raise ExportError(f"The static file {name} is missing: run from the project's root.")
        _write(
            output,
            "static/" + name,
            Path(found if isinstance(found, str) else found[0]).read_bytes(),
        )
        written.files += 1
    (output / MARKER).write_text(f"{plan_code}\n", encoding="utf-8")
    return written
