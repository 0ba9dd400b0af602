"""Routes of the enterprise register, registered on the one router in zjai.api.urls."""

from .views import EnterpriseViewSet

routes = [("enterprises", EnterpriseViewSet, "enterprise")]
