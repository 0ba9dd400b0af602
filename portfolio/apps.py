from django.apps import AppConfig


class PortfolioConfig(AppConfig):
    """The plans with their targets: loading plan files (plans, targets, register links) and the
    pages that show a plan with its progress. It sits above targets (docs/architecture.md)."""

    name = "portfolio"
