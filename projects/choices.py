"""Choices of the project register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    MAJOR = "major", _("major project")
    DEMONSTRATION = (
        "demonstration",
        _("demonstration project of a new intelligent manufacturing model"),
    )
    SMART_FACTORY = "smart_factory", _("smart factory")
    FIRST_SET = "first_set", _("first unit (set) of intelligent equipment")
    SMART_PRODUCT = "smart_product", _("smart upgrade product")
    PLATFORM = "platform", _("innovation platform")
    BASE = "base", _("industrial base")


class ProjectLevel(models.TextChoices):
    NATIONAL = "national", _("national")
    PROVINCIAL = "provincial", _("provincial")
    CITY = "city", _("city")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    UNDER_CONSTRUCTION = "under_construction", _("under construction")
    COMPLETED = "completed", _("completed")
    ACCEPTED = "accepted", _("accepted")
