"""The four roles of DESIGN.md §1. Each is a Django group of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    REVIEWER = "reviewer", _("Reviewer")
    STAFF = "staff", _("Staff")
    AUDITOR = "auditor", _("Auditor")
