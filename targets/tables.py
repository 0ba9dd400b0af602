"""The list tables of the targets app: columns, sorts and CSV exports."""

from django.utils.translation import gettext_lazy as _

from zjai.lists import Column, ExportField, Table


class TargetTable(Table):
    columns = (
        Column("code", _("code"), ("code",)),
        Column("title", _("title"), ("title_zh",)),
        Column("current", _("current value"), numeric=True),
        Column("target_value", _("target value"), ("target_value",), numeric=True),
        Column("deadline", _("deadline"), ("deadline",)),
        Column("status", _("status")),
    )
    default_sort = "code"
    export_fields = (
        ExportField(_("code"), lambda t: t.code),
        ExportField(_("title (Chinese)"), lambda t: t.title_zh),
        ExportField(_("title (English)"), lambda t: t.title_en),
        ExportField(_("comparator"), lambda t: t.comparator),
        ExportField(_("target value"), lambda t: t.target_value),
        ExportField(_("unit of measure"), lambda t: t.unit_of_measure),
        ExportField(_("deadline"), lambda t: t.deadline),
        ExportField(_("source"), lambda t: t.source_kind),
    )


def _user(user) -> str:
    return user.get_username() if user else ""


class MeasurementTable(Table):
    columns = (
        Column("target", _("target"), ("target__code",)),
        Column("value", _("value"), ("value",), numeric=True),
        Column("observed_on", _("date described"), ("observed_on",)),
        Column("state", _("state"), ("state",)),
        Column("created_by", _("reported by")),
        Column("submitted_at", _("submitted at"), ("submitted_at",)),
        Column("reviewed_by", _("reviewed by")),
    )
    default_sort = "-observed_on"
    export_fields = (
        ExportField(_("target"), lambda m: m.target.code),
        ExportField(_("value"), lambda m: m.value),
        ExportField(_("date described"), lambda m: m.observed_on),
        ExportField(_("state"), lambda m: m.state),
        ExportField(_("reported by"), lambda m: _user(m.created_by)),
        ExportField(_("created at"), lambda m: m.created_at),
        ExportField(_("submitted by"), lambda m: _user(m.submitted_by)),
        ExportField(_("submitted at"), lambda m: m.submitted_at),
        ExportField(_("reviewed by"), lambda m: _user(m.reviewed_by)),
        ExportField(_("reviewed at"), lambda m: m.reviewed_at),
        ExportField(_("review comment"), lambda m: m.review_comment),
        ExportField(_("evidence note"), lambda m: m.note),
    )
