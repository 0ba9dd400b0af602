"""Bulk import of enterprises from CSV or XLSX (see registers.imports)."""

from registers.imports import RegisterImport

from .forms import EnterpriseForm
from .models import Enterprise
from .services import EDITABLE, create_enterprise, update_enterprise


class EnterpriseImport(RegisterImport):
    model = Enterprise
    form_class = EnterpriseForm
    # Every field a user may set but the managing unit: imported entries are the importer's
    # unit's (the service sets it).
    columns = tuple(name for name in EDITABLE if name != "owner_unit")
    register = "enterprises"  # its background jobs' name for it
    required_columns = ("name_zh", "city")
    unique_columns = ("credit_code",)

    def create(self, values, batch, *, reason=""):
        return create_enterprise(acting_user=self.user, batch=batch, reason=reason, **values)

    def update(self, entry, values, batch, **dating):
        return update_enterprise(entry, acting_user=self.user, batch=batch, **dating, **values)
