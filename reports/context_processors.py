"""What the top bar needs of reports: whether the reader may open the reports page
(reports.rules.may_export). Named by the settings, as plans' plan switcher is."""

from __future__ import annotations

from django.http import HttpRequest

from .rules import may_export


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"may_export": user is not None and may_export(user)}
