from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortfolioConfig(AppConfig):
    """The plans with their targets: loading plan files (plans, targets, register links) and the
    pages that show a plan with its progress. It sits above targets (docs/architecture.md)."""

    name = "portfolio"
    verbose_name = _("plan portfolio")
