"""Routes of the notifications app, registered on the one router in zjai.api.urls."""

from .views import NotificationViewSet

routes = [("notifications", NotificationViewSet, "notification")]
