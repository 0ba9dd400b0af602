"""One filterset for the enterprise register: the API list, the browser list and the export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registers.filters import AsOfFilterSetMixin, as_of_filter
from registers.selectors import awaiting_confirmation
from zjai.choices import City, Sector
from zjai.filters import year_filter

from .choices import EnterpriseStatus, Tier
from .models import Enterprise


class EnterpriseFilterSet(AsOfFilterSetMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("name or credit code"))
    city = django_filters.MultipleChoiceFilter(choices=City.choices, label=_("city"))
    sector = django_filters.MultipleChoiceFilter(choices=Sector.choices, label=_("sector"))
    tier = django_filters.MultipleChoiceFilter(choices=Tier.choices, label=_("tier"))
    status = django_filters.ChoiceFilter(choices=EnterpriseStatus.choices, label=_("status"))
    recognised_year = year_filter("recognised_on", _("year recognised"))
    recognised_after = django_filters.DateFilter(
        field_name="recognised_on", lookup_expr="gte", label=_("recognised on or after")
    )
    recognised_before = django_filters.DateFilter(
        field_name="recognised_on", lookup_expr="lte", label=_("recognised on or before")
    )
    # An enterprise counts for its tier from its recognition until its revocation
    # (targets/values.py): the condition every count of enterprises has.
    counts_on = django_filters.DateFilter(method="in_tier_on", label=_("in its tier on"))
    as_of = as_of_filter()
    is_demo = django_filters.BooleanFilter(label=_("demo data"))
    pending = django_filters.BooleanFilter(method="awaiting", label=_("awaiting confirmation"))

    class Meta:
        model = Enterprise
        fields = [
            "q",
            "city",
            "sector",
            "tier",
            "status",
            "recognised_year",
            "counts_on",
            "as_of",
            "is_demo",
            "pending",
        ]

    # With ?as_of=, these read the values each enterprise held on that date.
    valid_time_filters = frozenset(
        {
            "city",
            "sector",
            "tier",
            "status",
            "recognised_year",
            "recognised_after",
            "recognised_before",
            "counts_on",
        }
    )

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

    def in_tier_on(self, queryset, name, value):
        """Recognised in a tier on the date, and not revoked by then."""
        if value is None:
            return queryset
        return queryset.filter(
            ~Q(tier="")
            & Q(recognised_on__lte=value)
            & (Q(revoked_on__isnull=True) | Q(revoked_on__gt=value))
        )

    def awaiting(self, queryset, name, value):
        """Entries with something awaiting confirmation (a new entry, a proposed change)."""
        if value is None:
            return queryset
        wanted = awaiting_confirmation(Enterprise)
        return queryset.filter(wanted) if value else queryset.exclude(wanted)
