"""The project register: major projects, demonstration projects, smart factories, first sets…"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from registers.models import EntryHistory, ValidTime
from zjai.choices import City, Sector
from zjai.collation import Pinyin
from zjai.decimals import ExactDecimalField
from zjai.validators import validate_sensible_date

from .choices import ProjectKind, ProjectLevel, ProjectStatus


class ProjectQuerySet(models.QuerySet):
    def for_user(self, user) -> ProjectQuerySet:
        """The register is readable by every signed-in user."""
        if not user.is_authenticated:
            return self.none()
        return self


class Project(ValidTime, models.Model):
    """A project whose count or investment is the progress of a target (DESIGN.md §2)."""

    Kind = ProjectKind

    Level = ProjectLevel

    Status = ProjectStatus

    name_zh = models.CharField(_("name (Chinese)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.PLANNED
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    city = models.CharField(_("city"), max_length=16, choices=City.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    owner_unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        verbose_name=_("managing unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="projects",
    )
    # 万元, 0 to 9,999,999,999,999.99: 15 digits, what both databases keep exactly
    # (zjai/decimals.py). The largest projects are some 2,000 亿元 (2e7 万元).
    planned_investment = ExactDecimalField(
        _("planned investment (10,000 yuan)"),
        max_digits=15,
        decimal_places=2,
        minimum=0,
        null=True,
        blank=True,
    )
    completed_investment = ExactDecimalField(
        _("completed investment (10,000 yuan)"),
        max_digits=15,
        decimal_places=2,
        minimum=0,
        null=True,
        blank=True,
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, validators=[validate_sensible_date]
    )
    accepted_on = models.DateField(
        _("accepted on"), null=True, blank=True, validators=[validate_sensible_date]
    )
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    # False for a new entry that would count until a second person confirms it: counted nowhere
    # (targets/values.py). Rows written outside the services (the plan file's enterprises, demo
    # data, rows from before four eyes) are confirmed as written.
    confirmed = models.BooleanField(_("confirmed"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # Names in pinyin order (zjai/collation.py); on PostgreSQL the index
        # project_name_pinyin (migration 0009, PostgreSQL only) serves it.
        ordering = [Pinyin("name_zh").asc(), "id"]
        indexes = [
            models.Index(fields=["kind", "status", "accepted_on"], name="project_kind_status_date"),
            models.Index(fields=["city", "kind"], name="project_city_kind"),
            models.Index(fields=["name_zh", "id"], name="project_name"),
            # The browser list sorts by these columns, the id breaking ties (zjai/lists.py).
            models.Index(fields=["kind", "id"], name="project_sort_kind"),
            models.Index(fields=["status", "id"], name="project_sort_status"),
            models.Index(fields=["city", "id"], name="project_sort_city"),
            models.Index(fields=["start_date", "id"], name="project_sort_start"),
            models.Index(fields=["planned_investment", "id"], name="project_sort_investment"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in ProjectKind]),
                name="project_kind_valid",
                violation_error_message=_("Unknown kind of project."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=[v.value for v in ProjectLevel]),
                name="project_level_valid",
                violation_error_message=_("Unknown project level."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProjectStatus]),
                name="project_status_valid",
                violation_error_message=_("Unknown project status."),
            ),
            models.CheckConstraint(
                condition=Q(city__in=[c.value for c in City]),
                name="project_city_in_zhejiang",
                violation_error_message=_("The city must be one of Zhejiang's 11 cities."),
            ),
            models.CheckConstraint(
                condition=Q(planned_investment__isnull=True) | Q(planned_investment__gte=0),
                name="project_planned_investment_non_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(completed_investment__isnull=True) | Q(completed_investment__gte=0),
                name="project_completed_investment_non_negative",
                violation_error_message=_("Investment cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(status="accepted") | Q(accepted_on__isnull=True),
                name="project_only_accepted_has_acceptance_date",
                violation_error_message=_("Only an accepted project has an acceptance date."),
            ),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(start_date__isnull=False),
                name="project_started_has_start_date",
                violation_error_message=_("A project under way or finished needs its start date."),
            ),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_on__isnull=False),
                name="project_accepted_has_date",
                violation_error_message=_("An accepted project needs its acceptance date."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_on__isnull=True)
                | Q(start_date__isnull=True)
                | Q(accepted_on__gte=models.F("start_date")),
                name="project_accepted_after_start",
                violation_error_message=_("A project cannot be accepted before it starts."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the reader's language: English where there is one, else Chinese."""
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name_zh


class ProjectHistory(EntryHistory):
    """A period of a project's counted values (registers.models.EntryHistory); the fields are
    the project's counted ones (projects.services.COUNTED), under the same names."""

    entry = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="history", verbose_name=_("project")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=ProjectKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=ProjectLevel.choices)
    status = models.CharField(_("status"), max_length=32, choices=ProjectStatus.choices)
    city = models.CharField(_("city"), max_length=16, choices=City.choices)
    sector = models.CharField(_("sector"), max_length=32, choices=Sector.choices, blank=True)
    planned_investment = ExactDecimalField(
        _("planned investment (10,000 yuan)"),
        max_digits=15,
        decimal_places=2,
        minimum=0,
        null=True,
        blank=True,
    )
    completed_investment = ExactDecimalField(
        _("completed investment (10,000 yuan)"),
        max_digits=15,
        decimal_places=2,
        minimum=0,
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    accepted_on = models.DateField(_("accepted on"), null=True, blank=True)

    class Meta(EntryHistory.Meta):
        verbose_name = _("project history")
        verbose_name_plural = _("project history")
        indexes = [
            models.Index(fields=["entry", "replaced_at"], name="project_history_entry"),
            models.Index(fields=["kind", "valid_from"], name="project_history_kind"),
        ]
