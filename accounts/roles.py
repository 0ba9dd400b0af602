"""The four roles of DESIGN.md §1. Each is a Django group of the same name."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    REVIEWER = "reviewer", _("Reviewer")
    STAFF = "staff", _("Staff")
    AUDITOR = "auditor", _("Auditor")


def ensure_role_groups() -> None:
    """Create the role groups if they are missing (idempotent)."""
    from django.contrib.auth.models import Group

    for role in Role:
        Group.objects.get_or_create(name=role.value)
