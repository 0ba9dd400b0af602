"""The one way a page names a responsible unit: a link to its page (portfolio:unit).
`{% load unit_tags %}` then `{% unit_link unit %}` (`lead=True` marks the lead unit)."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def unit_link(unit, lead: bool = False) -> SafeString | str:
    """The unit's name linked to its page; nothing for no unit."""
    if unit is None or not getattr(unit, "code", ""):
        return ""
    link = format_html(
        '<a class="unit-link" href="{}">{}</a>', reverse("portfolio:unit", args=[unit.code]), unit
    )
    if not lead:
        return link
    # The language places the marker: "X (lead)" in English, "X（牵头）" in Chinese.
    marked = _('%(unit)s <span class="muted">(lead)</span>') % {"unit": link}
    return format_html(
        '<strong class="lead"><span aria-hidden="true">★</span> {}</strong>', mark_safe(marked)
    )
