"""Serializers of targets, their progress and the figures reported against them.

Writes are validated here for shape only (types, required fields); every rule of the domain
(who may report, a figure cannot describe a future date, a draft only is editable) is the
service functions' (targets.services), so the browser and the API give the same answers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from plans.api.serializers import UnitLinkSerializer
from targets.choices import ProgressStatus
from targets.lookup import AmbiguousCode, find_target
from targets.models import (
    FIGURE_TEXT_MAX_LENGTH,
    METADATA_FIELDS,
    TARGET_METADATA_MAX_LENGTH,
    FigureReview,
    Measurement,
    Progress,
    RollupProgress,
    Target,
    TargetVerdict,
)
from targets.selectors import figure_rounds
from zjai.api.fields import (
    ReadOnlyModelSerializer,
    StrictCharField,
    StrictDecimalField,
    StrictSerializer,
    StrictSlugRelatedField,
)
from zjai.decimals import exact_field

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The column's size, hence its range (StrictDecimalField.allowed): the model's.
FIGURE_VALUE = exact_field(Measurement, "value")


class ProgressSerializer(ReadOnlyModelSerializer):
    """A target's progress as of a date: computed by the recompute jobs, never typed in.

    With `latest_of_target=True` it is a field of a target: the target's newest row, or null
    before the first computation (one class, so the schema has one Progress component).
    """

    def __init__(self, *args: Any, latest_of_target: bool = False, **kwargs: Any) -> None:
        self.latest_of_target = latest_of_target
        super().__init__(*args, **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        if not self.latest_of_target:
            return super().get_attribute(instance)
        # Filled by the viewset's prefetch of Progress.objects.latest_per_target(); the
        # fallback query serves a target read some other way.
        rows = getattr(instance, "latest_progress", None)
        if rows is None:
            return Progress.objects.latest_per_target().filter(target=instance).first()
        return rows[0] if rows else None

    class Meta:
        model = Progress
        fields = [
            "as_of",
            "current_value",
            "current_date",
            "percent",
            "status",
            "pace_ratio",
            "forecast",
            "expected_value",
            "score",
            "reached_late_on",
            "stale",
            "provisional",
            "closed_on",
            "revised_status",
            "revised_value",
            "revised_date",
            "computed_at",
        ]
        extra_kwargs = {
            "provisional": {
                "help_text": _(
                    "Missed past the deadline but not closed yet: a figure approved before "
                    "closing may still change it."
                )
            },
            "closed_on": {
                "help_text": _(
                    "The target's closing date when this row shows its frozen verdict, else null."
                )
            },
            "revised_status": {
                "help_text": _(
                    "Revised after closing: the status the value at the deadline gives now, "
                    "where it differs from the frozen verdict; blank otherwise."
                )
            },
            "revised_value": {
                "help_text": _("Revised after closing: the value at the deadline now, or null.")
            },
        }


class VerdictSerializer(ReadOnlyModelSerializer):
    """A closed target's verdict, written once at closing and never recomputed."""

    class Meta:
        model = TargetVerdict
        fields = [
            "closed_on",
            "status",
            "value",
            "value_date",
            "percent",
            "score",
            "known_at",
            "written_at",
        ]


class RollupSerializer(ReadOnlyModelSerializer):
    """Progress of the plan, a plan item or a responsible unit as of a date (docs/progress.md,
    "Roll-ups after the deadlines"): `band` is the pace of its running targets and is null when
    every target is past its deadline (`final`); `achieved`, `missed` and `final_score` speak
    for the targets past their deadline."""

    plan = serializers.CharField(source="plan.code", read_only=True)
    item = serializers.CharField(source="item.key", read_only=True, allow_null=True)
    unit = serializers.CharField(source="unit.code", read_only=True, allow_null=True)
    band = serializers.ChoiceField(
        choices=ProgressStatus.choices,
        source="pace_band",
        read_only=True,
        allow_null=True,
        help_text=_("the pace band of the running targets; null when every target is final"),
    )
    running = serializers.IntegerField(read_only=True, help_text=_("targets before their deadline"))
    final = serializers.BooleanField(
        read_only=True, help_text=_("every target is past its deadline: no pace status")
    )

    class Meta:
        model = RollupProgress
        fields = [
            "plan",
            "scope",
            "item",
            "unit",
            "as_of",
            "targets",
            "percent",
            "running",
            "score",
            "band",
            "final",
            "achieved",
            "missed",
            "final_score",
            "counts",
            "computed_at",
        ]


class TargetSerializer(ReadOnlyModelSerializer):
    plan = serializers.CharField(source="plan.code", read_only=True)
    item = serializers.CharField(source="item.key", read_only=True)
    units = UnitLinkSerializer(source="unit_links", many=True, read_only=True)
    progress = ProgressSerializer(
        latest_of_target=True,
        source="*",
        read_only=True,
        allow_null=True,
        help_text=_("The latest computed progress; null until the target is first computed."),
    )
    verdict = serializers.SerializerMethodField(
        help_text=_("The verdict frozen at closing; null while the target is open.")
    )

    class Meta:
        model = Target
        fields = [
            "code",
            "plan",
            "item",
            "title_zh",
            "title_en",
            "quote",
            "unit_of_measure",
            "unit_of_measure_en",
            "comparator",
            "target_value",
            "baseline_value",
            "baseline_date",
            "deadline",
            "scope",
            "growth_model",
            "source_kind",
            "source_register",
            "weight",
            "headline",
            "units",
            *METADATA_FIELDS,
            "metadata_updated_at",
            "progress",
            "verdict",
            "version",
        ]
        extra_kwargs = {
            "metadata_updated_at": {
                "help_text": _(
                    "When a metadata text (definition, computation, data source, limitations) "
                    "last changed; null if it never had one."
                )
            },
        }

    @extend_schema_field(VerdictSerializer(allow_null=True))
    def get_verdict(self, target: Target) -> dict | None:
        try:
            verdict = target.verdict
        except TargetVerdict.DoesNotExist:
            return None
        return VerdictSerializer(verdict).data


class FigureReviewSerializer(ReadOnlyModelSerializer):
    """One review round of a figure: what was submitted, by whom and when, and what the
    reviewer decided (blank while it waits for review), with the comment."""

    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, allow_null=True, default=None
    )
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FigureReview
        fields = [
            "number",
            "value",
            "observed_on",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "decision",
            "comment",
        ]


class MeasurementSerializer(ReadOnlyModelSerializer):
    """A figure as the API returns it. `version` is also sent as the ETag header."""

    target = serializers.CharField(source="target.code", read_only=True)
    plan = serializers.CharField(
        source="target.plan.code",
        read_only=True,
        help_text=_("The plan of the target: name the target as plan:code."),
    )
    created_by = serializers.CharField(
        source="created_by.username", read_only=True, allow_null=True, default=None
    )
    submitted_by = serializers.CharField(
        source="submitted_by.username", read_only=True, allow_null=True, default=None
    )
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", read_only=True, allow_null=True, default=None
    )
    withdrawn_by = serializers.CharField(
        source="withdrawn_by.username", read_only=True, allow_null=True, default=None
    )
    superseded_by: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,
        help_text=_(
            "The id of the figure approved for the same date that replaced this one "
            "(state superseded), or null."
        ),
    )
    has_evidence = serializers.SerializerMethodField(
        help_text=_("Whether an evidence file is attached (downloaded in the browser).")
    )
    evidence_name = serializers.SerializerMethodField(
        help_text=_("The evidence file's name as it was uploaded; blank without a file.")
    )
    rounds = serializers.SerializerMethodField(
        help_text=_(
            "Every review round, oldest first: the figure's `reviewed_by` and "
            "`review_comment` are its last review's, which for a figure submitted again is "
            "an earlier round's."
        )
    )
    unit = serializers.CharField(
        source="unit.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=_(
            "The reporting unit: only its staff (and administrators) change and submit the figure."
        ),
    )
    edited_by = serializers.SerializerMethodField(
        help_text=_(
            "Everyone who created, changed or submitted the figure: none of them may approve "
            "or reject it."
        )
    )

    class Meta:
        model = Measurement
        fields = [
            "id",
            "target",
            "plan",
            "unit",
            "value",
            "observed_on",
            "note",
            "has_evidence",
            "evidence_name",
            "state",
            "edited_by",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "withdrawn_by",
            "withdrawn_at",
            "withdrawal_reason",
            "superseded_by",
            "superseded_at",
            "rounds",
            "is_demo",
            "version",
        ]

    def get_has_evidence(self, measurement: Measurement) -> bool:
        return bool(measurement.evidence)

    def get_evidence_name(self, measurement: Measurement) -> str:
        return measurement.shown_evidence_name

    @extend_schema_field(FigureReviewSerializer(many=True))
    def get_rounds(self, measurement: Measurement) -> Any:
        # The rounds prefetched by the viewset; one synthesised from the figure's own fields
        # for a figure written before rounds were kept (targets.selectors.figure_rounds).
        return FigureReviewSerializer(figure_rounds(measurement), many=True).data

    def get_edited_by(self, measurement: Measurement) -> list[str]:
        # The recorded editors (prefetched by the viewset), and the creator and submitter of
        # a figure written before they were recorded.
        names = [link.user.get_username() for link in measurement.editor_links.all()]
        for person in (measurement.created_by, measurement.submitted_by):
            if person is not None and person.get_username() not in names:
                names.append(person.get_username())
        return names


class MeasurementWriteSerializer(StrictSerializer):
    """The editable part of a figure: PUT sends all of it, PATCH any part."""

    value = StrictDecimalField(
        max_digits=FIGURE_VALUE.max_digits,
        decimal_places=FIGURE_VALUE.decimal_places,
        help_text=_('The figure, as a decimal string ("150000") or a number.'),
    )
    observed_on = serializers.DateField(help_text=_("The date the figure describes."))
    note = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=FIGURE_TEXT_MAX_LENGTH,
        help_text=_("Evidence note."),
    )


class TargetCodeField(StrictSlugRelatedField):
    """A target named `plan:code`, or by its bare code (deprecated: the only plan's target with
    that code, else the first plan's; targets.lookup). A bare code that several plans other
    than the first share is refused, naming the plans."""

    default_error_messages = {
        "ambiguous": _(
            "Several plans have the target {value} ({plans}): name it as plan:code, e.g. {example}."
        ),
    }

    def to_internal_value(self, data: Any) -> Target:
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        # A writable related field always has its queryset (DRF asserts it at construction).
        targets = cast("QuerySet[Target]", self.get_queryset())
        try:
            found = find_target(targets, data)
        except AmbiguousCode as exc:
            self.fail(
                "ambiguous",
                value=exc.code,
                plans=", ".join(exc.plans),
                example=f"{exc.plans[-1]}:{exc.code}",
            )
        if found.target is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found.target


class MeasurementCreateSerializer(MeasurementWriteSerializer):
    """A new draft figure for a reported target of the user's unit."""

    target = TargetCodeField(
        slug_field="code",
        queryset=Target.objects.all(),
        help_text=_(
            "The target as plan:code, e.g. zj-ai-2019-2022:robots-in-service; a bare code "
            "(deprecated) names the first plan's target."
        ),
    )


class ReviewSerializer(StrictSerializer):
    comment = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=FIGURE_TEXT_MAX_LENGTH,
        help_text=_("The reviewer's comment; required to reject."),
    )


@extend_schema_field({"oneOf": [{"type": "boolean"}, {"type": "integer", "minimum": 1}]})
class SupersedeField(serializers.Field):
    """`true`, or the id of the approved figure the reviewer replaces; `false` or absent for
    none. Nothing else (no "yes", no 1 for true): a confirmation is meant, not guessed."""

    default_error_messages = {
        "invalid": _("Send true or the id of the approved figure this one replaces."),
    }

    def to_internal_value(self, data: Any) -> bool | int:
        if isinstance(data, bool):
            return data
        if isinstance(data, int) and data > 0:
            return data
        self.fail("invalid")

    def to_representation(self, value: Any) -> Any:
        return value


class ApproveSerializer(ReviewSerializer):
    supersede = SupersedeField(
        required=False,
        default=False,
        help_text=_(
            "Confirms replacing the figure already approved for the same target and date (true, "
            "or its id). Without it such an approval is refused (409, naming that figure and "
            "its value)."
        ),
    )


class WithdrawSerializer(StrictSerializer):
    reason = StrictCharField(
        max_length=FIGURE_TEXT_MAX_LENGTH,
        help_text=_("Why an approved figure stops counting (required)."),
    )


def _metadata_text(help_text: StrOrPromise) -> StrictCharField:
    return StrictCharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=TARGET_METADATA_MAX_LENGTH,
        help_text=help_text,
    )


class TargetMetadataSerializer(StrictSerializer):
    """What PATCH changes of a target: its metadata texts, any of them, with a reason. The
    rest of a target is the plan file's (and the admin's, for administrators)."""

    definition_zh = _metadata_text(_("What the target measures (Chinese)."))
    definition_en = _metadata_text(_("What the target measures (English)."))
    computation_zh = _metadata_text(_("How the value is measured or computed (Chinese)."))
    computation_en = _metadata_text(_("How the value is measured or computed (English)."))
    data_source_zh = _metadata_text(_("Where the data comes from (Chinese)."))
    data_source_en = _metadata_text(_("Where the data comes from (English)."))
    limitations_zh = _metadata_text(_("What the value does not say (Chinese)."))
    limitations_en = _metadata_text(_("What the value does not say (English)."))
    reason = StrictCharField(
        max_length=FIGURE_TEXT_MAX_LENGTH,
        help_text=_("Why the metadata changes, for the audit log (required)."),
    )


class ReopenSerializer(StrictSerializer):
    reason = StrictCharField(
        max_length=FIGURE_TEXT_MAX_LENGTH,
        help_text=_("Why the closed target's verdict is removed and judged again (required)."),
    )
