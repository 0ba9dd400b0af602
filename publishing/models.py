"""A publication: an administrator's act that makes one edition of a plan public
(docs/open-data.md).

What the public sees of it is `content`, written once when it is published from the edition's
report (publishing.content) and never changed: the public pages, the downloads and the static
export all read it, so nothing a visitor asks for reads the live tables, and a draft, a pending
figure, a reviewer's comment, an evidence file or a staff name can reach the public only if
`content` holds it, which publishing.content never writes.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PublicationQuerySet(models.QuerySet):
    def live(self) -> PublicationQuerySet:
        """Not withdrawn: what the public pages list."""
        return self.filter(withdrawn_at__isnull=True)


class Publication(models.Model):
    plan = models.ForeignKey(
        "plans.Plan", on_delete=models.PROTECT, related_name="publications", verbose_name=_("plan")
    )
    # The plan's publications numbered 1, 2, 3 … in the order they were made: the edition's
    # number in the public addresses (/public/PLAN/editions/N/).
    number = models.PositiveIntegerField(_("number"))
    as_of = models.DateField(_("as of"))
    known_at = models.DateTimeField(_("as known at"))
    # The edition's digest and audit chain head (reports.editions): the same as an export of
    # the same (plan, as of, as known at) shows.
    digest = models.CharField(_("digest"), max_length=64)
    audit_head = models.CharField(_("audit chain head"), max_length=96)
    content = models.JSONField(_("published content"))
    # SHA-256 of `content` (canonical JSON): the public answers' ETag, and how a second
    # publication of the same content is refused.
    content_digest = models.CharField(_("content digest"), max_length=64)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"))
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["plan", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="publication_number_unique"),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="publication_withdrawal_has_reason",
                violation_error_message=_("A withdrawal needs its reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} #{self.number} as of {self.as_of}"

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None
