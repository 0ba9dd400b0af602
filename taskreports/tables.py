"""The list tables of the task reports app: columns, sorts and CSV exports."""

from django.utils.translation import gettext_lazy as _

from zjai.lists import Column, ExportField, Table


def _user(user) -> str:
    return user.get_username() if user else ""


class TaskReportTable(Table):
    columns = (
        Column("item", _("task"), ("item__order",)),
        Column("unit", _("unit"), ("unit__code",)),
        Column("period", _("period"), ("period_start",)),
        Column("status", _("status"), ("status",)),
        Column("state", _("state"), ("state",)),
        Column("submitted_at", _("submitted at"), ("submitted_at",)),
    )
    default_sort = "-period"
    export_fields = (
        ExportField(_("plan"), lambda r: r.item.plan.code),
        ExportField(_("task"), lambda r: r.item.key),
        ExportField(_("unit"), lambda r: r.unit.code),
        ExportField(_("period from"), lambda r: r.period_start),
        ExportField(_("period to"), lambda r: r.period_end),
        ExportField(_("status"), lambda r: r.status),
        ExportField(_("percent complete"), lambda r: r.percent_complete),
        ExportField(_("state"), lambda r: r.state),
        ExportField(_("work done"), lambda r: r.work_done),
        ExportField(_("next steps"), lambda r: r.next_steps),
        ExportField(_("problems and support needed"), lambda r: r.problems),
        ExportField(_("created by"), lambda r: _user(r.created_by)),
        ExportField(_("submitted at"), lambda r: r.submitted_at),
    )


class MilestoneTable(Table):
    columns = (
        Column("due_on", _("due on"), ("due_on",)),
        Column("item", _("task"), ("item__order",)),
        Column("unit", _("owning unit"), ("unit__code",)),
        Column("description", _("description")),
        Column("done_on", _("done on"), ("done_on",)),
    )
    default_sort = "due_on"
    export_fields = (
        ExportField(_("plan"), lambda m: m.item.plan.code),
        ExportField(_("task"), lambda m: m.item.key),
        ExportField(_("owning unit"), lambda m: m.unit.code),
        ExportField(_("due on"), lambda m: m.due_on),
        ExportField(_("description"), lambda m: m.description),
        ExportField(_("done on"), lambda m: m.done_on),
    )


class NoticeTable(Table):
    columns = (
        Column("issued_at", _("issued at"), ("issued_at",)),
        Column("unit", _("unit"), ("unit__code",)),
        Column("subject", _("subject")),
        Column("reply_by", _("reply by"), ("reply_by",)),
        Column("state", _("state"), ("state",)),
    )
    default_sort = "-issued_at"
    export_fields = (
        ExportField(_("plan"), lambda n: n.plan.code),
        ExportField(_("unit"), lambda n: n.unit.code),
        ExportField(_("task"), lambda n: n.item.key if n.item else ""),
        ExportField(_("subject"), lambda n: n.subject),
        ExportField(_("reply by"), lambda n: n.reply_by),
        ExportField(_("state"), lambda n: n.state),
        ExportField(_("issued at"), lambda n: n.issued_at),
        ExportField(_("reply"), lambda n: n.reply),
    )
