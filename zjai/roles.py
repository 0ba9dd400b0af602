"""The four roles of DESIGN.md §1.

The frame knows the roles' names because every layer checks them (pages, API permissions, the
audit log's readers); the accounts app owns the users and groups that carry them.
"""

from django.db import models
from django.utils.translation import gettext_lazy


class Role(models.TextChoices):
    """Each role is a Django group of the same name."""

    ADMIN = "admin", gettext_lazy("Administrator")
    REVIEWER = "reviewer", gettext_lazy("Reviewer")
    STAFF = "staff", gettext_lazy("Staff")
    AUDITOR = "auditor", gettext_lazy("Auditor")
