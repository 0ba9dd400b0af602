"""Third-party apps as this site names them.

django-axes ships no Chinese catalogue, so its app and its models and fields read English in the
Chinese admin. Its model, field and filter names are marked for translation (gettext_lazy), so
they are translated by our catalogue once it holds them: `AXES_MESSAGES` lists them for
makemessages, and `AxesConfig` gives the app a translated name (INSTALLED_APPS names it in
place of "axes"; its label stays "axes", so its tables and migrations are the same)."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    verbose_name = _("sign-in attempts")


# django-axes' own msgids (axes/models.py, axes/admin.py), for our catalogue: never shown from
# here.
AXES_MESSAGES = (
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("Access Attempt"),
    _("Access lock out"),
    _("Attempt Remaining"),
    _("Attempt Time"),
    _("Clean up expired attempts"),
    _("Expires At"),
    _("Failed Logins"),
    _("Form Data"),
    _("GET Data"),
    _("HTTP Accept"),
    _("IP Address"),
    _("Locked Out"),
    _("Logout Time"),
    _("Meta Data"),
    _("Not set"),
    _("POST Data"),
    _("Path"),
    _("Session key hash (sha256)"),
    _("The time when access attempt expires and is no longer valid."),
    _("User Agent"),
    _("Username"),
    _("Yes"),
    _("No"),
)
