"""Template tags of targets and figures: status and state badges, progress bars, comparators,
units of measure. `{% load target_tags %}`; the frame's number formats are `{% load zjai %}`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from targets.choices import COMPARATOR_SYMBOLS, MeasurementState, ProgressStatus
from targets.explain import unit_of
from zjai.templatetags.zjai import pct

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
    MeasurementState.SUPERSEDED: "⇄",
}


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
def uom(target) -> str:
    """A target's unit of measure in the reader's language (家 / enterprises)."""
    return unit_of(target)
