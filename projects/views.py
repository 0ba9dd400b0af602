"""Browser pages of the project register: list (filter, sort, export), detail, add, edit,
bulk import."""

from django.urls import reverse_lazy

from registers.rules import can_create_entry
from registers.views import (
    EntryCreateView,
    EntryDetailView,
    EntryEditView,
    EntryImportJobView,
    EntryImportView,
    EntryMixin,
)
from zjai.lists import FilteredListView

from .filtersets import ProjectFilterSet
from .forms import ProjectForm
from .imports import ProjectImport
from .models import Project
from .services import create_project, update_project
from .tables import ProjectTable


class ProjectListView(FilteredListView):
    model = Project
    filterset_class = ProjectFilterSet
    table_class = ProjectTable
    template_name = "projects/project_list.html"
    export_name = "projects"

    def decorate(self, queryset):
        return queryset.select_related("enterprise", "owner_unit")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = can_create_entry(self.request.user)
        return context


class ProjectEntry(EntryMixin):
    """The project register's entry pages: what registers.views needs to know."""

    model = Project
    owner_field = "owner_unit_id"
    select_related = ("enterprise", "owner_unit")
    form_class = ProjectForm
    detail_route = "projects:detail"
    list_route = "projects:list"


class ProjectDetailView(ProjectEntry, EntryDetailView):
    template_name = "projects/project_detail.html"


class ProjectCreateView(ProjectEntry, EntryCreateView):
    def create(self, **values):
        return create_project(**values)


class ProjectEditView(ProjectEntry, EntryEditView):
    def update(self, obj, **changes):
        return update_project(obj, **changes)


class ProjectImportView(ProjectEntry, EntryImportView):
    importer_class = ProjectImport
    list_url = reverse_lazy("projects:list")
    template_filename = "projects"
    job_route = "projects:import-job"


class ProjectImportJobView(ProjectEntry, EntryImportJobView):
    importer_class = ProjectImport
    list_url = reverse_lazy("projects:list")
    import_url = reverse_lazy("projects:import")
