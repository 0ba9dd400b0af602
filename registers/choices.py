"""Choices of the registers' pending changes, import batches and background import jobs."""

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


class EditKind(models.TextChoices):
    """How an edit of a counted field is dated (docs/domain.md, "Registers with valid time")."""

    # The world changed on the date the edit takes effect: earlier dates keep the old value.
    CHANGE = "change", _("change (from a date)")
    # The old value was always wrong: it is replaced wherever it held.
    CORRECTION = "correction", _("correction (the old value was wrong)")


class ImportJobState(models.TextChoices):
    QUEUED = "queued", _("waiting for a worker")
    CHECKING = "checking", _("checking the rows")
    # Every row was valid and saved.
    DONE = "done", _("imported")
    # Some row or the file itself was wrong: nothing was saved, the errors are listed.
    REJECTED = "rejected", _("refused, nothing imported")
    # The job could not finish (its time limit, a lost worker): nothing was saved.
    FAILED = "failed", _("did not finish, nothing imported")
