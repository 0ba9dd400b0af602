"""Browser pages of the project register: list (filter, sort, export), detail, add, edit,
bulk import, confirmation of a pending change."""

from django.urls import reverse_lazy

from registers.rules import can_create_entry, confirms_changes
from registers.selectors import pending_exists
from registers.views import (
    EntryCreateView,
    EntryDecideView,
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
from .services import (
    confirm_project_change,
    create_project,
    reject_project_change,
    update_project,
)
from .tables import ProjectTable


class ProjectListView(FilteredListView):
    model = Project
    filterset_class = ProjectFilterSet
    table_class = ProjectTable
    template_name = "projects/project_list.html"
    export_name = "projects"

    def decorate(self, queryset):
        # The "awaiting confirmation" badge of each row, in the list's one query.
        return queryset.select_related("enterprise", "owner_unit").annotate(
            has_pending_change=pending_exists(Project)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = can_create_entry(self.request.user)
        context["confirms_changes"] = confirms_changes(self.request.user)
        return context


class ProjectEntry(EntryMixin):
    """The project register's entry pages: what registers.views needs to know."""

    model = Project
    owner_field = "owner_unit_id"
    select_related = ("enterprise", "owner_unit")
    form_class = ProjectForm
    detail_route = "projects:detail"
    list_route = "projects:list"
    decide_route = "projects:decide"


class ProjectDetailView(ProjectEntry, EntryDetailView):
    template_name = "projects/project_detail.html"


class ProjectDecideView(ProjectDetailView, EntryDecideView):
    def confirm(self, obj, **arguments):
        return confirm_project_change(obj, **arguments)

    def reject(self, obj, **arguments):
        return reject_project_change(obj, **arguments)


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
