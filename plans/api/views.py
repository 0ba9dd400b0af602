"""Read-only endpoints of the plan as data. The plan is public to every user with a role."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from audit.api.caching import SharedListCacheMixin
from plans.filtersets import PlanFilterSet, PlanItemFilterSet, ResponsibleUnitFilterSet
from plans.models import ItemUnit, Plan, PlanItem, ResponsibleUnit
from zjai.api.views import ReadOnlyViewSet

from .serializers import PlanItemSerializer, PlanSerializer, ResponsibleUnitSerializer


def unit_links() -> Prefetch:
    """An item's units with their codes, lead first, in one query for the whole page."""
    return Prefetch(
        "unit_links", queryset=ItemUnit.objects.select_related("unit").order_by("order", "pk")
    )


class PlanViewSet(SharedListCacheMixin, ReadOnlyViewSet):
    """Action plans (one so far: zj-ai-2019-2022), by code."""

    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet
    lookup_field = "code"
    search_fields = ["code", "title_zh", "title_en"]
    ordering_fields = ["code", "period_start", "issued_on"]
    ordering = ["-period_start", "code"]


class ResponsibleUnitViewSet(SharedListCacheMixin, ReadOnlyViewSet):
    """Departments, city governments and institutions the plan makes responsible, by code."""

    queryset = ResponsibleUnit.objects.all()
    serializer_class = ResponsibleUnitSerializer
    filterset_class = ResponsibleUnitFilterSet
    lookup_field = "code"
    search_fields = ["code", "name_zh", "name_en"]
    ordering_fields = ["code", "kind", "city"]
    ordering = ["kind", "code"]


class PlanItemViewSet(SharedListCacheMixin, ReadOnlyViewSet):
    """The plan's tree: parts, groups, tasks, paths, measures, columns, in reading order."""

    serializer_class = PlanItemSerializer
    filterset_class = PlanItemFilterSet
    search_fields = ["key", "number", "title_zh", "title_en", "text_zh", "text_en"]
    ordering_fields = ["order", "key", "depth", "kind"]
    ordering = ["plan_id", "order"]

    def get_queryset(self) -> QuerySet[PlanItem]:
        return PlanItem.objects.select_related("plan", "parent").prefetch_related(unit_links())
