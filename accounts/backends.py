"""The sign-in throttle in front of Django's ModelBackend."""

from axes.backends import AxesStandaloneBackend


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' check, for every sign-in that comes with a request.

    Every HTTP path (the sign-in page, the admin, the API's token and session sign-ins) passes
    the request, so each is throttled. A call without one cannot be driven by a visitor (a
    management command, a test client's `login()`), and django-axes would raise for it, so
    this backend steps aside and lets ModelBackend decide.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
