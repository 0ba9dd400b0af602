"""seed_demo: marked, deterministic, idempotent demo data and the demo users."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Sum

from accounts.models import User
from audit.chain import verify_chain
from audit.models import AuditEvent
from demo import generator
from demo.users import DEMO_USERNAMES, DEMO_USERS
from enterprises.models import Enterprise
from enterprises.uscc import is_valid
from projects.models import Project
from targets.models import Measurement, Target, TargetVerdict
from taskreports.models import (
    ConsolidatedReport,
    Milestone,
    ReviewRound,
    SupervisionNotice,
    TaskReport,
)

REPORTED = {"robots-in-service", "robot-density", "ic-12inch-line", "talent-policies"}
LATEST = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def passwords(output: str) -> dict[str, str]:
    """username → password from the table the command prints."""
    found = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 4 and cells[0] in DEMO_USERNAMES:
            found[cells[0]] = cells[3]
    return found


def digest() -> str:
    """A digest of every demo row's content (not its id or its auto timestamps)."""
    rows = [
        *Enterprise.objects.filter(is_demo=True).values_list(
            "credit_code",
            "name_zh",
            "name_en",
            "city",
            "sector",
            "tier",
            "recognised_on",
            "recognised_by",
            "status",
            "revoked_on",
            "owner_unit__code",
        ),
        *Project.objects.filter(is_demo=True).values_list(
            "name_zh",
            "name_en",
            "kind",
            "level",
            "status",
            "city",
            "sector",
            "enterprise__credit_code",
            "owner_unit__code",
            "planned_investment",
            "completed_investment",
            "start_date",
            "accepted_on",
        ),
        *Measurement.objects.filter(is_demo=True).values_list(
            "target__code",
            "value",
            "observed_on",
            "state",
            "note",
            "created_by__username",
            "created_at",
            "submitted_by__username",
            "submitted_at",
            "reviewed_by__username",
            "reviewed_at",
            "review_comment",
        ),
    ]
    return hashlib.sha256("\n".join(sorted(map(repr, rows))).encode()).hexdigest()


def plan_named() -> list[tuple]:
    return list(
        Enterprise.objects.filter(plan_key__isnull=False).order_by("plan_key").values_list()
    )


# --- arguments and preconditions -----------------------------------------------------------


@pytest.mark.parametrize("scale", ["0", "-1", "0.02", "x"])
def test_scale_must_be_a_whole_number_of_at_least_one(scale):
    with pytest.raises(CommandError, match="--scale"):
        seed("--scale", scale)


@pytest.mark.django_db
def test_scale_given_as_option_is_checked_too(plan):
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", scale=0, stdout=io.StringIO())
    assert not Enterprise.objects.filter(is_demo=True).exists()


@pytest.mark.django_db
def test_missing_plan_is_a_one_line_command_error():
    with pytest.raises(CommandError) as caught:
        seed()
    message = str(caught.value)
    assert "load_action_plan" in message
    assert "\n" not in message
    assert not User.objects.exists()
    assert not AuditEvent.objects.exists()


def test_reset_passwords_and_no_users_exclude_each_other():
    with pytest.raises(CommandError, match="together"):
        seed("--reset-passwords", "--no-users")


# --- generator pieces (no database) --------------------------------------------------------


def test_credit_codes_are_valid_unique_and_skip_taken_ones():
    first = generator.credit_code("330100", 1)
    assert first.startswith("91330100MA") and is_valid(first)
    next_code = generator.credit_codes(taken={first})
    codes = [next_code(city.division) for city in generator.CITIES for _ in range(50)]
    assert first not in codes
    assert len(set(codes)) == len(codes)
    assert all(is_valid(code) and code[8:10] == "MA" for code in codes)


def test_major_investments_stay_in_range_and_sum_to_about_850_yi():
    for seed_value in range(20):
        amounts = generator.major_amounts(generator.random.Random(seed_value))
        assert all(50_000 <= a <= 2_000_000 for a in amounts)
        assert 8_000_000 <= sum(amounts) <= 9_000_000


# --- a seeded database ---------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_creates_marked_demo_data_of_the_expected_shape(plan):
    output = seed()

    assert "1,000 enterprises" in output and "10,000 measurements" in output
    enterprises = Enterprise.objects.filter(is_demo=True)
    assert enterprises.count() == 1000
    assert Project.objects.filter(is_demo=True).count() >= 1000
    assert Measurement.objects.filter(is_demo=True).count() == 10_000
    assert not Project.objects.filter(is_demo=False).exists()
    assert not Measurement.objects.filter(is_demo=False).exists()

    # Marked, valid, unique codes.
    codes = list(enterprises.values_list("credit_code", flat=True))
    assert len(set(codes)) == len(codes)
    assert all(is_valid(code) and code.startswith("91") and code[8:10] == "MA" for code in codes)
    assert not enterprises.exclude(name_zh__startswith="演示·").exists()
    assert not enterprises.exclude(name_en__startswith="Demo ").exists()
    assert not Project.objects.exclude(name_zh__startswith="演示·").exists()
    assert not Project.objects.exclude(name_en__startswith="Demo ").exists()
    assert not enterprises.exclude(owner_unit__code="econ-it").exists()

    # Tiers: fixed sizes, recognised in the period, a few revoked later.
    tiers = {
        tier: enterprises.filter(tier=tier).count()
        for tier in ("leading", "benchmark", "specialised")
    }
    assert tiers == {"leading": 9, "benchmark": 85, "specialised": 430}
    tiered = enterprises.exclude(tier="")
    assert not tiered.filter(recognised_on__lt=dt.date(2019, 3, 1)).exists()
    assert not tiered.filter(recognised_on__gt=dt.date(2022, 12, 31)).exists()
    revoked = tiered.filter(status="revoked")
    assert 3 <= revoked.count() <= 35
    assert all(e.revoked_on >= e.recognised_on for e in revoked)
    assert enterprises.filter(tier="").count() == 1000 - 524

    # The sets that feed the register targets.
    accepted = Project.objects.filter(status="accepted")
    demos = accepted.filter(kind="demonstration", level__in=["provincial", "national"])
    assert demos.count() == 430
    assert accepted.filter(kind="smart_factory").count() == 85
    assert accepted.filter(kind="first_set").count() == 520
    assert Project.objects.filter(kind="platform", level="provincial").count() == 9
    for kind in ("smart_product", "first_set", "demonstration"):
        assert accepted.filter(kind=kind, city="shaoxing").count() == 60
    major = Project.objects.filter(
        kind="major", status__in=["under_construction", "completed", "accepted"]
    )
    total = major.aggregate(total=Sum("planned_investment"))["total"]
    assert Decimal(8_000_000) <= total <= Decimal(9_000_000)
    assert not major.filter(planned_investment__lt=50_000).exists()
    assert not major.filter(planned_investment__gt=2_000_000).exists()
    assert not accepted.filter(accepted_on__isnull=True).exists()
    assert not Project.objects.filter(start_date__lt=dt.date(2018, 6, 1)).exists()
    assert not Project.objects.filter(accepted_on__gt=dt.date(2022, 12, 31)).exists()
    assert Project.objects.filter(enterprise__isnull=False).exists()
    assert not Project.objects.filter(enterprise__is_demo=False).exists()

    # Rows pass the models' own validation (fields, choices, constraints).
    for model in (Enterprise, Project, Measurement):
        for row in model.objects.filter(is_demo=True).order_by("?")[:15]:
            row.full_clean()

    # Audited as one event on the plan.
    events = AuditEvent.objects.filter(action="seed_demo")
    assert events.count() == 1
    event = events.get()
    assert event.actor_label == "command:seed_demo"
    assert event.object_id == str(plan.pk)
    assert event.after["created"] == {
        "enterprises": 1000,
        "projects": Project.objects.count(),
        "measurements": 10_000,
        # tests/demo/test_task_reports.py checks these rows.
        "task reports": TaskReport.objects.count(),
        "review rounds": ReviewRound.objects.count(),
        "milestones": Milestone.objects.count(),
        "consolidated reports": ConsolidatedReport.objects.count(),
        "supervision notices": SupervisionNotice.objects.count(),
    }
    assert event.after["scale"] == 1 and event.after["seed"] == 2019
    # The plan ended in 2022: the demo ends with every target closed, judged on the data just
    # seeded, each verdict with its own event (docs/progress.md, "Closing and frozen verdicts").
    verdicts = TargetVerdict.objects.filter(target__plan=plan)
    assert verdicts.count() == Target.objects.filter(plan=plan).count() == 15
    assert verdicts.filter(value__isnull=False).count() == 15
    closed = AuditEvent.objects.filter(object_type="targets.targetverdict", action="create")
    assert {e.actor_label for e in closed} == {"command:seed_demo"}
    assert closed.count() == 15
    assert verify_chain().ok


@pytest.mark.django_db
def test_measurements_are_figures_of_reported_targets_in_consistent_states(plan):
    seed()
    figures = Measurement.objects.filter(is_demo=True)
    assert set(figures.values_list("target__code", flat=True).distinct()) == REPORTED
    assert set(Target.objects.filter(source_kind="reported").values_list("code", flat=True)) == (
        REPORTED
    )

    states = {s: figures.filter(state=s).count() for s in Measurement.State.values}
    assert 100 <= states["draft"] <= 320
    assert 40 <= states["submitted"] <= 180
    assert 40 <= states["rejected"] <= 180
    # One approved figure per target and date: a filler figure drawn for a day that has one
    # already was withdrawn again; together they are the figures that counted.
    assert states["approved"] + states["withdrawn"] >= 9_400
    assert states["approved"] >= 4_000

    assert not figures.filter(state="draft", submitted_at__isnull=False).exists()
    assert not figures.exclude(state="draft").filter(submitted_at__isnull=True).exists()
    reviewed = figures.filter(state__in=["approved", "rejected"])
    assert not reviewed.filter(reviewed_at__isnull=True).exists()
    assert not reviewed.filter(reviewed_by__isnull=True).exists()
    assert not figures.filter(state__in=["draft", "submitted"], reviewed_at__isnull=False).exists()
    assert not figures.filter(state="rejected", review_comment="").exists()
    assert not figures.exclude(note__startswith="演示·").exists()

    assert not figures.filter(created_at__date__lt=F("observed_on")).exists()
    assert not figures.filter(submitted_at__lt=F("created_at")).exists()
    assert not figures.filter(reviewed_at__lt=F("submitted_at")).exists()
    assert not figures.filter(reviewed_by=F("created_by")).exists()  # never their own figure
    for stamp in ("created_at", "submitted_at", "reviewed_at"):
        assert not figures.filter(**{f"{stamp}__gt": LATEST}).exists()

    # Who reports and who approves.
    by_code = {
        code: set(figures.filter(target__code=code).values_list("created_by__username", flat=True))
        for code in REPORTED
    }
    assert by_code["talent-policies"] == {"staff_talent"}
    assert by_code["robots-in-service"] == {"staff"}
    reviewers = set(
        figures.filter(target__code="robots-in-service")
        .exclude(reviewed_by=None)
        .values_list("reviewed_by__username", flat=True)
    )
    assert reviewers == {"reviewer"}

    # The approved quarterly series.
    approved = figures.filter(state="approved")

    def quarter(code: str, day: dt.date) -> Decimal:
        return approved.filter(target__code=code, observed_on=day).get().value

    for code in REPORTED:
        for day in generator.QUARTER_ENDS:
            assert approved.filter(target__code=code, observed_on=day).count() == 1
    assert quarter("robots-in-service", dt.date(2019, 3, 31)) == 80_000
    assert quarter("robots-in-service", dt.date(2022, 12, 31)) == 142_000
    assert quarter("robot-density", dt.date(2019, 3, 31)) == 90
    assert quarter("robot-density", dt.date(2022, 12, 31)) == 170
    assert quarter("ic-12inch-line", dt.date(2020, 12, 31)) == 0
    assert quarter("ic-12inch-line", dt.date(2021, 3, 31)) == 1
    assert quarter("talent-policies", dt.date(2020, 12, 31)) == 12
    robots = list(
        approved.filter(target__code="robots-in-service", observed_on__in=generator.QUARTER_ENDS)
        .order_by("observed_on")
        .values_list("value", flat=True)
    )
    assert robots == sorted(robots)
    # The newest approved figure of each target is the quarterly one of the deadline.
    for code in REPORTED:
        newest = approved.filter(target__code=code).order_by("-observed_on").first()
        assert newest.observed_on == dt.date(2022, 12, 31)


@pytest.mark.django_db
def test_running_again_gives_the_same_rows_and_keeps_users_and_plan_enterprises(plan):
    named_before = plan_named()
    first = seed()
    first_digest = digest()
    counts = (
        Enterprise.objects.count(),
        Project.objects.count(),
        Measurement.objects.count(),
    )
    created = passwords(first)
    assert set(created) == set(DEMO_USERNAMES)
    assert len(set(created.values())) == len(created)
    assert all(len(p) == 16 for p in created.values())

    second = seed()

    assert digest() == first_digest
    assert (Enterprise.objects.count(), Project.objects.count(), Measurement.objects.count()) == (
        counts
    )
    assert plan_named() == named_before
    assert Enterprise.objects.filter(plan_key__isnull=False, is_demo=False).count() == 8
    assert "1,000 enterprises" in second and "deleted" in second
    # Users: created once, passwords printed once and still valid.
    assert passwords(second) == {}
    assert "demo users already exist; passwords unchanged" in second
    assert "--reset-passwords" in second
    assert not any(p in second for p in created.values())
    assert User.objects.filter(username__in=DEMO_USERNAMES).count() == len(DEMO_USERS)
    for username, password in created.items():
        assert User.objects.get(username=username).check_password(password)
    for spec in DEMO_USERS:
        user = User.objects.select_related("unit").get(username=spec.username)
        assert (user.role, user.unit.code) == (spec.role, spec.unit_code)
        assert user.groups.filter(name=spec.role).exists()
        assert user.is_superuser == user.is_staff == (spec.username == "admin")
    assert {s.role for s in DEMO_USERS} == {"admin", "reviewer", "staff", "auditor"}
    assert AuditEvent.objects.filter(action="seed_demo").count() == 2
    second_event = AuditEvent.objects.filter(action="seed_demo").order_by("-seq").first()
    assert second_event.after["deleted"]["measurements"] == 10_000
    assert second_event.after["users_created"] == []


@pytest.fixture
def small_scale(monkeypatch):
    """Fewer filler rows, for tests about users rather than data (the fixed sets remain)."""
    monkeypatch.setattr(generator, "ENTERPRISES_PER_SCALE", 600)
    monkeypatch.setattr(generator, "MEASUREMENTS_PER_SCALE", 200)


@pytest.mark.django_db
def test_reset_passwords_prints_new_ones_and_no_users_skips_them(plan, small_scale):
    old = passwords(seed())

    reset = passwords(seed("--reset-passwords"))

    assert set(reset) == set(DEMO_USERNAMES)
    for username, password in reset.items():
        user = User.objects.get(username=username)
        assert user.check_password(password)
        assert not user.check_password(old[username])

    before = digest()
    output = seed("--no-users", "--seed", "7")
    assert passwords(output) == {}
    assert "demo users" not in output
    assert digest() != before  # another seed, other rows
    assert Enterprise.objects.filter(is_demo=True).count() == 600
    assert Measurement.objects.filter(is_demo=True).count() == 200


@pytest.mark.django_db
def test_no_users_on_a_fresh_database_says_what_to_do(plan):
    with pytest.raises(CommandError, match="without --no-users"):
        seed("--no-users")
    assert not Enterprise.objects.filter(is_demo=True).exists()
    assert not AuditEvent.objects.filter(action="seed_demo").exists()


@pytest.mark.django_db
def test_a_real_project_on_a_demo_enterprise_stops_the_rerun_and_changes_nothing(plan, small_scale):
    seed()
    before = digest()
    demo_enterprise = Enterprise.objects.filter(is_demo=True).order_by("pk").first()
    Project.objects.create(
        name_zh="真实项目",
        kind="smart_factory",
        level="provincial",
        city="hangzhou",
        enterprise=demo_enterprise,
    )

    with pytest.raises(CommandError, match="not demo data refer to them"):
        seed()

    assert digest() == before
    assert AuditEvent.objects.filter(action="seed_demo").count() == 1
