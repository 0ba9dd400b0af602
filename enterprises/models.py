"""The enterprise register: AI enterprises, their tier and when it was recognised."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registers.models import EntryHistory, ValidTime
from zjai.choices import City, Sector
from zjai.collation import Pinyin
from zjai.validators import validate_sensible_date

from .choices import EnterpriseStatus, Tier
from .uscc import validate_uscc


class EnterpriseQuerySet(models.QuerySet):
    def for_user(self, user) -> EnterpriseQuerySet:
        """The register is public inside the system: every signed-in user may read it."""
        if not user.is_authenticated:
            return self.none()
        return self


class Enterprise(ValidTime, models.Model):
    """An enterprise of the register. Its tier counts toward the 10/100/500 targets."""

    Tier = Tier

    Status = EnterpriseStatus

    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters, GB 32100-2015. Left empty where it is not known."),
    )
    city = models.CharField(_("city"), max_length=16, choices=City.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    recognised_on = models.DateField(
        _("recognised on"), null=True, blank=True, validators=[validate_sensible_date]
    )
    recognised_by = models.CharField(_("recognised by"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    revoked_on = models.DateField(
        _("revoked on"), null=True, blank=True, validators=[validate_sensible_date]
    )
    owner_unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        verbose_name=_("managing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprises",
    )
    # Enterprises the plan itself names carry the key the plan file gives them.
    plan_key = models.CharField(_("plan key"), max_length=64, unique=True, null=True, blank=True)
    named_in = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="named_enterprises", verbose_name=_("named in")
    )
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    # False for a new entry that would count until a second person confirms it: counted nowhere
    # (targets/values.py). Rows written outside the services (the plan file's enterprises, demo
    # data, rows from before four eyes) are confirmed as written.
    confirmed = models.BooleanField(_("confirmed"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        # Names in pinyin order (zjai/collation.py); on PostgreSQL the index
        # enterprise_name_pinyin (migration 0006, PostgreSQL only) serves it.
        ordering = [Pinyin("name_zh").asc(), "id"]
        indexes = [
            models.Index(fields=["tier", "recognised_on"], name="enterprise_tier_date"),
            models.Index(fields=["city", "sector"], name="enterprise_city_sector"),
            models.Index(fields=["name_zh", "id"], name="enterprise_name"),
            # The browser list sorts by these columns, the id breaking ties (zjai/lists.py).
            models.Index(fields=["recognised_on", "id"], name="enterprise_sort_recognised"),
            models.Index(fields=["tier", "id"], name="enterprise_sort_tier"),
            models.Index(fields=["city", "id"], name="enterprise_sort_city"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(city__in=[c.value for c in City]),
                name="enterprise_city_in_zhejiang",
                violation_error_message=_("The city must be one of Zhejiang's 11 cities."),
            ),
            models.CheckConstraint(
                condition=Q(tier="") | Q(tier__in=[t.value for t in Tier]),
                name="enterprise_tier_valid",
                violation_error_message=_("Unknown tier."),
            ),
            models.CheckConstraint(
                condition=Q(tier="") | Q(recognised_on__isnull=False),
                name="enterprise_tier_has_date",
                violation_error_message=_("A tier needs the date it was recognised."),
            ),
            models.CheckConstraint(
                condition=(Q(status="active") & Q(revoked_on__isnull=True))
                | (Q(status="revoked") & Q(revoked_on__isnull=False)),
                name="enterprise_revocation_dated",
                violation_error_message=_(
                    "A revoked enterprise needs the date of revocation; an active one has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(revoked_on__isnull=True)
                | Q(recognised_on__isnull=True)
                | Q(revoked_on__gte=models.F("recognised_on")),
                name="enterprise_revoked_after_recognised",
                violation_error_message=_("A recognition cannot be revoked before it was made."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()


class EnterpriseHistory(EntryHistory):
    """A period of an enterprise's counted values (registers.models.EntryHistory); the fields
    are the enterprise's counted ones (enterprises.services.COUNTED), under the same names."""

    entry = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="history", verbose_name=_("enterprise")
    )
    city = models.CharField(_("city"), max_length=16, choices=City.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    recognised_on = models.DateField(_("recognised on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=EnterpriseStatus.choices)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)

    class Meta(EntryHistory.Meta):
        verbose_name = _("enterprise history")
        verbose_name_plural = _("enterprise history")
        indexes = [
            models.Index(fields=["entry", "replaced_at"], name="enterprise_history_entry"),
            models.Index(fields=["tier", "valid_from"], name="enterprise_history_tier"),
        ]
