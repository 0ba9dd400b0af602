"""The figure workflow through the service functions: rules, conflicts, audit, recompute."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from plans.models import ResponsibleUnit
from targets import services
from targets.models import Measurement, Progress, RollupProgress, Target
from tests.workers import start_worker, wait_for
from zjai.dates import today
from zjai.exceptions import ConflictError

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    return {
        "staff": make_user("staff", "staff", econ),
        "staff2": make_user("staff2", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
        "reviewer_sci": make_user("reviewer_sci", "reviewer", sci),
        "staff_sci": make_user("staff_sci", "staff", sci),
        "auditor": make_user("auditor", "auditor", econ),
        "admin": make_user("admin", "admin", econ),
    }


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def draft(robots, who, value="120000", on=dt.date(2021, 6, 30)):
    return services.create_measurement(
        target=robots, value=value, observed_on=on, note="统计局季报", acting_user=who
    )


def test_draft_submit_approve_counts_and_recomputes(
    people, robots, django_capture_on_commit_callbacks
):
    figure = draft(robots, people["staff"])
    assert figure.state == "draft"
    figure = services.submit_measurement(figure, acting_user=people["staff"])
    assert figure.state == "submitted"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        figure = services.approve_measurement(figure, acting_user=people["reviewer"], comment="ok")
    # The recompute is queued only once the approval is committed (and the author's e-mail).
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["notify", "schedule_recompute"]
    assert figure.state == "approved"
    assert figure.reviewed_by == people["reviewer"]
    # eager tasks in this test: the recompute ran after commit, and cleared the dirty flag
    progress = Progress.objects.get(target=robots, as_of=today())
    assert progress.current_value == Decimal("120000")
    robots.refresh_from_db()
    assert robots.dirty_since is None
    actions = list(
        AuditEvent.objects.filter(object_type="targets.measurement", object_id=str(figure.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "submit", "approve"]
    approve = AuditEvent.objects.get(action="approve", object_id=str(figure.pk))
    assert approve.before["state"] == "submitted"
    assert approve.after["state"] == "approved"
    assert approve.actor == people["reviewer"]


def test_nobody_reviews_their_own_figure_not_even_an_admin(people, robots):
    figure = draft(robots, people["admin"])
    figure = services.submit_measurement(figure, acting_user=people["admin"])
    with pytest.raises(PermissionDenied, match="you created, edited or submitted"):
        services.approve_measurement(figure, acting_user=people["admin"])
    figure.refresh_from_db()
    assert figure.state == "submitted"


def test_only_the_lead_units_reviewers_approve(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    with pytest.raises(PermissionDenied, match="lead unit"):
        services.approve_measurement(figure, acting_user=people["reviewer_sci"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["staff2"])
    with pytest.raises(PermissionDenied):
        services.approve_measurement(figure, acting_user=people["auditor"])


def test_other_units_and_auditors_cannot_report(people, robots):
    talent = Target.objects.get(code="talent-policies")
    with pytest.raises(PermissionDenied):
        draft(talent, people["staff"], value="3")
    with pytest.raises(PermissionDenied):
        draft(robots, people["auditor"])
    assert not Measurement.objects.exists()


def test_register_targets_take_no_figures(people):
    leading = Target.objects.get(code="ent-leading")
    with pytest.raises(PermissionDenied):
        draft(leading, people["admin"], value="5")


@pytest.mark.parametrize(
    ("value", "on", "field"),
    [
        ("-5", dt.date(2021, 1, 1), "value"),
        ("abc", dt.date(2021, 1, 1), "value"),
        ("NaN", dt.date(2021, 1, 1), "value"),
        ("1e30", dt.date(2021, 1, 1), "value"),
        ("5", dt.date(1900, 1, 1), "observed_on"),
        ("5", dt.date(2099, 1, 1), "observed_on"),
        ("5", "2021-02-30", "observed_on"),
    ],
)
def test_bad_figures_are_refused_naming_the_field(people, robots, value, on, field):
    with pytest.raises(ValidationError) as error:
        draft(robots, people["staff"], value=value, on=on)
    assert field in error.value.message_dict
    assert not Measurement.objects.exists()


def test_a_stale_version_is_refused_and_changes_nothing(people, robots):
    figure = draft(robots, people["staff"])
    services.update_measurement(
        figure, acting_user=people["staff"], expected_version=1, value="130000"
    )
    with pytest.raises(ConflictError) as conflict:
        services.update_measurement(
            figure, acting_user=people["staff2"], expected_version=1, value="999"
        )
    assert conflict.value.current_version == 2
    figure.refresh_from_db()
    assert figure.value == Decimal("130000")


def test_a_figure_cannot_be_approved_twice(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    services.approve_measurement(figure, acting_user=people["reviewer"])
    with pytest.raises(ConflictError, match="Only a submitted figure"):
        services.approve_measurement(figure, acting_user=people["admin"])
    assert AuditEvent.objects.filter(action="approve").count() == 1


def test_rejection_needs_a_reason_and_a_rejected_figure_can_be_corrected(people, robots):
    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    with pytest.raises(ValidationError):
        services.reject_measurement(figure, acting_user=people["reviewer"], comment=" ")
    figure = services.reject_measurement(
        figure, acting_user=people["reviewer"], comment="口径不一致"
    )
    assert figure.state == "rejected"
    figure = services.update_measurement(figure, acting_user=people["staff"], value="118000")
    assert figure.state == "draft"


def test_a_withdrawn_figure_stops_counting_but_past_reports_keep_it(
    people, robots, django_capture_on_commit_callbacks, settings
):
    from targets.services import recompute_progress

    # Still open (its closing far off): what counts is tested here; a withdrawal after
    # closing shows as "revised after closing" (tests/targets/test_closing.py).
    settings.ZJAI_TARGET_CLOSING_DAYS = 365 * 100

    figure = services.submit_measurement(
        draft(robots, people["staff"]), acting_user=people["staff"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_measurement(figure, acting_user=people["reviewer"])
    approved_day = today()
    assert Progress.objects.get(target=robots, as_of=today()).current_value == 120000
    with pytest.raises(ValidationError):
        services.withdraw_measurement(figure, acting_user=people["reviewer"], reason="")
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_measurement(figure, acting_user=people["reviewer"], reason="重复填报")
    # as of today the figure is withdrawn: nothing counts
    assert Progress.objects.get(target=robots, as_of=today()).current_value is None
    # a report as of yesterday (before it was approved) never had it either; the figure counted
    # only between approval and withdrawal, both today, so a past report is unchanged
    recompute_progress(approved_day - dt.timedelta(days=1))
    assert (
        Progress.objects.get(target=robots, as_of=approved_day - dt.timedelta(days=1)).current_value
        is None
    )


@pytest.mark.worker
def test_approval_recomputes_the_target_and_its_roll_up_through_a_real_worker(
    people, robots, celery_worker
):
    figure = services.submit_measurement(
        draft(robots, people["staff"], value="151000", on=dt.date(2022, 9, 30)),
        acting_user=people["staff"],
    )
    assert not Progress.objects.filter(target=robots).exists()

    services.approve_measurement(figure, acting_user=people["reviewer"])

    wait_for(
        lambda: Progress.objects.filter(target=robots, as_of=today()).exists(),
        what="the worker to recompute the target",
    )
    progress = Progress.objects.get(target=robots, as_of=today())
    assert progress.status == "achieved"
    assert progress.current_value == Decimal("151000")
    task_rollup = RollupProgress.objects.get(item=robots.item, as_of=today())
    assert task_rollup.counts["achieved"] >= 1
    robots.refresh_from_db()
    assert robots.dirty_since is None


@pytest.mark.worker
def test_with_redis_down_approval_succeeds_and_the_sweep_catches_up(
    people, robots, transactional_db, private_broker
):
    figure = services.submit_measurement(
        draft(robots, people["staff"], value="100000", on=dt.date(2021, 9, 30)),
        acting_user=people["staff"],
    )
    private_broker.stop()
    try:
        services.approve_measurement(figure, acting_user=people["reviewer"])
        figure.refresh_from_db()
        assert figure.state == "approved"
        robots.refresh_from_db()
        assert robots.dirty_since is not None
        assert not Progress.objects.filter(target=robots).exists()
    finally:
        private_broker.start()

    from targets.tasks import sweep_dirty_targets

    worker = start_worker("sweep")
    try:
        sweep_dirty_targets.delay()  # what beat sends every minute
        wait_for(
            lambda: Progress.objects.filter(target=robots, as_of=today()).exists(),
            what="the sweep to recompute the dirty target",
        )
    finally:
        worker.stop()
    assert Progress.objects.get(target=robots, as_of=today()).current_value == Decimal("100000")
    robots.refresh_from_db()
    assert robots.dirty_since is None
