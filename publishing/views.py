"""The public pages on the server (docs/open-data.md, "The public pages"): each view finds the
publication the address names and has publishing.site render it. Open to anyone, throttled,
cached by ETag (publishing.http.public); an unknown plan, edition, item, target or unit, or a
withdrawn edition, is the public 404 page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from . import selectors, site
from .http import public
from .models import Publication


def _not_found(language: str, here: str) -> HttpResponse:
    return HttpResponseNotFound(
        site.render_not_found(language=language, links=site.Links(language, here))
    )


def _edition(plan: str, number: int | None) -> Publication | None:
    if number is None:
        return selectors.current_publication(plan)
    return selectors.publication(plan, number)


@public
def portfolio(request: HttpRequest, language: str = "zh-hans") -> HttpResponse:
    html = site.render_portfolio(
        selectors.current_publications(), language=language, links=site.Links(language, "")
    )
    return HttpResponse(html)


@public
def editions(request: HttpRequest, plan: str, language: str = "zh-hans") -> HttpResponse:
    here = f"{plan}/editions/"
    current = selectors.current_publication(plan)
    if current is None:
        return _not_found(language, here)
    html = site.render(
        current,
        site.Page("editions"),
        language=language,
        links=site.Links(language, here, base=site.edition_base(plan, None)),
        editions=selectors.editions_of(plan),
    )
    return HttpResponse(html)


@public
def page(
    request: HttpRequest,
    plan: str,
    kind: str,
    key: str = "",
    number: int | None = None,
    language: str = "zh-hans",
) -> HttpResponse:
    """A page of an edition: the current one, or edition `number`."""
    base = site.edition_base(plan, number)
    shown = site.Page(kind, key)
    here = base + shown.path()
    publication = _edition(plan, number)
    if publication is None or not site.exists(publication, shown):
        return _not_found(language, here)
    published: set[str] = set()
    if kind == "plan":
        related = publication.content["plan"].get("continues", []) + publication.content[
            "plan"
        ].get("continued_by", [])
        if related:
            published = set(
                Publication.objects.live()
                .filter(plan__code__in=related)
                .values_list("plan__code", flat=True)
            )
    html = site.render(
        publication,
        shown,
        language=language,
        links=site.Links(language, here, base=base),
        published=published,
    )
    return HttpResponse(html)
