from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistersConfig(AppConfig):
    """What the enterprise and project registers share: rules, writes, pages, imports, API."""

    name = "registers"
    verbose_name = _("registers")
