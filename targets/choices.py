"""Choices of the targets app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from zjai.choices import City


class MeasurementState(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    # An approved figure taken back later: it counted until it was withdrawn.
    WITHDRAWN = "withdrawn", _("withdrawn")
    # An approved figure replaced by another approved for the same target and date: it counted
    # until the other was approved (superseded_at), never after.
    SUPERSEDED = "superseded", _("superseded")


class FigureDecision(models.TextChoices):
    """What the reviewer decided in one review round of a figure (targets.FigureReview)."""

    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class ProgressStatus(models.TextChoices):
    ACHIEVED = "achieved", _("achieved")
    MISSED = "missed", _("missed")
    ON_TRACK = "on_track", _("on track")
    NEEDS_ACCELERATION = "needs_acceleration", _("needs acceleration")
    OFF_TRACK = "off_track", _("off track")
    DETERIORATING = "deteriorating", _("deteriorating")
    NO_DATA = "no_data", _("no data")


class VerdictStatus(models.TextChoices):
    """A closed target's frozen verdict: the final statuses of ProgressStatus."""

    ACHIEVED = "achieved", _("achieved")
    MISSED = "missed", _("missed")


class Comparator(models.TextChoices):
    # "以上" / "不少于" / "达到" N in the plan include N itself: at least (likewise at most);
    # "超过" / "突破" / "超" N do not: strictly more (likewise strictly less).
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")
    EXACTLY = "eq", _("exactly")
    MORE_THAN = "gt", _("more than")
    LESS_THAN = "lt", _("less than")


class GrowthModel(models.TextChoices):
    LINEAR = "linear", _("linear")
    COMPOUND = "compound", _("compound")


class SourceKind(models.TextChoices):
    REPORTED = "reported", _("reported figure")
    COUNT = "count", _("count of register entries")
    SUM = "sum", _("sum over register entries")


class Register(models.TextChoices):
    ENTERPRISES = "enterprises", _("enterprise register")
    PROJECTS = "projects", _("project register")


class TargetScope(models.TextChoices):
    """Where a target applies: the province, or one city for the city's own targets (the
    cities' codes and names are zjai.choices.City's)."""

    PROVINCE = "province", _("the province")
    HANGZHOU = City.HANGZHOU.value, City.HANGZHOU.label
    NINGBO = City.NINGBO.value, City.NINGBO.label
    WENZHOU = City.WENZHOU.value, City.WENZHOU.label
    JIAXING = City.JIAXING.value, City.JIAXING.label
    HUZHOU = City.HUZHOU.value, City.HUZHOU.label
    SHAOXING = City.SHAOXING.value, City.SHAOXING.label
    JINHUA = City.JINHUA.value, City.JINHUA.label
    QUZHOU = City.QUZHOU.value, City.QUZHOU.label
    ZHOUSHAN = City.ZHOUSHAN.value, City.ZHOUSHAN.label
    TAIZHOU = City.TAIZHOU.value, City.TAIZHOU.label
    LISHUI = City.LISHUI.value, City.LISHUI.label


class RollupScope(models.TextChoices):
    """What a roll-up summarises."""

    PLAN = "plan", _("plan")
    ITEM = "item", _("plan item")
    UNIT = "unit", _("responsible unit")


# How a comparator is printed beside a number (≥ 100).
COMPARATOR_SYMBOLS = {
    Comparator.AT_LEAST: "≥",
    Comparator.AT_MOST: "≤",
    Comparator.EXACTLY: "=",
    Comparator.MORE_THAN: ">",
    Comparator.LESS_THAN: "<",
}


class BaselineSource(models.TextChoices):
    """Where a target's baseline comes from (docs/progress.md, "The baseline"), in the order
    they are taken: the plan's own, the predecessor's verdict the plan names, the one an
    administrator set, the reported figures, else zero at the plan's start."""

    PLAN = "plan", _("stated in the plan")
    PREDECESSOR = "predecessor", _("the final verdict of the target it continues")
    ADMINISTRATOR = "administrator", _("set by an administrator")
    FIRST_FIGURE = (
        "first_figure",
        _("the approved figure for the plan's start or the last before it"),
    )
    EARLIEST_FIGURE = (
        "earliest_figure",
        _("the earliest approved figure (none describes the plan's start or a day before it)"),
    )
    ZERO = "zero", _("zero at the plan's start (the plan states none)")
