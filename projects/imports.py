"""Bulk import of projects from CSV or XLSX (see registers.imports)."""

import datetime as dt
from decimal import Decimal

from registers.imports import RegisterImport

from .forms import ProjectForm
from .models import Project
from .services import EDITABLE, create_project, update_project


class ProjectImport(RegisterImport):
    model = Project
    form_class = ProjectForm
    # Every field a user may set but the managing unit: imported entries are the importer's
    # unit's (the service sets it).
    columns = tuple(name for name in EDITABLE if name != "owner_unit")
    register = "projects"  # its background jobs' name for it
    required_columns = ("name_zh", "kind", "level", "city")
    # Headers of the files made before `name` became `name_zh` (its name and labels then).
    renamed_columns = {"name": "name_zh", "名称": "name_zh"}
    # A project has no code of its own: a new row with the name and city of a project of the
    # register (or of an earlier row) is a likely duplicate (RegisterImport.duplicate_key).
    example = {
        "name_zh": "示例智能工厂建设项目",
        "name_en": "Example smart factory project",
        "kind": "smart_factory",
        "level": "provincial",
        "status": "under_construction",
        "city": "hangzhou",
        "sector": "robots",
        "planned_investment": Decimal("12000.5"),
        "completed_investment": Decimal("3000"),
        "start_date": dt.date(2024, 3, 31),
    }

    def create(self, values, batch, *, reason=""):
        return create_project(acting_user=self.user, batch=batch, reason=reason, **values)

    def update(self, entry, values, batch, **dating):
        return update_project(entry, acting_user=self.user, batch=batch, **dating, **values)
