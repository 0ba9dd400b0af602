"""The API's addresses: /api/v1/ (one router for every app's resources), /api/schema/ and
/api/docs/. Included from zjai.urls as `path("api/", include("zjai.api.urls"))`.

Every app's `api/urls.py` lists its routes; registering them on one router gives one API root
that lists every resource. Anything else under /api/ is a JSON 404, not an HTML page.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import APIRootView, DefaultRouter

from accounts.api.urls import routes as account_routes
from audit.api.urls import routes as audit_routes
from enterprises.api.urls import routes as enterprise_routes
from notifications.api.urls import routes as notification_routes
from plans.api.urls import routes as plan_routes
from projects.api.urls import routes as project_routes
from publishing.api.urls import routes as publication_routes
from reports.api.urls import routes as report_routes
from targets.api.urls import routes as target_routes
from taskreports.api.urls import routes as taskreport_routes

from .errors import not_found
from .schema import ApiAutoSchema
from .views import bench_constant

app_name = "api"


class ApiRootView(APIRootView):
    """The API root: the address of every resource. DRF leaves it out of the schema; it is an
    endpoint like any other, so it is documented (and its responses checked) like the rest."""

    schema = ApiAutoSchema()

    @extend_schema(
        summary="The address of every resource",
        responses={
            200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
        },
    )
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return super().get(request, *args, **kwargs)


class ApiRouter(DefaultRouter):
    APIRootView = ApiRootView


router = ApiRouter()
# No `.json` suffix URLs: one address per resource, JSON by default, HTML for browsers.
router.include_format_suffixes = False
for prefix, viewset, basename in [
    *plan_routes,
    *target_routes,
    *enterprise_routes,
    *project_routes,
    *audit_routes,
    *account_routes,
    *report_routes,
    *taskreport_routes,
    *notification_routes,
    *publication_routes,
]:
    router.register(prefix, viewset, basename=basename)

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's settings as a script file, not inline (CSP).
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(
            url_name="api:schema", template_name="api/swagger_ui.html"
        ),
        name="docs",
    ),
]
if settings.ZJAI_BENCH_VIEWS:
    urlpatterns.append(path("bench/constant/", bench_constant, name="bench-constant"))
urlpatterns.append(re_path(r"^.*$", not_found))
