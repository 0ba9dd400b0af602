"""Template tags of targets and figures: status and state badges, progress bars, comparators,
units of measure. `{% load target_tags %}`; the frame's number formats are `{% load zjai %}`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from targets.choices import COMPARATOR_SYMBOLS, Comparator, MeasurementState, ProgressStatus
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
    """The symbol, with its words on hover: > (超过) and ≥ (不少于) read alike at a glance."""
    symbol = COMPARATOR_SYMBOLS.get(value, "")
    if not symbol:
        return ""
    return format_html('<abbr title="{}">{}</abbr>', Comparator(value).label, symbol)


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
def progress_badge(progress):
    """A Progress row's status; a miss not closed yet says it is provisional."""
    if progress is None:
        return status_badge(None)
    if progress.provisional:
        return status_badge(progress.status, _("missed (provisional)"))
    return status_badge(progress.status)


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


@register.simple_tag
def rollup_badge(rollup):
    """A roll-up's status: the pace band of its running targets, then the achieved and missed
    counts and the final score of those past their deadline. A roll-up whose targets are all
    past their deadline shows no pace status at all (docs/progress.md)."""
    if rollup is None:
        return status_badge(None)
    parts = []
    if not rollup.final:
        parts.append(status_badge(rollup.band or None))
    if rollup.achieved or rollup.missed:
        parts.append(
            format_html(
                '<span class="rollup-final">{} {} · {} <span class="num">{}</span></span>',
                status_badge(ProgressStatus.ACHIEVED, _("%(n)d achieved") % {"n": rollup.achieved}),
                status_badge(ProgressStatus.MISSED, _("%(n)d missed") % {"n": rollup.missed}),
                _("final score"),
                _score(rollup.final_score),
            )
        )
    return format_html_join(" ", "{}", ((part,) for part in parts))


def _score(value) -> str:
    return "—" if value is None else f"{value:.2f}"
