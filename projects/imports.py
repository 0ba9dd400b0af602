"""Bulk import of projects from CSV or XLSX (see registers.imports)."""

from registers.imports import RegisterImport

from .forms import ProjectForm
from .services import create_project


class ProjectImport(RegisterImport):
    form_class = ProjectForm
    columns = (
        "name",
        "name_en",
        "kind",
        "level",
        "status",
        "enterprise",
        "city",
        "sector",
        "planned_investment",
        "completed_investment",
        "start_date",
        "accepted_on",
    )
    required_columns = ("name", "kind", "level", "city")

    def create(self, values):
        return create_project(acting_user=self.user, **values)
