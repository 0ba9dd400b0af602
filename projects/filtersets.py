"""One filterset for the project register: the API list, the browser list and the export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import ResponsibleUnit
from registers.filters import AsOfFilterSetMixin, as_of_filter
from registers.selectors import awaiting_confirmation
from zjai.choices import City, Sector
from zjai.filters import year_filter

from .choices import ProjectKind, ProjectLevel, ProjectStatus
from .models import Project


class ProjectFilterSet(AsOfFilterSetMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("name"))
    kind = django_filters.MultipleChoiceFilter(choices=ProjectKind.choices, label=_("kind"))
    level = django_filters.MultipleChoiceFilter(choices=ProjectLevel.choices, label=_("level"))
    status = django_filters.MultipleChoiceFilter(choices=ProjectStatus.choices, label=_("status"))
    city = django_filters.MultipleChoiceFilter(choices=City.choices, label=_("city"))
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices, label=_("sector"))
    owner_unit = django_filters.ModelChoiceFilter(
        queryset=ResponsibleUnit.objects.all(), to_field_name="code", label=_("managing unit")
    )
    year = year_filter("start_date", _("year started"))
    accepted_after = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="gte", label=_("accepted on or after")
    )
    accepted_before = django_filters.DateFilter(
        field_name="accepted_on", lookup_expr="lte", label=_("accepted on or before")
    )
    started_after = django_filters.DateFilter(
        field_name="start_date", lookup_expr="gte", label=_("started on or after")
    )
    started_before = django_filters.DateFilter(
        field_name="start_date", lookup_expr="lte", label=_("started on or before")
    )
    as_of = as_of_filter()
    is_demo = django_filters.BooleanFilter(label=_("demo data"))
    pending = django_filters.BooleanFilter(method="awaiting", label=_("awaiting confirmation"))

    class Meta:
        model = Project
        fields = [
            "q",
            "kind",
            "level",
            "status",
            "city",
            "sector",
            "owner_unit",
            "year",
            "as_of",
            "is_demo",
            "pending",
        ]

    # With ?as_of=, these read the values each project held on that date.
    valid_time_filters = frozenset(
        {
            "kind",
            "level",
            "status",
            "city",
            "sector",
            "year",
            "accepted_after",
            "accepted_before",
            "started_after",
            "started_before",
        }
    )

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name_zh__icontains=value) | Q(name_en__icontains=value))

    def awaiting(self, queryset, name, value):
        """Entries with something awaiting confirmation (a new entry, a proposed change)."""
        if value is None:
            return queryset
        wanted = awaiting_confirmation(Project)
        return queryset.filter(wanted) if value else queryset.exclude(wanted)
