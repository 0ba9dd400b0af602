"""Filtersets of the plans app, shared by the API and the browser."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from zjai.choices import City

from .choices import ItemKind, UnitKind
from .models import Plan, PlanItem, ResponsibleUnit


class PlanFilterSet(django_filters.FilterSet):
    class Meta:
        model = Plan
        fields = ["code"]


class ResponsibleUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("name"))
    kind = django_filters.MultipleChoiceFilter(choices=UnitKind.choices, label=_("kind"))
    city = django_filters.ChoiceFilter(choices=City.choices, label=_("city"))

    class Meta:
        model = ResponsibleUnit
        fields = ["q", "kind", "city"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(name_zh__icontains=value) | Q(name_en__icontains=value)
        )


class PlanItemFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("text"))
    plan = django_filters.CharFilter(field_name="plan__code", label=_("plan"))
    kind = django_filters.MultipleChoiceFilter(choices=ItemKind.choices, label=_("kind"))
    parent = django_filters.CharFilter(field_name="parent__key", label=_("parent key"))
    unit = django_filters.CharFilter(method="by_unit", label=_("responsible unit"))
    lead_unit = django_filters.CharFilter(method="by_lead_unit", label=_("lead unit"))

    class Meta:
        model = PlanItem
        fields = ["q", "plan", "kind", "parent", "unit", "lead_unit", "depth"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title_zh__icontains=value)
            | Q(title_en__icontains=value)
            | Q(text_zh__icontains=value)
            | Q(text_en__icontains=value)
        )

    def by_unit(self, queryset, name, value):
        return queryset.filter(unit_links__unit__code=value).distinct()

    def by_lead_unit(self, queryset, name, value):
        return queryset.filter(unit_links__unit__code=value, unit_links__is_lead=True).distinct()
