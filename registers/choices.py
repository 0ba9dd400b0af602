"""Choices of the registers' pending changes and import batches."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeState(models.TextChoices):
    PENDING = "pending", _("awaiting confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("rejected")
    # Its proposer set the fields back to the confirmed values: nothing is left to confirm.
    WITHDRAWN = "withdrawn", _("withdrawn")


class ChangeKind(models.TextChoices):
    CREATE = "create", _("new entry")
    UPDATE = "update", _("change of counted fields")
