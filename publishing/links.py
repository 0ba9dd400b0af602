"""Where a publication is seen: its public page, named by path because the public site's
URLs belong to its own module (publishing.urls, mounted at /public/)."""

from __future__ import annotations

from urllib.parse import quote

from .models import Publication


def public_path(publication: Publication) -> str | None:
    """The public page of a live publication; None once withdrawn (the public no longer sees
    it)."""
    if not publication.is_live:
        return None
    return f"/public/{quote(publication.plan.code)}/editions/{publication.number}/"
