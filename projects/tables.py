"""The project list: columns, sorts (each backed by an index) and the CSV export."""

from django.utils.translation import gettext_lazy as _

from zjai.lists import Column, ExportField, Table


class ProjectTable(Table):
    columns = (
        Column("name", _("name"), ("name_zh",)),
        Column("kind", _("kind"), ("kind",)),
        Column("level", _("level")),
        Column("status", _("status"), ("status",)),
        Column("city", _("city"), ("city",)),
        Column("start_date", _("start date"), ("start_date",)),
        Column(
            "planned_investment",
            _("planned investment (10,000 yuan)"),
            ("planned_investment",),
            numeric=True,
        ),
    )
    default_sort = "name"
    export_fields = (
        ExportField(_("name (Chinese)"), lambda p: p.name_zh),
        ExportField(_("name (English)"), lambda p: p.name_en),
        ExportField(_("kind"), lambda p: p.get_kind_display()),
        ExportField(_("level"), lambda p: p.get_level_display()),
        ExportField(_("status"), lambda p: p.get_status_display()),
        ExportField(_("enterprise"), lambda p: p.enterprise.name_zh if p.enterprise else ""),
        ExportField(
            _("unified social credit code"),
            lambda p: (p.enterprise.credit_code or "") if p.enterprise else "",
        ),
        ExportField(_("city"), lambda p: p.get_city_display()),
        ExportField(_("sector"), lambda p: p.get_sector_display()),
        ExportField(_("managing unit"), lambda p: p.owner_unit.code if p.owner_unit else ""),
        ExportField(_("planned investment (10,000 yuan)"), lambda p: p.planned_investment),
        ExportField(_("completed investment (10,000 yuan)"), lambda p: p.completed_investment),
        ExportField(_("start date"), lambda p: p.start_date),
        ExportField(_("accepted on"), lambda p: p.accepted_on),
        ExportField(_("demo data"), lambda p: "1" if p.is_demo else ""),
    )
