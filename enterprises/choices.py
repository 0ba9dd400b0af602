"""Choices of the enterprise register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    LEADING = "leading", _("leading enterprise")
    BENCHMARK = "benchmark", _("benchmark enterprise")
    SPECIALISED = "specialised", _("specialised SME")


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    REVOKED = "revoked", _("revoked")
