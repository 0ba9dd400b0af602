"""Template tags of task reports: an item's status and a report's state as icon and words.
`{% load task_tags %}`."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from taskreports.choices import ReportState, TaskStatus
from taskreports.selectors import NOT_REPORTED, STATUS_CHOICES

register = template.Library()

# Status shown by an icon and its words, never by colour alone.
TASK_STATUS_ICONS = {
    TaskStatus.NOT_STARTED: "○",
    TaskStatus.IN_PROGRESS: "●",
    TaskStatus.COMPLETED: "✔",
    TaskStatus.BEHIND: "▼",
    TaskStatus.SUSPENDED: "‖",
    NOT_REPORTED: "–",
}
REPORT_STATE_ICONS = {
    ReportState.DRAFT: "✎",
    ReportState.SUBMITTED: "…",
    ReportState.APPROVED: "✔",
    ReportState.RETURNED: "↩",
}
STATUS_LABELS = dict(STATUS_CHOICES)


@register.simple_tag
def task_status_badge(status):
    """A task's (or a report's) status in a pill; none means not reported."""
    status = getattr(status, "status", status) or NOT_REPORTED
    return format_html(
        '<span class="status task-{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        status,
        TASK_STATUS_ICONS.get(status, "?"),
        STATUS_LABELS.get(status, status),
    )


@register.simple_tag
def report_state_badge(state):
    """A task report's state (draft, submitted, approved, returned)."""
    try:
        words = ReportState(state).label
    except ValueError:
        words = state
    return format_html(
        '<span class="state report-{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        state,
        REPORT_STATE_ICONS.get(state, "?"),
        words,
    )
