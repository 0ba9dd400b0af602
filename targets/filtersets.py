"""Filtersets of the targets app, shared by the API, the browser lists and the exports."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import MeasurementState, ProgressStatus, SourceKind, TargetScope
from .lookup import split_reference
from .models import Measurement, Progress, RollupProgress, Target
from .rules import FigureRules


class TargetFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("title or code"))
    plan = django_filters.CharFilter(field_name="plan__code", label=_("plan"))
    unit = django_filters.CharFilter(method="by_unit", label=_("responsible unit"))
    lead_unit = django_filters.CharFilter(method="by_lead_unit", label=_("lead unit"))
    item = django_filters.CharFilter(method="by_item", label=_("plan item (and below)"))
    status = django_filters.MultipleChoiceFilter(
        choices=ProgressStatus.choices, method="by_status", label=_("status")
    )
    stale = django_filters.BooleanFilter(method="by_stale", label=_("stale"))
    deadline_after = django_filters.DateFilter(
        field_name="deadline", lookup_expr="gte", label=_("deadline on or after")
    )
    deadline_before = django_filters.DateFilter(
        field_name="deadline", lookup_expr="lte", label=_("deadline on or before")
    )
    source_kind = django_filters.ChoiceFilter(choices=SourceKind.choices, label=_("source"))
    scope = django_filters.ChoiceFilter(choices=TargetScope.choices, label=_("scope"))
    headline = django_filters.BooleanFilter(label=_("headline target"))

    class Meta:
        model = Target
        fields = [
            "q",
            "plan",
            "unit",
            "lead_unit",
            "item",
            "status",
            "stale",
            "source_kind",
            "scope",
            "headline",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(code__icontains=value) | Q(title_zh__icontains=value) | Q(title_en__icontains=value)
        )

    def by_unit(self, queryset, name, value):
        return queryset.filter(unit_links__unit__code=value).distinct()

    def by_lead_unit(self, queryset, name, value):
        return queryset.filter(unit_links__unit__code=value, unit_links__is_lead=True).distinct()

    def by_item(self, queryset, name, value):
        # The item itself and every item below it (keys nest: "II.4" → "II.4.1.1").
        return queryset.filter(Q(item__key=value) | Q(item__key__startswith=f"{value}."))

    def by_status(self, queryset, name, value):
        if not value:
            return queryset
        latest = Progress.objects.latest_per_target().filter(status__in=value)
        return queryset.filter(pk__in=latest.values("target_id"))

    def by_stale(self, queryset, name, value):
        latest = Progress.objects.latest_per_target().filter(stale=True).values("target_id")
        return queryset.filter(pk__in=latest) if value else queryset.exclude(pk__in=latest)


class MeasurementFilterSet(django_filters.FilterSet):
    # plan:code, or a bare code (the target of that code in every plan).
    target = django_filters.CharFilter(method="by_target", label=_("target"))
    plan = django_filters.CharFilter(field_name="target__plan__code", label=_("plan"))
    state = django_filters.MultipleChoiceFilter(choices=MeasurementState.choices, label=_("state"))
    unit = django_filters.CharFilter(method="by_unit", label=_("responsible unit"))
    reporting_unit = django_filters.CharFilter(
        field_name="unit__code", label=_("reporting unit (whose staff change and submit it)")
    )
    observed_after = django_filters.DateFilter(
        field_name="observed_on", lookup_expr="gte", label=_("describes a date on or after")
    )
    observed_before = django_filters.DateFilter(
        field_name="observed_on", lookup_expr="lte", label=_("describes a date on or before")
    )
    created_by = django_filters.CharFilter(
        field_name="created_by__username", label=_("reported by")
    )
    to_review = django_filters.BooleanFilter(
        method="by_to_review", label=_("waiting for my review")
    )

    class Meta:
        model = Measurement
        fields = ["target", "plan", "state", "unit", "reporting_unit", "created_by", "to_review"]

    def by_target(self, queryset, name, value):
        plan, code = split_reference(value)
        if plan is not None:
            queryset = queryset.filter(target__plan__code=plan)
        return queryset.filter(target__code=code)

    def by_unit(self, queryset, name, value):
        return queryset.filter(target__unit_links__unit__code=value).distinct()

    def by_to_review(self, queryset, name, value):
        """Submitted figures the requesting user may review (targets.rules): never those they
        created, edited or submitted."""
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return FigureRules(user).to_review(queryset)


class ProgressFilterSet(django_filters.FilterSet):
    """A target's progress over time (the API's targets/{code}/history/): `from` and `to` are
    the first and last computation dates wanted, both included."""

    class Meta:
        model = Progress
        fields = ["status", "stale"]

    # `from` is a Python keyword, so these two are added to the class's namespace by name.
    locals()["from"] = django_filters.DateFilter(
        field_name="as_of", lookup_expr="gte", label=_("from (as of, included)")
    )
    locals()["to"] = django_filters.DateFilter(
        field_name="as_of", lookup_expr="lte", label=_("to (as of, included)")
    )


class RollupFilterSet(django_filters.FilterSet):
    """Roll-ups (the API's rollups/): of one plan, scope, item, unit, computation date."""

    plan = django_filters.CharFilter(field_name="plan__code", label=_("plan"))
    item = django_filters.CharFilter(field_name="item__key", label=_("plan item"))
    unit = django_filters.CharFilter(field_name="unit__code", label=_("responsible unit"))

    class Meta:
        model = RollupProgress
        fields = ["scope", "as_of"]
