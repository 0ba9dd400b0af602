from django.apps import AppConfig


class RegistersConfig(AppConfig):
    """What the enterprise and project registers share: rules, writes, pages, imports, API."""

    name = "registers"
