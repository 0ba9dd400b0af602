"""The plan as data: plans, responsible units and the tree of plan items."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from zjai.choices import City
from zjai.collation import Pinyin
from zjai.dates import today
from zjai.numbering import item_number

from .choices import ItemKind, PlanState, ReportingFrequency, UnitKind


class BilingualMixin:
    """`name`/`title`/`text` in the active language, falling back to the other one."""

    def _pick(self, base: str) -> str:
        zh = getattr(self, f"{base}_zh", "") or ""
        en = getattr(self, f"{base}_en", "") or ""
        if (get_language() or "zh-hans").startswith("en"):
            return en or zh
        return zh or en


class Plan(BilingualMixin, models.Model):
    """One action plan: its titles, issuer and period. Deadlines default to the period's end."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    issuer_zh = models.CharField(_("issuer (Chinese)"), max_length=200, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=200, blank=True)
    document_number = models.CharField(_("document number"), max_length=64, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    # A draft (for public comment) is never in force, whatever its period says.
    is_draft = models.BooleanField(_("draft"), default=False)
    source_note = models.TextField(_("source"), blank=True)
    # Which parts of the text the plan file holds and which it lacks.
    coverage_note = models.TextField(_("coverage"), blank=True)
    # Task reports: one per responsible unit of each task-like item per period, due a number
    # of days after the period ends (taskreports.periods).
    reporting_frequency = models.CharField(
        _("task reporting period"),
        max_length=16,
        choices=ReportingFrequency.choices,
        default=ReportingFrequency.QUARTERLY,
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("task reports due (days after the period)"), default=15
    )

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["-period_start", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")),
                name="plan_period_end_after_start",
                violation_error_message=_("The period must end after it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self._pick("title")

    def state_on(self, day: dt.date) -> PlanState:
        """Draft, not yet in force, in force (its period holds the day, both ends included),
        or ended."""
        if self.is_draft:
            return PlanState.DRAFT
        if day < self.period_start:
            return PlanState.UPCOMING
        if day > self.period_end:
            return PlanState.ENDED
        return PlanState.IN_FORCE

    @property
    def issuer(self) -> str:
        """The issuing body in the reader's language."""
        return self._pick("issuer")

    @property
    def state(self) -> PlanState:
        """The plan's state today."""
        return self.state_on(today())


class ResponsibleUnit(BilingualMixin, models.Model):
    """A department, city government or institution the plan makes responsible for its items.

    The source spells some departments several ways; `aliases` keeps those spellings so that
    all of them resolve to this one unit.
    """

    Kind = UnitKind

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=16, choices=City.choices, blank=True)
    aliases = models.JSONField(_("other spellings"), default=list, blank=True)

    class Meta:
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")
        # Within a kind, by name in pinyin order (zjai/collation.py): the order of every
        # select of units.
        ordering = ["kind", Pinyin("name_zh").asc(), "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in UnitKind]),
                name="unit_kind_valid",
                violation_error_message=_("Unknown kind of unit."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def as_link(self, *, lead: bool) -> dict:
        """How the audit trail lists this unit among an item's or a target's units: by code
        and name, and whether it leads."""
        return {"unit": self.code, "name": self.name_zh, "lead": lead}

    @property
    def name(self) -> str:
        return self._pick("name")


class PlanItem(BilingualMixin, models.Model):
    """A node of the plan's tree: a part, a group, a task, a path, a measure, a column or entry."""

    Kind = ItemKind

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    key = models.CharField(_("key"), max_length=64)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=32, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    text_zh = models.TextField(_("text (Chinese)"), blank=True)
    text_en = models.TextField(_("text (English)"), blank=True)
    # Position in the whole plan (a depth-first walk), so one ORDER BY gives the plan's order.
    order = models.PositiveIntegerField(_("order"))
    depth = models.PositiveSmallIntegerField(_("depth"), default=0)
    city = models.CharField(_("city"), max_length=16, choices=City.choices, blank=True)
    units = models.ManyToManyField(
        ResponsibleUnit, through="ItemUnit", related_name="items", verbose_name=_("units")
    )

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "key"],
                name="item_key_unique_in_plan",
                violation_error_message=_("An item with this key already exists in the plan."),
            ),
            models.UniqueConstraint(
                fields=["plan", "order"],
                name="item_order_unique_in_plan",
                violation_error_message=_("Two items cannot share a position in the plan."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ItemKind]),
                name="item_kind_valid",
                violation_error_message=_("Unknown kind of plan item."),
            ),
            models.CheckConstraint(
                condition=~Q(title_zh="") | ~Q(title_en=""),
                name="item_has_a_title",
                violation_error_message=_("An item needs a title in at least one language."),
            ),
        ]

    def __str__(self) -> str:
        return f"{item_number(self.number)} {self.title}".strip()

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def text(self) -> str:
        return self._pick("text")

    @property
    def lead_unit(self) -> ResponsibleUnit | None:
        link = self.unit_links.filter(is_lead=True).select_related("unit").first()
        return link.unit if link else None


# The word the audit history puts after the unit that leads an item or a target ("省经信厅
# (牵头)"): audit.history translates it inside an f-string, which makemessages cannot read, and
# the pages now say "(lead)" whole; this keeps the word in the catalogue.
LEAD = _("lead")


class ItemUnit(models.Model):
    """A unit responsible for an item. The first unit the plan names leads; the rest take part."""

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(ResponsibleUnit, on_delete=models.PROTECT, related_name="item_links")
    order = models.PositiveSmallIntegerField(_("order"))
    is_lead = models.BooleanField(_("leads"), default=False)

    class Meta:
        verbose_name = _("item responsibility")
        verbose_name_plural = _("item responsibilities")
        ordering = ["item", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "unit"],
                name="item_unit_once",
                violation_error_message=_("This unit is already responsible for the item."),
            ),
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(is_lead=True),
                name="item_one_lead_unit",
                violation_error_message=_("An item has one lead unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.key} → {self.unit.code}{' (lead)' if self.is_lead else ''}"
