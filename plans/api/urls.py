"""Routes of the plans app, registered on the one router in zjai.api.urls."""

from .views import PlanItemViewSet, PlanViewSet, ResponsibleUnitViewSet

routes = [
    ("plans", PlanViewSet, "plan"),
    ("units", ResponsibleUnitViewSet, "unit"),
    ("items", PlanItemViewSet, "item"),
]
