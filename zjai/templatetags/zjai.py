"""Template helpers shared by every page: numbers, percentages, statuses, progress bars.

Loaded with `{% load zjai %}` (registered in settings.TEMPLATES as a library, since zjai/ is the
frame and not an installed app).
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.choices import Comparator, MeasurementState, ProgressStatus

register = template.Library()

# Status shown by an icon and its words, never by colour alone.
STATUS_ICONS = {
    ProgressStatus.ACHIEVED: "✔",
    ProgressStatus.ON_TRACK: "●",
    ProgressStatus.NEEDS_ACCELERATION: "▲",
    ProgressStatus.OFF_TRACK: "▼",
    ProgressStatus.DETERIORATING: "↓",
    ProgressStatus.MISSED: "✖",
    ProgressStatus.NO_DATA: "○",
}
STATE_ICONS = {
    MeasurementState.DRAFT: "✎",
    MeasurementState.SUBMITTED: "…",
    MeasurementState.APPROVED: "✔",
    MeasurementState.REJECTED: "✖",
    MeasurementState.WITHDRAWN: "↩",
}
COMPARATOR_SYMBOLS = {Comparator.AT_LEAST: "≥", Comparator.AT_MOST: "≤", Comparator.EXACTLY: "="}


def format_number(value, max_decimals: int = 2) -> str:
    """A number for people: grouped by the language, trailing zeros dropped."""
    if value is None or value == "":
        return "—"
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return "—"
    rounded = round(number, max_decimals)
    decimals = max(0, -rounded.normalize().as_tuple().exponent)
    decimals = min(decimals, max_decimals)
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)


@register.filter
def num(value, max_decimals=2):
    return format_number(value, int(max_decimals))


@register.filter
def pct(value, decimals=1):
    """A percentage, e.g. 85.3%; a dash when there is none."""
    if value is None or value == "":
        return "—"
    return f"{format_number(value, int(decimals))}%"


@register.filter
def comparator(value) -> str:
    return COMPARATOR_SYMBOLS.get(value, "")


@register.simple_tag
def status_badge(status, label=None):
    """The status as icon and words in a coloured pill (the colour only repeats the words)."""
    status = status or ProgressStatus.NO_DATA
    try:
        words = label or ProgressStatus(status).label
    except ValueError:
        words = label or status
    return format_html(
        '<span class="status status-{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        status,
        STATUS_ICONS.get(status, "?"),
        words,
    )


@register.simple_tag
def state_badge(state):
    """A figure's state (draft, submitted, …) as icon and words."""
    try:
        words = MeasurementState(state).label
    except ValueError:
        words = state
    return format_html(
        '<span class="state state-{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        state,
        STATE_ICONS.get(state, "?"),
        words,
    )


@register.simple_tag
def progress_bar(percent, status=None, label=""):
    """A bar 0–100 % (values beyond are shown capped, the words say the true figure)."""
    status = status or ProgressStatus.NO_DATA
    if percent is None or percent == "":
        return format_html(
            '<div class="bar bar-empty" role="img" aria-label="{}: {}"></div>',
            label or _("progress"),
            _("no data"),
        )
    width = min(max(float(percent), 0.0), 100.0)
    return format_html(
        '<div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        'aria-valuenow="{}" aria-label="{}" aria-valuetext="{}">'
        # An SVG rectangle's width is an attribute, not a style: the Content-Security-Policy
        # allows no inline styles.
        '<svg class="bar-track" aria-hidden="true" focusable="false">'
        '<rect class="fill fill-{}" width="{}%" height="100%"/></svg></div>',
        f"{width:.1f}",
        label or _("progress"),
        pct(percent),
        status,
        f"{width:.1f}",
    )


@register.filter
def minutes(delta) -> int:
    """A timedelta in whole minutes (at least 1)."""
    try:
        return max(1, int(delta.total_seconds() // 60))
    except AttributeError:
        return 0


@register.filter
def basename(value) -> str:
    from pathlib import PurePath

    return PurePath(str(value or "")).name


@register.filter
def uom(target) -> str:
    """A target's unit of measure in the reader's language (家 / enterprises)."""
    from targets.explain import unit_of

    return unit_of(target)


@register.filter
def extension(value) -> str:
    from pathlib import PurePath

    return PurePath(str(value or "")).suffix.lstrip(".").upper()


@register.filter
def role_label(user) -> str:
    from zjai.roles import Role

    role = getattr(user, "role", None)
    return Role(role).label if role in Role.values else ""


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None
