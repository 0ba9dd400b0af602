"""Targets, the figures reported against them, and the progress computed from both."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plans.models import BilingualMixin
from zjai.decimals import ExactDecimalField
from zjai.uploads import RandomName
from zjai.validators import validate_sensible_date

from . import rules
from .choices import (
    Comparator,
    FigureDecision,
    GrowthModel,
    MeasurementState,
    ProgressStatus,
    Register,
    RollupScope,
    SourceKind,
    TargetScope,
    VerdictStatus,
)

# A target's metadata texts (Target.definition_zh, …): what sets `metadata_updated_at` when it
# changes, in the services, the admin, the API and the plan file alike.
METADATA_FIELDS = (
    "definition_zh",
    "definition_en",
    "computation_zh",
    "computation_en",
    "data_source_zh",
    "data_source_en",
    "limitations_zh",
    "limitations_en",
)


# The longest metadata text the API and the admin take (a few paragraphs).
TARGET_METADATA_MAX_LENGTH = 4000


class TargetQuerySet(models.QuerySet):
    def for_user(self, user) -> TargetQuerySet:
        """Targets are public to every signed-in user (targets.rules); who may report for one
        is FigureRules.may_report."""
        return self if rules.sees_targets(user) else self.none()


class Target(BilingualMixin, models.Model):
    """A quantitative target the plan states, with where its current value comes from."""

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="targets")
    code = models.SlugField(_("code"), max_length=64)
    item = models.ForeignKey(
        "plans.PlanItem",
        verbose_name=_("stated in"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    restated_in = models.ManyToManyField(
        "plans.PlanItem", blank=True, related_name="restated_targets", verbose_name=_("restated in")
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    quote = models.TextField(_("the plan's words"), blank=True)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=32)
    unit_of_measure_en = models.CharField(_("unit of measure (English)"), max_length=64)
    comparator = models.CharField(
        _("comparator"), max_length=3, choices=Comparator.choices, default=Comparator.AT_LEAST
    )
    # Target values, baselines, figures and current values: 15 digits, 4 after the point
    # (±99,999,999,999.9999), what both databases keep exactly (zjai/decimals.py). The largest
    # in the plan is 150,000 robots.
    target_value = ExactDecimalField(_("target value"), max_digits=15, decimal_places=4)
    baseline_value = ExactDecimalField(
        _("baseline value"), max_digits=15, decimal_places=4, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    # The baseline an administrator sets where the plan states none (docs/progress.md,
    # "The baseline"): changed through services.update_target, audited with a reason. The
    # plan's own baseline (above, from the plan file) wins over it.
    admin_baseline_value = ExactDecimalField(
        _("baseline set by an administrator"),
        max_digits=15,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Used only where the plan states no baseline; give the date it describes too."),
    )
    admin_baseline_date = models.DateField(
        _("date of the administrator's baseline"), null=True, blank=True
    )
    deadline = models.DateField(_("deadline"))
    scope = models.CharField(
        _("scope"), max_length=16, choices=TargetScope.choices, default=TargetScope.PROVINCE
    )
    growth_model = models.CharField(
        _("growth model"), max_length=16, choices=GrowthModel.choices, default=GrowthModel.LINEAR
    )
    source_kind = models.CharField(_("source"), max_length=16, choices=SourceKind.choices)
    source_register = models.CharField(
        _("register"), max_length=16, choices=Register.choices, blank=True
    )
    source_field = models.CharField(_("summed field"), max_length=32, blank=True)
    source_filter = models.JSONField(_("register filter"), default=dict, blank=True)
    # Registers keep investment in 万元; a target in 亿元 multiplies the sum by 0.0001.
    source_scale = ExactDecimalField(
        _("scale"), max_digits=12, decimal_places=8, default=Decimal(1)
    )
    # The target this one continues in an earlier plan (docs/plan-file.md, `predecessor`).
    predecessor = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("predecessor"),
    )
    # The baseline is the predecessor's closing verdict (value, date), copied at load; empty
    # while the predecessor has none (docs/plan-file.md, `baseline_from`).
    baseline_from_predecessor = models.BooleanField(
        _("baseline from the predecessor's verdict"), default=False
    )
    # A counted target's date window (docs/plan-file.md, `source.window`): only the entries
    # whose counting date (recognised_on, start_date or accepted_on) falls within it count.
    # Both empty: cumulative, every entry counts.
    window_start = models.DateField(_("counts entries from"), null=True, blank=True)
    window_end = models.DateField(_("counts entries until"), null=True, blank=True)
    allows_negative = models.BooleanField(_("values may be negative"), default=False)
    weight = ExactDecimalField(_("weight in roll-ups"), max_digits=6, decimal_places=3, default=1)
    headline = models.BooleanField(_("headline target"), default=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    units = models.ManyToManyField(
        "plans.ResponsibleUnit",
        through="TargetUnit",
        related_name="targets",
        verbose_name=_("responsible units"),
    )
    # The target's metadata, as the public portal shows it beside the figures (like Open
    # SDG's indicator metadata). The unit responsible for it is the lead unit. Written by the
    # plan file and services.update_target, which also set `metadata_updated_at`.
    definition_zh = models.TextField(
        _("definition (Chinese)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    definition_en = models.TextField(
        _("definition (English)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    computation_zh = models.TextField(
        _("how it is measured (Chinese)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    computation_en = models.TextField(
        _("how it is measured (English)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    data_source_zh = models.TextField(
        _("data source (Chinese)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    data_source_en = models.TextField(
        _("data source (English)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    limitations_zh = models.TextField(
        _("limitations (Chinese)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    limitations_en = models.TextField(
        _("limitations (English)"),
        blank=True,
        default="",
        max_length=TARGET_METADATA_MAX_LENGTH,
    )
    # When one of the texts above last changed: set by the write that changes them, never typed.
    metadata_updated_at = models.DateTimeField(_("metadata last updated"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Set in the same transaction as any write that changes the target's inputs and cleared
    # by the recompute that has seen it, so a recompute lost while the broker was down is
    # caught up by the sweep.
    dirty_since = models.DateTimeField(_("changed since last computed"), null=True, blank=True)

    objects = TargetQuerySet.as_manager()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["plan", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="target_code_unique_in_plan",
                violation_error_message=_("A target with this code already exists in the plan."),
            ),
            models.CheckConstraint(
                condition=Q(comparator__in=[c.value for c in Comparator]),
                name="target_comparator_valid",
                violation_error_message=_("Unknown comparator."),
            ),
            models.CheckConstraint(
                condition=Q(growth_model__in=[g.value for g in GrowthModel]),
                name="target_growth_model_valid",
                violation_error_message=_("Unknown growth model."),
            ),
            models.CheckConstraint(
                condition=(Q(source_kind="reported") & Q(source_register=""))
                | (Q(source_kind="count") & ~Q(source_register=""))
                | (Q(source_kind="sum") & ~Q(source_register="") & ~Q(source_field="")),
                name="target_source_complete",
                violation_error_message=_(
                    "A counted target names its register; a summed one also names the field."
                ),
            ),
            models.CheckConstraint(
                condition=Q(allows_negative=True) | Q(target_value__gte=0),
                name="target_value_non_negative",
                violation_error_message=_("The target value cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="target_weight_positive",
                violation_error_message=_("A weight must be positive."),
            ),
            models.CheckConstraint(
                # Spelled out: `baseline_value > 0` is NULL, not false, for a missing baseline,
                # and a NULL check passes.
                condition=~Q(growth_model="compound")
                | (Q(baseline_value__isnull=False) & Q(baseline_value__gt=0)),
                name="target_compound_needs_baseline",
                violation_error_message=_("Compound growth needs a baseline above zero."),
            ),
            models.CheckConstraint(
                condition=(Q(window_start__isnull=True) & Q(window_end__isnull=True))
                | (
                    ~Q(source_kind="reported")
                    & Q(window_start__isnull=False)
                    & Q(window_end__gte=models.F("window_start"))
                ),
                name="target_window_valid",
                violation_error_message=_(
                    "A date window belongs to a counted target and ends on or after its start."
                ),
            ),
            models.CheckConstraint(
                condition=Q(admin_baseline_value__isnull=True, admin_baseline_date__isnull=True)
                | Q(admin_baseline_value__isnull=False, admin_baseline_date__isnull=False),
                name="target_admin_baseline_complete",
                violation_error_message=_(
                    "A baseline set by an administrator needs both its value and its date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    @property
    def title(self) -> str:
        return self._pick("title")

    @property
    def definition(self) -> str:
        return self._pick("definition")

    @property
    def computation(self) -> str:
        return self._pick("computation")

    @property
    def data_source(self) -> str:
        return self._pick("data_source")

    @property
    def limitations(self) -> str:
        return self._pick("limitations")

    @property
    def has_metadata(self) -> bool:
        return any(getattr(self, name) for name in METADATA_FIELDS)

    @property
    def is_reported(self) -> bool:
        return self.source_kind == SourceKind.REPORTED


class TargetUnit(models.Model):
    """A unit responsible for a target; the lead unit's reviewers approve its figures."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="unit_links")
    unit = models.ForeignKey(
        "plans.ResponsibleUnit", on_delete=models.PROTECT, related_name="target_links"
    )
    order = models.PositiveSmallIntegerField(_("order"))
    is_lead = models.BooleanField(_("leads"), default=False)

    class Meta:
        verbose_name = _("target responsibility")
        verbose_name_plural = _("target responsibilities")
        ordering = ["target", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "unit"],
                name="target_unit_once",
                violation_error_message=_("This unit is already responsible for the target."),
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(is_lead=True),
                name="target_one_lead_unit",
                violation_error_message=_("A target has one lead unit."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} → {self.unit.code}{' (lead)' if self.is_lead else ''}"


# A figure's note, review comment and withdrawal reason: one limit for the forms and the API,
# so text saved through one can always be edited through the other.
FIGURE_TEXT_MAX_LENGTH = 4000


# The states of a figure that counted once: approved, or approved and later taken back.
COUNTING_STATES = [
    MeasurementState.APPROVED.value,
    MeasurementState.WITHDRAWN.value,
    MeasurementState.SUPERSEDED.value,
]


class MeasurementQuerySet(models.QuerySet):
    def approved_as_of(self, as_of, known_at=None) -> MeasurementQuerySet:
        """Figures that describe a date on or before `as_of` and were approved by `known_at`
        (default: the end of `as_of`, what was known that day)."""
        from zjai.dates import end_of_day

        # A withdrawn or superseded figure still counts for dates before it was withdrawn or
        # superseded, so a report as of a past date says what it said then.
        end = known_at or end_of_day(as_of)
        return (
            self.filter(
                state__in=COUNTING_STATES,
                observed_on__lte=as_of,
                reviewed_at__lte=end,
            )
            .filter(Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=end))
            .filter(Q(superseded_at__isnull=True) | Q(superseded_at__gt=end))
        )

    def for_user(self, user) -> MeasurementQuerySet:
        """The figures the user may see (targets.rules.visible_figures)."""
        return rules.visible_figures(self, user)


class Measurement(models.Model):
    """A figure reported for a target: draft → submitted → approved | rejected.

    Only approved figures count. State changes go through targets.services, which records who
    did what and when, and enqueues the recompute after the transaction commits.
    """

    State = MeasurementState

    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="measurements")
    value = ExactDecimalField(_("value"), max_digits=15, decimal_places=4)
    observed_on = models.DateField(_("date described"), validators=[validate_sensible_date])
    note = models.TextField(_("evidence note"), blank=True, max_length=FIGURE_TEXT_MAX_LENGTH)
    # Stored under a random name (two uploads of "robots.pdf" never become
    # "robots_wYe3xMo.pdf"); shown and downloaded under the name the user uploaded.
    evidence = models.FileField(
        _("evidence file"), upload_to=RandomName("evidence/%Y/%m/"), blank=True
    )
    evidence_name = models.CharField(_("evidence file name"), max_length=255, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="measurements_created",
        verbose_name=_("reported by"),
    )
    created_at = models.DateTimeField(_("created at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements_submitted",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements_reviewed",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(
        _("review comment"), blank=True, max_length=FIGURE_TEXT_MAX_LENGTH
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements_withdrawn",
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(
        _("reason for withdrawal"), blank=True, max_length=FIGURE_TEXT_MAX_LENGTH
    )
    # The approved figure for the same target and date that replaced this one, and when.
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supersedes",
        verbose_name=_("superseded by"),
    )
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # The unit that reported the figure: only its staff (and administrators) edit and submit
    # it, not another unit responsible for the same target (targets.rules). Empty only for a
    # figure whose reporter had no unit, for a target without a lead unit.
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="measurements",
        verbose_name=_("reporting unit"),
    )
    # Everyone who created, changed or submitted the figure, written by targets.services with
    # each of those steps: four eyes keep them all from reviewing it (targets.rules).
    editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="MeasurementEditor",
        related_name="measurements_edited",
        verbose_name=_("created, changed or submitted by"),
    )

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["target", "-observed_on", "-id"]
        indexes = [
            models.Index(
                fields=["target", "state", "observed_on"], name="measurement_target_state_date"
            ),
            # The latest counting figure per target, read backwards by the recompute.
            models.Index(
                fields=["target", "observed_on", "reviewed_at", "id"],
                condition=Q(state__in=["approved", "withdrawn", "superseded"]),
                name="measurement_counting",
            ),
            # The figures in progress on a target's page, newest first, without sorting a
            # target's thousands of drafts (PENDING_ROWS of them are shown).
            models.Index(
                fields=["target", "-created_at", "-id"],
                condition=Q(state__in=["draft", "submitted", "rejected"]),
                name="measurement_pending",
            ),
            # The figures list's default order, newest first: a million figures are not sorted
            # to show the first page.
            models.Index(fields=["-observed_on", "-id"], name="measurement_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=[s.value for s in MeasurementState]),
                name="measurement_state_valid",
                violation_error_message=_("Unknown state."),
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft"]) | Q(submitted_at__isnull=False),
                name="measurement_submitted_dated",
                violation_error_message=_("A submitted figure records when it was submitted."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "rejected", "withdrawn", "superseded"])
                | (Q(reviewed_at__isnull=False) & Q(reviewed_by__isnull=False)),
                name="measurement_review_recorded",
                violation_error_message=_("A reviewed figure records who reviewed it and when."),
            ),
            models.CheckConstraint(
                condition=~Q(state="withdrawn")
                | (Q(withdrawn_at__isnull=False) & Q(withdrawn_by__isnull=False)),
                name="measurement_withdrawal_recorded",
                violation_error_message=_("A withdrawn figure records who withdrew it and when."),
            ),
            models.CheckConstraint(
                condition=~Q(state="superseded")
                | (Q(superseded_at__isnull=False) & Q(superseded_by__isnull=False)),
                name="measurement_supersession_recorded",
                violation_error_message=_(
                    "A superseded figure records which figure replaced it and when."
                ),
            ),
            # One approved figure per target and date: approving another supersedes it
            # (targets.services.approve_measurement), never leaves two to be outranked.
            models.UniqueConstraint(
                fields=["target", "observed_on"],
                condition=Q(state="approved"),
                name="measurement_one_approved_per_date",
                violation_error_message=_(
                    "This target already has an approved figure for this date."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} = {self.value} @ {self.observed_on} ({self.state})"

    @property
    def review_is_current(self) -> bool:
        """The reviewer and comment on the figure are its current round's: it was decided
        since it was last submitted. A figure submitted again after a rejection (or back to
        draft) still carries those of its earlier round, to be shown as such."""
        return self.reviewed_at is not None and self.state not in (
            MeasurementState.DRAFT,
            MeasurementState.SUBMITTED,
        )

    @property
    def shown_evidence_name(self) -> str:
        """The evidence file's name as the user uploaded it (the stored name for a file kept
        before names were)."""
        if not self.evidence:
            return ""
        return self.evidence_name or (self.evidence.name or "").rsplit("/", 1)[-1]


class MeasurementEditor(models.Model):
    """One person who created, changed or submitted a figure (once, however often they did).

    Bookkeeping beside the audit trail, which holds the same facts as the actors of the
    figure's create, update and submit events: kept as rows so that the four-eyes rule reads
    it for a whole queue in the query that lists it (targets.rules.FOUR_EYES)."""

    measurement = models.ForeignKey(
        Measurement, on_delete=models.CASCADE, related_name="editor_links"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("figure editor")
        verbose_name_plural = _("figure editors")
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "user"],
                name="measurement_editor_once",
                violation_error_message=_("This person is already recorded for the figure."),
            )
        ]

    def __str__(self) -> str:
        return f"figure #{self.measurement_id} ← user #{self.user_id}"


class FigureReview(models.Model):
    """One review round of a figure: a submission and what its reviewer decided of it.

    A rejected figure is corrected and submitted again, which opens the next round, so every
    round's reviewer and comment stay visible in order (as a task report's ReviewRound).
    Bookkeeping beside the audit trail: each round is the figure's `submit` event and its
    `approve` or `reject` event, which name the round (docs/audit.md). Written by
    targets.services in the transaction of those steps."""

    Decision = FigureDecision

    measurement = models.ForeignKey(Measurement, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("round"))
    # What was submitted in this round: a later round may submit a corrected value.
    value = ExactDecimalField(_("value"), max_digits=15, decimal_places=4)
    observed_on = models.DateField(_("date described"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=FigureDecision.choices, blank=True
    )
    comment = models.TextField(_("review comment"), blank=True, max_length=FIGURE_TEXT_MAX_LENGTH)

    class Meta:
        verbose_name = _("figure review round")
        verbose_name_plural = _("figure review rounds")
        ordering = ["measurement", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["measurement", "number"],
                name="figure_review_round_once",
                violation_error_message=_("This figure already has a round with this number."),
            ),
            models.CheckConstraint(
                condition=Q(decision="")
                | (
                    Q(decision__in=[d.value for d in FigureDecision])
                    & Q(reviewed_at__isnull=False)
                    & Q(reviewed_by__isnull=False)
                ),
                name="figure_review_decision_recorded",
                violation_error_message=_("A decided round records who decided and when."),
            ),
        ]

    def __str__(self) -> str:
        return f"figure #{self.measurement_id} round {self.number}"

    @property
    def open(self) -> bool:
        """Submitted and not decided yet."""
        return not self.decision


class TargetVerdict(models.Model):
    """A target's verdict frozen at closing (docs/progress.md, "Closing and frozen verdicts"):
    achieved or missed, with the value at the deadline as known at `known_at`. Written once by
    targets.services.close_target, never recomputed; only reopening (an administrator, with a
    reason) removes it."""

    target = models.OneToOneField(Target, on_delete=models.CASCADE, related_name="verdict")
    closed_on = models.DateField(_("closed on"))
    status = models.CharField(
        _("verdict"),
        max_length=24,
        choices=VerdictStatus.choices,
    )
    value = ExactDecimalField(
        _("value at the deadline"), max_digits=15, decimal_places=4, null=True, blank=True
    )
    value_date = models.DateField(_("date of the value"), null=True, blank=True)
    percent = models.FloatField(_("percent complete"), null=True, blank=True)
    score = models.FloatField(_("score"), null=True, blank=True)
    known_at = models.DateTimeField(_("as known at"))
    written_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("closing verdict")
        verbose_name_plural = _("closing verdicts")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in VerdictStatus]),
                name="verdict_status_final",
                violation_error_message=_("A verdict is achieved or missed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} closed on {self.closed_on}: {self.status}"


class ProgressQuerySet(models.QuerySet):
    def latest_per_target(self) -> ProgressQuerySet:
        """Each target's newest row, in one query."""
        newest = (
            Progress.objects.filter(target=models.OuterRef("target"))
            .order_by("-as_of")
            .values("as_of")[:1]
        )
        return self.filter(as_of=models.Subquery(newest))


class Progress(models.Model):
    """A target's progress as of a date. Computed by targets.tasks, never typed in."""

    Status = ProgressStatus

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="progress")
    as_of = models.DateField(_("as of"))
    # A figure's size: a reported target's value is a figure. A register's count or sum
    # times the target's scale that does not fit is refused by targets.values.
    current_value = ExactDecimalField(
        _("current value"), max_digits=15, decimal_places=4, null=True
    )
    current_date = models.DateField(_("date of current value"), null=True)
    percent = models.FloatField(_("percent complete"), null=True)
    expected_value = models.FloatField(_("expected value"), null=True)
    pace_ratio = models.FloatField(_("pace ratio"), null=True)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.NO_DATA
    )
    forecast = models.FloatField(_("forecast at deadline"), null=True)
    score = models.FloatField(_("score"), null=True)
    reached_late_on = models.DateField(_("reached late on"), null=True)
    stale = models.BooleanField(_("stale"), default=False)
    # Past the deadline, before closing: a miss that a late-approved figure may still undo.
    provisional = models.BooleanField(_("provisional"), default=False)
    # Closed: the row shows the frozen verdict (targets.TargetVerdict); where the value at the
    # deadline computed now differs, the revised_* fields say how ("revised after closing").
    closed_on = models.DateField(_("closed on"), null=True)
    revised_status = models.CharField(
        _("status revised after closing"), max_length=24, choices=Status.choices, blank=True
    )
    revised_value = ExactDecimalField(
        _("value revised after closing"), max_digits=15, decimal_places=4, null=True
    )
    revised_date = models.DateField(_("date of the revised value"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ProgressQuerySet.as_manager()

    class Meta:
        verbose_name = _("progress")
        verbose_name_plural = _("progress")
        ordering = ["target", "-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "as_of"],
                name="progress_once_per_target_and_date",
                violation_error_message=_("Progress for this target and date exists already."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ProgressStatus]),
                name="progress_status_valid",
                violation_error_message=_("Unknown status."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target.code} as of {self.as_of}: {self.status}"

    @property
    def revised(self) -> bool:
        """Closed, and the value at the deadline computed now differs from the verdict's."""
        return bool(self.revised_status)


class RollupQuerySet(models.QuerySet):
    def for_user(self, user) -> RollupQuerySet:
        """Roll-ups are as public as the targets they summarise (targets.rules)."""
        return self if rules.sees_targets(user) else self.none()


class RollupProgress(models.Model):
    """Progress of a plan item, a responsible unit or the whole plan as of a date."""

    Scope = RollupScope

    plan = models.ForeignKey("plans.Plan", on_delete=models.CASCADE, related_name="rollups")
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    item = models.ForeignKey(
        "plans.PlanItem", on_delete=models.CASCADE, null=True, blank=True, related_name="rollups"
    )
    unit = models.ForeignKey(
        "plans.ResponsibleUnit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rollups",
    )
    as_of = models.DateField(_("as of"))
    targets = models.PositiveIntegerField(_("targets"))
    percent = models.FloatField(_("mean percent complete"), null=True)
    score = models.FloatField(_("score"), null=True)
    # The pace of the running targets only (score, band); the band is blank when every target
    # is past its deadline: a finished group shows its final counts and score instead.
    band = models.CharField(_("band"), max_length=24, choices=ProgressStatus.choices, blank=True)
    counts = models.JSONField(_("targets by status"), default=dict)
    achieved = models.PositiveIntegerField(_("achieved at the deadline"), default=0)
    missed = models.PositiveIntegerField(_("missed at the deadline"), default=0)
    final_score = models.FloatField(_("final score"), null=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = RollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("roll-up")
        verbose_name_plural = _("roll-ups")
        ordering = ["plan", "-as_of", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "as_of"],
                condition=Q(scope="plan"),
                name="rollup_once_per_plan_and_date",
                violation_error_message=_("The plan's roll-up for this date exists already."),
            ),
            models.UniqueConstraint(
                fields=["item", "as_of"],
                condition=Q(scope="item"),
                name="rollup_once_per_item_and_date",
                violation_error_message=_("This item's roll-up for this date exists already."),
            ),
            models.UniqueConstraint(
                fields=["plan", "unit", "as_of"],
                condition=Q(scope="unit"),
                name="rollup_once_per_unit_and_date",
                violation_error_message=_("This unit's roll-up for this date exists already."),
            ),
            models.CheckConstraint(
                condition=(Q(scope="plan") & Q(item__isnull=True) & Q(unit__isnull=True))
                | (Q(scope="item") & Q(item__isnull=False) & Q(unit__isnull=True))
                | (Q(scope="unit") & Q(item__isnull=True) & Q(unit__isnull=False)),
                name="rollup_scope_consistent",
                violation_error_message=_("A roll-up names exactly what its scope says."),
            ),
        ]

    def __str__(self) -> str:
        subject = self.item or self.unit or self.plan
        return f"{subject} as of {self.as_of}: {self.band or 'final'}"

    @property
    def running(self) -> int:
        """Targets whose deadline has not passed as of the roll-up's date."""
        return self.targets - self.achieved - self.missed

    @property
    def final(self) -> bool:
        """Every target is past its deadline: counts and a final score, never a pace status."""
        return self.targets > 0 and self.running == 0

    @property
    def pace_band(self) -> str | None:
        """The band of the running targets, None when every target is final."""
        return self.band or None

    @property
    def bar_status(self) -> str:
        """The colour of the roll-up's bar: its band; for a final group achieved or missed when
        all its targets ended alike, else neutral."""
        if self.band:
            return self.band
        if self.final and not self.missed:
            return ProgressStatus.ACHIEVED
        if self.final and not self.achieved:
            return ProgressStatus.MISSED
        return ProgressStatus.NO_DATA


class StaleReminder(models.Model):
    """A reminder sent to a unit's users that a target's figure is stale (one per interval)."""

    target = models.ForeignKey(Target, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(_("sent at"))
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        verbose_name = _("stale-figure reminder")
        verbose_name_plural = _("stale-figure reminders")
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["target", "sent_at"], name="reminder_target_sent")]

    def __str__(self) -> str:
        return f"{self.target.code} reminded at {self.sent_at:%Y-%m-%d}"
