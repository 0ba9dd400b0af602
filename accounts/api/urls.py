"""Routes of the accounts app, registered on the one router in zjai.api.urls."""

from .views import ApiTokenViewSet

routes = [("tokens", ApiTokenViewSet, "token")]
