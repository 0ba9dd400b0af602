"""URLs: the browser pages, the admin, the API (issue 5) and language switching.

Evidence files are not served from MEDIA_URL: a figure's file is downloaded through
targets.views.evidence, which checks that the user may see the figure.
"""

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from zjai.health import healthz

# A database lost while Django saves the session, after every middleware of ours has run: the
# 503 page rather than Django's 400 or 500 (zjai.faults).
handler400 = "zjai.faults.bad_request"
handler500 = "zjai.faults.server_error"

# The admin's header and title in the site's name and language, not "Django administration".
admin.site.site_header = admin.site.site_title = _("AI Action Plan tracker")


@login_not_required
def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Browsers and feed readers ask for /favicon.ico whatever the page says. The static file's
    address is read per request: with hashed names it needs the manifest."""
    return HttpResponsePermanentRedirect(static("img/favicon.ico"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/", include("zjai.api.urls")),
    path("accounts/", include("accounts.urls")),
    # Anonymous visitors may switch the language of the sign-in page.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # The open data's downloads first: before any other "public/" pages.
    path("public/", include("publishing.data_urls")),
    path("", include("portfolio.urls")),
    path("", include("targets.urls")),
    path("enterprises/", include("enterprises.urls")),
    path("projects/", include("projects.urls")),
    path("registers/", include("registers.urls")),
    path("reports/", include("reports.urls")),
    path("publications/", include("publishing.staff_urls")),
    path("search/", include("search.urls")),
    path("tasks/", include("taskreports.urls")),
    path("inbox/", include("notifications.urls")),
    # The public portal: no sign-in (publishing.http.public; docs/open-data.md).
    path("public/", include("publishing.urls")),
]
