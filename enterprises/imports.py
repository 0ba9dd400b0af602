"""Bulk import of enterprises from CSV or XLSX (see registers.imports)."""

import datetime as dt

from registers.imports import RegisterImport

from .forms import EnterpriseForm
from .models import Enterprise
from .services import EDITABLE, create_enterprise, update_enterprise
from .uscc import check_character

# The example row's credit code: valid (GB 32100-2015), and no real enterprise's.
EXAMPLE_CODE_BASE = "91330106MA2EXAMPL"


class EnterpriseImport(RegisterImport):
    model = Enterprise
    form_class = EnterpriseForm
    # Every field a user may set but the managing unit: imported entries are the importer's
    # unit's (the service sets it).
    columns = tuple(name for name in EDITABLE if name != "owner_unit")
    register = "enterprises"  # its background jobs' name for it
    required_columns = ("name_zh", "city")
    # The key of an enterprise: a row with a credit code is never a likely duplicate; one
    # without is, if its name and city are an entry's (RegisterImport.duplicate_key).
    unique_columns = ("credit_code",)
    example = {
        "name_zh": "杭州示例智能科技有限公司",
        "name_en": "Hangzhou Example AI Technology Co., Ltd.",
        "credit_code": EXAMPLE_CODE_BASE + check_character(EXAMPLE_CODE_BASE),
        "city": "hangzhou",
        "sector": "robots",
        "tier": "leading",
        "recognised_on": dt.date(2024, 3, 31),
        "recognised_by": "浙江省经济和信息化厅",
        "status": "active",
    }

    def create(self, values, batch, *, reason=""):
        return create_enterprise(acting_user=self.user, batch=batch, reason=reason, **values)

    def update(self, entry, values, batch, **dating):
        return update_enterprise(entry, acting_user=self.user, batch=batch, **dating, **values)
