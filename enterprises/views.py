"""Browser pages of the enterprise register: list (filter, sort, export), detail, add, edit,
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
from zjai.collation import by_name
from zjai.lists import FilteredListView

from .filtersets import EnterpriseFilterSet
from .forms import EnterpriseForm
from .imports import EnterpriseImport
from .models import Enterprise
from .services import (
    confirm_enterprise_change,
    create_enterprise,
    reject_enterprise_change,
    update_enterprise,
)
from .tables import EnterpriseTable


class EnterpriseListView(FilteredListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    table_class = EnterpriseTable
    template_name = "enterprises/enterprise_list.html"
    export_name = "enterprises"

    def decorate(self, queryset):
        # The "awaiting confirmation" badge of each row, in the list's one query.
        return queryset.select_related("owner_unit").annotate(
            has_pending_change=pending_exists(Enterprise)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_add"] = can_create_entry(self.request.user)
        context["confirms_changes"] = confirms_changes(self.request.user)
        return context


class EnterpriseEntry(EntryMixin):
    """The enterprise register's entry pages: what registers.views needs to know."""

    model = Enterprise
    owner_field = "owner_unit_id"
    select_related = ("owner_unit",)
    form_class = EnterpriseForm
    detail_route = "enterprises:detail"
    list_route = "enterprises:list"
    decide_route = "enterprises:decide"


class EnterpriseDetailView(EnterpriseEntry, EntryDetailView):
    template_name = "enterprises/enterprise_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["projects"] = list(
            context["object"]
            .projects.for_user(self.request.user)
            .order_by(by_name("name_zh"), "pk")[:20]
        )
        return context


class EnterpriseDecideView(EnterpriseDetailView, EntryDecideView):
    def confirm(self, obj, **arguments):
        return confirm_enterprise_change(obj, **arguments)

    def reject(self, obj, **arguments):
        return reject_enterprise_change(obj, **arguments)


class EnterpriseCreateView(EnterpriseEntry, EntryCreateView):
    def create(self, **values):
        return create_enterprise(**values)


class EnterpriseEditView(EnterpriseEntry, EntryEditView):
    def update(self, obj, **changes):
        return update_enterprise(obj, **changes)


class EnterpriseImportView(EnterpriseEntry, EntryImportView):
    importer_class = EnterpriseImport
    list_url = reverse_lazy("enterprises:list")
    template_filename = "enterprises"
    job_route = "enterprises:import-job"


class EnterpriseImportJobView(EnterpriseEntry, EntryImportJobView):
    importer_class = EnterpriseImport
    list_url = reverse_lazy("enterprises:list")
    import_url = reverse_lazy("enterprises:import")
