"""The enterprise list: columns, sorts (each backed by an index) and the CSV export."""

from django.utils.translation import gettext_lazy as _

from zjai.lists import Column, ExportField, Table


class EnterpriseTable(Table):
    columns = (
        Column("name", _("name"), ("name_zh",)),
        Column("credit_code", _("unified social credit code"), ("credit_code",)),
        Column("city", _("city"), ("city",)),
        Column("sector", _("sector")),
        Column("tier", _("tier"), ("tier",)),
        Column("recognised_on", _("recognised on"), ("recognised_on",)),
        Column("status", _("status")),
    )
    default_sort = "name"
    export_fields = (
        ExportField(_("name (Chinese)"), lambda e: e.name_zh),
        ExportField(_("name (English)"), lambda e: e.name_en),
        ExportField(_("unified social credit code"), lambda e: e.credit_code),
        ExportField(_("city"), lambda e: e.get_city_display()),
        ExportField(_("sector"), lambda e: e.get_sector_display()),
        ExportField(_("tier"), lambda e: e.get_tier_display()),
        ExportField(_("recognised on"), lambda e: e.recognised_on),
        ExportField(_("recognised by"), lambda e: e.recognised_by),
        ExportField(_("status"), lambda e: e.get_status_display()),
        ExportField(_("revoked on"), lambda e: e.revoked_on),
        ExportField(_("managing unit"), lambda e: e.owner_unit.code if e.owner_unit else ""),
        ExportField(_("demo data"), lambda e: "1" if e.is_demo else ""),
    )
