"""Routes of publishing, registered on the one router in zjai.api.urls."""

from .views import PublicationViewSet

routes = [("publications", PublicationViewSet, "publication")]
