"""Routes of the reports app, registered on the one router in zjai.api.urls."""

from .views import EditionViewSet

routes = [("editions", EditionViewSet, "edition")]
