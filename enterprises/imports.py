"""Bulk import of enterprises from CSV or XLSX (see registers.imports)."""

from registers.imports import RegisterImport

from .forms import EnterpriseForm
from .services import create_enterprise


class EnterpriseImport(RegisterImport):
    form_class = EnterpriseForm
    columns = (
        "name_zh",
        "name_en",
        "credit_code",
        "city",
        "sector",
        "tier",
        "recognised_on",
        "recognised_by",
        "status",
        "revoked_on",
    )
    required_columns = ("name_zh", "city")
    unique_columns = ("credit_code",)

    def create(self, values):
        return create_enterprise(acting_user=self.user, **values)
