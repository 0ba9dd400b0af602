"""Routes of the targets app, registered on the one router in zjai.api.urls."""

from .views import MeasurementViewSet, RollupViewSet, TargetViewSet

routes = [
    ("targets", TargetViewSet, "target"),
    ("measurements", MeasurementViewSet, "measurement"),
    ("rollups", RollupViewSet, "rollup"),
]
