"""What the top bar needs of publishing: whether the reader may open the publications page
(rules.may_list_publications). Named by the settings, as reports' navigation is."""

from __future__ import annotations

from django.http import HttpRequest

from .rules import may_list_publications


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"may_list_publications": user is not None and may_list_publications(user)}
