"""The open data downloads (docs/open-data.md, "The downloads"): each file of
`opendata.data_files`, for
anyone, at a stable address.

- /public/<plan>/data/<path>: the plan's current (newest live) publication's file;
- /public/<plan>/editions/<n>/data/<path>: publication n's, for as long as it is not withdrawn.

A path that is not one of the publication's files, an unknown plan or edition, or a withdrawn
one is 404. The publication is read without its content: the files are made once per process
(opendata's cache), and a 304 (publishing.http.public) reads nothing but the ETag's state.
"""

from __future__ import annotations

import posixpath

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from . import opendata
from .http import public
from .models import Publication

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
}


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(posixpath.splitext(path)[1], "application/octet-stream")


def download_name(publication: Publication, path: str) -> str:
    """The file's name when saved: the plan, the edition and the file's own name."""
    return f"{publication.plan.code}-{publication.number}-{posixpath.basename(path)}"


def file_response(publication: Publication | None, path: str) -> HttpResponse:
    if publication is None:
        raise Http404(_("No such publication."))
    key = f"data/{path}"
    files = opendata.data_files(publication)
    if key not in files:
        raise Http404(_("No such file."))
    response = HttpResponse(files[key], content_type=content_type(key))
    response["Content-Disposition"] = f'inline; filename="{download_name(publication, key)}"'
    return response


def _live(plan: str):
    return (
        Publication.objects.live()
        .filter(plan__code=plan)
        .select_related("plan")
        .defer("content")
        .order_by("-number")
    )


@public
def current_file(request: HttpRequest, plan: str, path: str) -> HttpResponse:
    return file_response(_live(plan).first(), path)


@public
def edition_file(request: HttpRequest, plan: str, number: int, path: str) -> HttpResponse:
    return file_response(_live(plan).filter(number=number).first(), path)
