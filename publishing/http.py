"""What every public answer shares (docs/open-data.md, "Serving the public"): no sign-in, a
rate per client address, and caching a CDN or nginx can use.

- `Cache-Control: public, max-age=PUBLIC_CACHE_SECONDS` and an `ETag` tied to the state of the
  publications (every publication's number and version: a new publication or a withdrawal
  changes it) and to the address asked for. A request whose If-None-Match names it gets 304
  without the page being made. One query per request, whatever the number of visitors.
- At most PUBLIC_RATE requests per client address (zjai.clientip) per window, counted like the
  API's throttles (zjai.api.throttles: a fixed window in the shared cache, per process while it
  is down); past it, 429 with Retry-After.
- A page or download once made is kept in the cache (CACHE_URL: Redis shared by the workers,
  else each process's memory) under its ETag for PUBLIC_ANSWER_SECONDS, so a visitor mostly
  costs the ETag's query and a cache read, not a page made again. Nothing kept is needed: a
  cache that is down or has dropped it only means the page is made again.
- The answer never reads the session or the signed-in user, so it varies by no cookie: the
  pages are made from the publication alone (publishing.site).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import gettext as _

from zjai.api.throttles import over_rate, parse_rate
from zjai.clientip import client_address

from .models import Publication


def state_token() -> str:
    """Changes whenever a publication is made or withdrawn."""
    state = Publication.objects.aggregate(
        n=Count("pk"),
        top=Max("pk"),
        versions=Sum("version"),
        published=Max("published_at"),
        withdrawn=Max("withdrawn_at"),
    )
    # The instants too: a database restored from a backup may number a new publication as an
    # old one was, never at the same instant.
    return "|".join(str(state[key]) for key in sorted(state))


def etag_for(request: HttpRequest) -> str:
    key = f"{state_token()}|{request.path}|{request.META.get('QUERY_STRING', '')}"
    return quote_etag(hashlib.sha256(key.encode()).hexdigest()[:32])


def throttled(request: HttpRequest) -> float | None:
    """Seconds to wait when this address is past its rate, else None."""
    rate = parse_rate(settings.PUBLIC_RATE)
    if rate is None:
        return None
    return over_rate(f"public:{client_address(request) or 'unknown'}", rate)


# The headers of a page or download kept with its body.
KEPT_HEADERS = ("Content-Type", "Content-Disposition")


def _kept(etag: str) -> HttpResponse | None:
    """The answer made before for this ETag, if the cache still holds it."""
    kept = cache.get(f"public:answer:{etag}")
    if kept is None:
        return None
    body, headers = kept
    response = HttpResponse(body)
    for name, value in headers:
        response[name] = value
    return response


def _keep(etag: str, response: HttpResponse) -> HttpResponse:
    """Keep a 200 answer for its ETag: the ETag names the publications' state and the address,
    so the same ETag always has the same body, and a publication or a withdrawal changes every
    ETag (the kept answers are then never asked for again and expire)."""
    if response.status_code == 200 and not response.streaming:
        headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
        cache.set(
            f"public:answer:{etag}", (response.content, headers), settings.PUBLIC_ANSWER_SECONDS
        )
    return response


def public(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public view: open to anyone, throttled per address, cached by ETag."""

    @login_not_required
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        wait = throttled(request)
        if wait is not None:
            response = HttpResponse(
                _("Too many requests from your address: try again in a minute."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(max(1, int(wait + 0.999)))
            return response
        if request.method not in ("GET", "HEAD"):
            response = HttpResponse(status=405)
            response["Allow"] = "GET, HEAD"
            return response
        etag = etag_for(request)
        if etag in parse_etags(request.META.get("HTTP_IF_NONE_MATCH", "")):
            response = HttpResponseNotModified()
        else:
            response = _kept(etag) or _keep(etag, view(request, *args, **kwargs))
        if "language" in kwargs:
            # The page's language, not the request's (LocaleMiddleware keeps one set here).
            response["Content-Language"] = kwargs["language"]
        if response.status_code in (200, 304):
            response["ETag"] = etag
            patch_cache_control(response, public=True, max_age=settings.PUBLIC_CACHE_SECONDS)
        return response

    return wrapped
