"""Routes of the project register, registered on the one router in zjai.api.urls."""

from .views import ProjectViewSet

routes = [("projects", ProjectViewSet, "project")]
