"""Every browser page needs a signed-in user; the API authenticates its own way."""

from django.contrib.auth import middleware as auth_middleware
from django.db.models import prefetch_related_objects


class LoginRequiredMiddleware(auth_middleware.LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for the API (token clients get a JSON 401 from
    DRF instead of a redirect to the sign-in page).

    Open views (`login_not_required`) are let through before the session is read.

    It also loads the signed-in user's groups once, so `user.has_role()` costs no query however
    often a page asks.
    """

    api_prefix = "/api/"

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith(self.api_prefix):
            return None
        # An open page (the public portal, the sign-in page) is answered without reading the
        # session: so it varies by no cookie and a CDN may keep it (publishing.http).
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if user.is_authenticated:
            prefetch_related_objects([user], "groups")
        return super().process_view(request, view_func, view_args, view_kwargs)
