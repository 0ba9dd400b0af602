"""Choices of the plans app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    PROVINCIAL_DEPARTMENT = "provincial_department", _("provincial department")
    CITY_GOVERNMENT = "city_government", _("city government")
    INSTITUTION = "institution", _("institution")
    COLLECTIVE = "collective", _("group of units")


class ItemKind(models.TextChoices):
    PREAMBLE = "preamble", _("preamble")
    PART = "part", _("part")
    OBJECTIVE = "objective", _("objective")
    TASK_GROUP = "task_group", _("key task group")
    TASK_SUBGROUP = "task_subgroup", _("key task subgroup")
    TASK = "task", _("key task")
    PATH_GROUP = "path_group", _("implementation path")
    PATH_ITEM = "path_item", _("implementation path item")
    MEASURE = "measure", _("safeguard measure")
    COLUMN = "column", _("column")
    COLUMN_ENTRY = "column_entry", _("column entry")


class PlanState(models.TextChoices):
    """A plan's state on a date: derived from its period and its `is_draft` flag (Plan.state_on),
    never stored, so it changes by itself when the period starts or ends."""

    DRAFT = "draft", _("draft")
    UPCOMING = "upcoming", _("not yet in force")
    IN_FORCE = "in_force", _("in force")
    ENDED = "ended", _("ended")


class ReportingFrequency(models.TextChoices):
    """How often the units report on a plan's tasks (DESIGN.md: quarterly by default)."""

    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    HALF_YEARLY = "half_yearly", _("half-yearly")
    YEARLY = "yearly", _("yearly")


# The items that give work to units, on which each of their units reports every period.
REPORTED_ITEM_KINDS = (
    ItemKind.TASK,
    ItemKind.PATH_ITEM,
    ItemKind.MEASURE,
    ItemKind.COLUMN_ENTRY,
)
