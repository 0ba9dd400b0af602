"""One filterset for the enterprise register: the API list, the browser list and the export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zjai.choices import City, Sector

from .choices import EnterpriseStatus, Tier
from .models import Enterprise


class EnterpriseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("name or credit code"))
    city = django_filters.MultipleChoiceFilter(choices=City.choices, label=_("city"))
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices, label=_("sector"))
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices, label=_("tier"))
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices, label=_("status"))
    # A year a date can have (the browser list would otherwise send 10**11 to the database;
    # the API refuses it before, in zjai.api.filters).
    recognised_year = django_filters.NumberFilter(
        field_name="recognised_on",
        lookup_expr="year",
        label=_("year recognised"),
        min_value=1,
        max_value=9999,
        decimal_places=0,
    )
    recognised_after = django_filters.DateFilter(
        field_name="recognised_on", lookup_expr="gte", label=_("recognised on or after")
    )
    recognised_before = django_filters.DateFilter(
        field_name="recognised_on", lookup_expr="lte", label=_("recognised on or before")
    )
    is_demo = django_filters.BooleanFilter(label=_("demo data"))

    class Meta:
        model = Enterprise
        fields = ["q", "city", "sector", "tier", "status", "recognised_year", "is_demo"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = value.upper()
        if len(code) == 18 and code.isalnum():
            return queryset.filter(credit_code=code)
        return queryset.filter(
            Q(name_zh__icontains=value)
            | Q(name_en__icontains=value)
            | Q(credit_code__startswith=code)
        )
