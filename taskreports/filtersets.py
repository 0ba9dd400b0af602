"""Filtersets of the task reports app, shared by the API and the browser lists."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import NoticeState, ReportState, TaskStatus
from .models import Milestone, SupervisionNotice, TaskReport
from .rules import ReportRules


class TaskReportFilterSet(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="item__plan__code", label=_("plan"))
    item = django_filters.NumberFilter(field_name="item_id", label=_("task (id)"))
    unit = django_filters.CharFilter(field_name="unit__code", label=_("unit"))
    period = django_filters.DateFilter(field_name="period_start", label=_("period starting"))
    state = django_filters.MultipleChoiceFilter(choices=ReportState.choices, label=_("state"))
    status = django_filters.MultipleChoiceFilter(choices=TaskStatus.choices, label=_("status"))
    to_review = django_filters.BooleanFilter(
        method="by_to_review", label=_("waiting for my review")
    )

    class Meta:
        model = TaskReport
        fields = ["plan", "item", "unit", "period", "state", "status", "to_review"]

    def by_to_review(self, queryset, name, value):
        """Submitted reports the requesting user may review (never one they had a hand in)."""
        user = getattr(self.request, "user", None)
        if not value or user is None or not user.is_authenticated:
            return queryset
        return ReportRules(user).to_review(queryset)


class MilestoneFilterSet(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="item__plan__code", label=_("plan"))
    item = django_filters.NumberFilter(field_name="item_id", label=_("task (id)"))
    unit = django_filters.CharFilter(field_name="unit__code", label=_("owning unit"))
    done = django_filters.BooleanFilter(method="by_done", label=_("done"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("overdue"))

    class Meta:
        model = Milestone
        fields = ["plan", "item", "unit", "done", "overdue"]

    def by_done(self, queryset, name, value):
        return queryset.filter(done_on__isnull=not value)

    def by_overdue(self, queryset, name, value):
        late = Q(done_on__isnull=True, due_on__lt=timezone.localdate())
        return queryset.filter(late) if value else queryset.exclude(late)


class SupervisionNoticeFilterSet(django_filters.FilterSet):
    plan = django_filters.CharFilter(field_name="plan__code", label=_("plan"))
    item = django_filters.NumberFilter(field_name="item_id", label=_("task (id)"))
    unit = django_filters.CharFilter(field_name="unit__code", label=_("unit"))
    issuing_unit = django_filters.CharFilter(
        field_name="issuing_unit__code", label=_("issued by unit")
    )
    state = django_filters.MultipleChoiceFilter(choices=NoticeState.choices, label=_("state"))

    class Meta:
        model = SupervisionNotice
        fields = ["plan", "item", "unit", "issuing_unit", "state"]
