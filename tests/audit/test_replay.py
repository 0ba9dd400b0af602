"""verify_audit_log --replay: every audited table rebuilt from its events and compared with the
table. A value changed by direct SQL in any audited table is named (table, row, field, both
values) and the command exits 1; an event forged through the application's own insert path is
caught when the row does not match it; the demo data and everything written through the
services replay cleanly."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import ApiToken, User
from accounts.services import (
    create_api_token,
    delete_account,
    ensure_role_groups,
    revoke_api_token,
    save_account,
)
from audit.replay import TABLES, replay
from audit.services import append_event, record_event, snapshot
from enterprises.models import Enterprise
from enterprises.services import create_enterprise, update_enterprise
from plans.models import Plan, PlanItem, ResponsibleUnit
from projects.models import Project
from projects.services import create_project
from targets import services
from targets.models import Measurement, Target

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("verify_audit_log", "--replay", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def differences() -> list[str]:
    """The lines --replay prints, having exited 1 with a one-line summary."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("verify_audit_log", "--replay", stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert "\n" not in str(exc.value)
    assert "differences between the tables and their trail" in str(exc.value)
    return err.getvalue().strip().splitlines()


def sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def audited_user(username: str, role: str, unit) -> User:
    """An account made the way the admin makes one (accounts.services), so it has its event."""
    ensure_role_groups()
    user = User(username=username, unit=unit)
    user.set_password("pw-Test-12345")
    return save_account(user, acting_user=None, groups=[Group.objects.get(name=role)])


@dataclass
class World:
    admin: User
    staff: User
    reviewer: User
    figure: Measurement
    robots: Target
    enterprise: Enterprise
    project: Project
    token: ApiToken


@pytest.fixture
def world(plan) -> World:
    """One row of every audited table, each written through its service."""
    econ = ResponsibleUnit.objects.get(code="econ-it")
    admin = audited_user("boss", "admin", econ)
    staff = audited_user("clerk", "staff", econ)
    reviewer = audited_user("checker", "reviewer", econ)
    robots = Target.objects.get(code="robots-in-service")
    figure = services.create_measurement(
        target=robots, value="120000", observed_on=dt.date(2021, 6, 30), acting_user=staff
    )
    figure = services.submit_measurement(figure, acting_user=staff)
    figure = services.approve_measurement(figure, acting_user=reviewer, comment="ok")
    robots = services.update_target(
        robots, acting_user=admin, reason="the plan's correction", target_value="150500"
    )
    enterprise = create_enterprise(
        acting_user=staff,
        name_zh="丙智能",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 1, 5),
    )
    project = create_project(
        acting_user=staff,
        name_zh="智能工厂",
        kind="smart_factory",
        level="provincial",
        city="ningbo",
        planned_investment=Decimal("500"),
    )
    token, _key = create_api_token(owner=staff, name="reports", acting_user=admin)
    token = revoke_api_token(token, acting_user=admin)
    return World(admin, staff, reviewer, figure, robots, enterprise, project, token)


def test_everything_written_through_the_services_replays_cleanly(world):
    out, err = run("-v", "2")
    assert err == ""
    assert "every audited table matches its trail" in out
    # Each table is compared on the fields its events record.
    assert "targets.measurement: " in out and "value" in out
    lines = {line.split(":")[0].strip(): line for line in out.splitlines() if line.startswith(" ")}
    assert "reviewed_by" in lines["targets.measurement"]
    assert "units" in lines["targets.target"]
    assert "groups" in lines["accounts.user"]


# --- a value changed by direct SQL, in each audited table ------------------------------------

# (label, table, column, new value, the field the replay names, how to find the row)
CHANGES = [
    ("targets.measurement", "targets_measurement", "value", 149999, "value", "figure"),
    ("targets.measurement", "targets_measurement", "state", "draft", "state", "figure"),
    ("targets.target", "targets_target", "target_value", 1, "target_value", "robots"),
    ("targets.target", "targets_target", "weight", 7, "weight", "robots"),
    ("enterprises.enterprise", "enterprises_enterprise", "tier", "benchmark", "tier", "enterprise"),
    (
        "projects.project",
        "projects_project",
        "planned_investment",
        9e5,
        "planned_investment",
        "project",
    ),
    ("projects.project", "projects_project", "level", "national", "level", "project"),
    ("accounts.user", "accounts_user", "is_superuser", True, "is_superuser", "staff"),
    ("accounts.apitoken", "accounts_apitoken", "revoked_at", None, "revoked_at", "token"),
]


@pytest.mark.parametrize(
    ("label", "table", "column", "value", "field", "row"),
    CHANGES,
    ids=[f"{c[0]}.{c[2]}" for c in CHANGES],
)
def test_a_value_changed_by_sql_is_named(world, label, table, column, value, field, row):
    pk = getattr(world, row).pk
    sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    lines = differences()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{label}:{pk} {field}: trail ")
    assert ", table " in lines[0]


@pytest.mark.parametrize(
    ("label", "table", "column", "value", "field"),
    [
        ("plans.plan", "plans_plan", "title_zh", "改过", "title_zh"),
        ("plans.responsibleunit", "plans_responsibleunit", "name_zh", "改过", "name_zh"),
        ("plans.planitem", "plans_planitem", "title_zh", "改过", "title_zh"),
    ],
)
def test_a_plan_row_changed_by_sql_is_named(plan, label, table, column, value, field):
    pk = {
        "plans.plan": plan.pk,
        "plans.responsibleunit": ResponsibleUnit.objects.get(code="econ-it").pk,
        "plans.planitem": PlanItem.objects.filter(plan=plan).order_by("pk").last().pk,
    }[label]
    sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])
    (line,) = differences()
    assert line.startswith(f"{label}:{pk} {field}: trail ")
    assert line.endswith(f'table "{value}"')


def test_the_approved_value_is_named_with_both_values(world):
    sql("UPDATE targets_measurement SET value = 149999 WHERE id = %s", [world.figure.pk])
    (line,) = differences()
    seq = record_seq(world.figure, "create")
    assert line == (
        f"targets.measurement:{world.figure.pk} value: trail 120000.0000 (#{seq}), "
        "table 149999.0000"
    )


def record_seq(obj, action: str) -> int:
    from audit.models import AuditEvent

    return (
        AuditEvent.objects.filter(
            object_type=obj._meta.label_lower, object_id=str(obj.pk), action=action
        )
        .values_list("seq", flat=True)
        .get()
    )


def test_who_approved_is_checked_against_the_events_actor(world):
    """The figure's reviewer is the actor of its approve event: moving the approval to someone
    else by SQL shows, though the figure's own snapshot does not hold reviewed_by."""
    sql(
        "UPDATE targets_measurement SET reviewed_by_id = %s WHERE id = %s",
        [world.admin.pk, world.figure.pk],
    )
    (line,) = differences()
    assert line.startswith(f"targets.measurement:{world.figure.pk} reviewed_by: trail ")
    assert f'"{world.reviewer.pk}"' in line and f'"{world.admin.pk}"' in line


def test_a_links_change_by_sql_is_named(world):
    sql(
        "UPDATE targets_targetunit SET is_lead = NOT is_lead WHERE target_id = %s",
        [world.robots.pk],
    )
    (line,) = differences()
    assert line.startswith(f"targets.target:{world.robots.pk} units: trail econ-it (lead)")


def test_an_item_link_changed_by_sql_is_named(plan):
    link = PlanItem.units.through.objects.order_by("pk").first()
    sql("DELETE FROM plans_itemunit WHERE id = %s", [link.pk])
    (line,) = differences()
    assert line.startswith(f"plans.planitem:{link.item_id} units: trail ")


def test_a_many_to_many_change_by_sql_is_named(world):
    """restated_in is recorded for some targets only; a target whose trail never mentions it
    was created without any, so one added by SQL shows too."""
    item = PlanItem.objects.filter(plan=world.robots.plan).order_by("pk").first()
    sql(
        "INSERT INTO targets_target_restated_in (target_id, planitem_id) VALUES (%s, %s)",
        [world.robots.pk, item.pk],
    )
    (line,) = differences()
    assert line.startswith(f"targets.target:{world.robots.pk} restated_in: trail [] ")


def test_a_role_given_by_sql_is_named(world):
    sql(
        "INSERT INTO accounts_user_groups (user_id, group_id) VALUES (%s, %s)",
        [world.staff.pk, Group.objects.get(name="admin").pk],
    )
    (line,) = differences()
    assert line == (
        f'accounts.user:{world.staff.pk} groups: trail ["staff"] '
        f'(#{record_seq(world.staff, "create")}), table ["admin", "staff"]'
    )


def test_a_change_by_sql_then_an_edit_through_the_service_is_still_found(world):
    """The edit's event records the tampered value as `before`: the table matches its trail
    again, but the trail no longer fits together."""
    sql("UPDATE enterprises_enterprise SET tier = 'benchmark' WHERE id = %s", [world.enterprise.pk])
    update_enterprise(world.enterprise, acting_user=world.staff, tier="specialised")
    (line,) = differences()
    assert line.startswith(f"enterprises.enterprise:{world.enterprise.pk} tier: event #")
    assert 'says it was "benchmark" before, the trail had "leading"' in line


# --- rows the trail does not account for ----------------------------------------------------


def test_a_row_inserted_by_sql_has_no_create_event(world):
    sql(
        "INSERT INTO enterprises_enterprise (name_zh, name_en, city, sector, tier, "
        "recognised_by, status, is_demo, confirmed, version, created_at, updated_at) VALUES "
        "('伪造', '', 'hangzhou', '', '', '', 'active', false, true, 1, now(), now()) "
        "RETURNING id"
    )
    forged = Enterprise.objects.get(name_zh="伪造")
    (line,) = differences()
    assert line == (
        f"enterprises.enterprise:{forged.pk}: no create event: written outside the trail"
    )


def test_a_row_deleted_by_sql_is_named(world):
    sql("DELETE FROM projects_project WHERE id = %s", [world.project.pk])
    (line,) = differences()
    assert line.startswith(f"projects.project:{world.project.pk}: in the trail (last event #")
    assert "no event deleted it" in line


def test_an_audited_delete_is_accepted_with_what_went_with_it(world, plan):
    """delete_account records the deletion; the account's token goes with it (CASCADE)."""
    leaver = audited_user("leaver", "staff", ResponsibleUnit.objects.get(code="econ-it"))
    create_api_token(owner=leaver, name="old", acting_user=world.admin)
    delete_account(leaver, acting_user=world.admin, reason="left")
    out, err = run()
    assert err == "" and "matches its trail" in out


# --- forged events --------------------------------------------------------------------------


def test_an_event_forged_through_record_event_is_caught(world):
    """A fabricated after-state appended the way the application appends: the chain is intact,
    the row does not say what the event says."""
    figure = world.figure
    record_event(
        action="update",
        obj=figure,
        acting_user=world.reviewer,
        before=snapshot(figure, services.MEASUREMENT_FIELDS),
        after={**snapshot(figure, services.MEASUREMENT_FIELDS), "value": Decimal("149999")},
    )
    (line,) = differences()
    assert line.startswith(f"targets.measurement:{figure.pk} value: trail 149999 (#")
    assert line.endswith("table 120000.0000")


def test_an_event_forged_through_append_event_is_caught(world):
    append_event(
        actor=None,
        actor_label="system",
        request_id="",
        action="delete",
        object_type="projects.project",
        object_id=str(world.project.pk),
        object_repr="",
        before={"status": world.project.status},
        after=None,
        reason="",
    )
    (line,) = differences()
    assert line.startswith(f"projects.project:{world.project.pk}: the trail deleted it (#")


def test_a_forged_event_with_a_matching_sql_change_is_a_write_in_the_trail(world):
    """The limit of the replay: someone who changes the row *and* appends a matching event has
    made a write the trail records (who, when, in the chain that every later anchor covers);
    the replay agrees with the table, as it must. What shows it is the trail itself."""
    from audit.history import events_for

    sql("UPDATE projects_project SET name_en = 'Forged' WHERE id = %s", [world.project.pk])
    record_event(
        action="update",
        obj=world.project,
        before={"name_en": world.project.name_en},
        after={"name_en": "Forged"},
    )
    out, err = run()
    assert err == "" and "matches its trail" in out
    last = list(events_for(world.project))[-1]
    assert (last.actor_label, last.after) == ("system", {"name_en": "Forged"})


def test_events_of_a_table_that_is_not_replayed_are_reported(world):
    group = Group.objects.get(name="staff")
    record_event(action="update", obj=group, before={"name": "x"}, after={"name": "staff"})
    lines = differences()
    assert lines == [
        "auth.group: 1 events, but the table is not replayed (register it in audit.replay)"
    ]


# --- the demo data and the plan loader --------------------------------------------------------


def test_the_demo_data_replays_cleanly_and_counts_its_rows(plan):
    call_command("seed_demo", stdout=io.StringIO())
    out, err = run()
    assert err == ""
    assert "every audited table matches its trail" in out
    # A demo figure approved later through the services has events, and is compared.
    admin = User.objects.get(username="admin")
    # The demo administrator reviews any figure they did not report.
    figure = (
        Measurement.objects.filter(is_demo=True, state="submitted")
        .exclude(created_by=admin)
        .exclude(submitted_by=admin)
        .order_by("pk")
        .first()
    )
    replaced = services.approved_for_same_date(figure)
    # It may replace a figure approved for the same date: that one's "supersede" event is
    # replayed too (state superseded, superseded_by this figure).
    services.approve_measurement(figure, acting_user=admin, supersede=True)
    out, err = run()
    assert err == "", err
    if replaced is not None:
        replaced.refresh_from_db()
        assert replaced.state == "superseded" and replaced.superseded_by_id == figure.pk
    # Its approve event records what it changed (state, version, comment, reviewer); its value
    # was never recorded, so the replay compares what it knows.
    sql("UPDATE targets_measurement SET state = 'submitted' WHERE id = %s", [figure.pk])
    (line,) = differences()
    assert line.startswith(f'targets.measurement:{figure.pk} state: trail "approved" (#')


def test_a_superseded_figure_replays_cleanly(plan):
    """Approving a second figure for a date supersedes the first in the same transaction: both
    rows match their trails (the old one's "supersede" event: state, superseded_by, version)."""
    econ = ResponsibleUnit.objects.get(code="econ-it")
    staff = audited_user("staff_s", "staff", econ)
    reviewer = audited_user("reviewer_s", "reviewer", econ)
    robots = Target.objects.get(code="robots-in-service")
    figures = []
    for value in ("142000", "151000"):
        figure = services.create_measurement(
            target=robots, value=value, observed_on=dt.date(2021, 6, 30), acting_user=staff
        )
        figure = services.submit_measurement(figure, acting_user=staff)
        figures.append(services.approve_measurement(figure, acting_user=reviewer, supersede=True))
    old = Measurement.objects.get(pk=figures[0].pk)
    assert old.state == "superseded" and old.superseded_by_id == figures[1].pk
    out, err = run()
    assert err == "", err
    assert "every audited table matches its trail" in out
    sql("UPDATE targets_measurement SET superseded_by_id = id WHERE id = %s", [old.pk])
    assert any(line.startswith(f"targets.measurement:{old.pk} ") for line in differences())


def test_a_demo_row_inserted_by_sql_is_counted(plan):
    call_command("seed_demo", stdout=io.StringIO())
    sql(
        "INSERT INTO projects_project (name_zh, name_en, kind, level, status, city, sector, "
        "start_date, accepted_on, is_demo, confirmed, version, created_at, updated_at) SELECT "
        "'伪造', '', kind, level, status, city, sector, start_date, accepted_on, true, true, 1, "
        "now(), now() "
        "FROM projects_project WHERE is_demo LIMIT 1"
    )
    (line,) = differences()
    assert line.startswith("projects.project:*: ")
    assert "marked is_demo without a create event, the trail says" in line


def test_a_plan_reload_that_changes_rows_replays_cleanly(plan, tmp_path):
    from tests.plans.test_reload import changed_plan_file, load

    load(changed_plan_file(tmp_path))
    out, err = run()
    assert err == "" and "matches its trail" in out
    sql("UPDATE targets_target SET target_value = 150000 WHERE code = 'robots-in-service'")
    (line,) = differences()
    assert "robots" not in line and "target_value: trail 160001.0000" in line


def test_set_units_through_the_service_replays_cleanly(world):
    units = [
        ResponsibleUnit.objects.get(code="econ-it"),
        ResponsibleUnit.objects.get(code="sci-tech"),
    ]
    services.set_target_units(
        world.robots,
        links=[(units[1], True), (units[0], False)],
        acting_user=world.admin,
        reason="the lead moves",
    )
    out, err = run()
    assert err == "" and "matches its trail" in out


def test_every_table_a_service_records_is_registered(world):
    """What the services write, the replay covers: no event of the world is unregistered."""
    result = replay()
    assert not result.unregistered
    assert {"targets.measurement", "targets.target", "enterprises.enterprise"} <= set(TABLES)
    assert result.ok


def test_the_loaded_plan_alone_replays_cleanly(plan):
    assert Plan.objects.exists()
    out, err = run()
    assert err == "" and "matches its trail" in out


def test_an_account_made_outside_the_services_is_named(plan):
    """An account made in a shell past the services (Django's own createsuperuser did this; the
    accounts app's records it, tests/accounts/test_createsuperuser.py): no create event."""
    root = User.objects.create_superuser("root", password="pw-Test-12345")
    (line,) = differences()
    assert line == f"accounts.user:{root.pk}: no create event: written outside the trail"


def test_an_event_naming_an_impossible_row_is_named(world):
    event = append_event(
        actor=None,
        actor_label="system",
        request_id="",
        action="update",
        object_type="targets.measurement",
        object_id="x1",
        object_repr="",
        before=None,
        after={"value": "1"},
        reason="",
    )
    (line,) = differences()
    assert line == f"targets.measurement:x1: event #{event.seq} names a row this table cannot have"


# How the replay handles the set-wise writes of tests/audit/test_bulk_writes.py (KNOWN), by
# file: a module that starts writing set-wise must be placed here too (docs/audit.md).
REPLAY_OF_BULK_WRITES = {
    "portfolio/services.py": "links: the owner's `units`; item moves: the `order` recorded last",
    "targets/services.py": "not replayed: progress, roll-ups, reminders, the dirty marks; "
    "a target's links: its `units`",
    "demo/generator.py": "counted: rows marked is_demo against the newest seed_demo event",
    "accounts/services.py": "not compared: a token's last use",
    "audit/guard.py": "the trail's own guard",
    "audit/admin_mixins.py": "one delete event per object: an audited delete",
    "reports/services.py": "not replayed: an export's progress",
    "notifications/services.py": "not replayed: inbox notices, read marks, e-mail choices and "
    "webhook deliveries (bookkeeping); a unit's webhooks are per-row events",
}


def test_every_set_wise_write_is_placed_in_the_replay():
    from tests.audit.test_bulk_writes import KNOWN

    assert {path for path, _receiver, _method in KNOWN} == set(REPLAY_OF_BULK_WRITES)


def test_actions_that_do_not_change_the_row_can_be_skipped(world, monkeypatch):
    """A change proposed and waiting for a second person is recorded on the row it would change
    but is not its state: the table's registration names such actions."""
    from audit import replay as replaying

    record_event(
        action="propose",
        obj=world.project,
        before={"level": world.project.level},
        after={"level": "national"},
    )
    assert "projects.project" in differences()[0]
    table = replaying.TABLES["projects.project"]
    monkeypatch.setitem(
        replaying.TABLES,
        "projects.project",
        replaying.Table(table.label, seeded=table.seeded, not_applied=frozenset({"propose"})),
    )
    out, err = run()
    assert err == "" and "matches its trail" in out


# --- four eyes on the registers ----------------------------------------------------------------


def four_eyes_in_use(world) -> dict:
    """The pending-change flow as people use it, through the services: a change of counted
    fields proposed, amended and confirmed; one rejected; new counting entries confirmed and
    rejected (removed); an import batch confirmed and one rejected."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enterprises.services import confirm_enterprise_change, reject_enterprise_change
    from projects.services import confirm_project_change, update_project
    from registers.imports import import_for
    from registers.models import ImportBatch
    from registers.services import confirm_import_batch, reject_import_batch
    from tests.web import credit_code

    staff, reviewer = world.staff, world.reviewer
    # world.enterprise is new and counts: confirmed by a second person.
    enterprise = confirm_enterprise_change(world.enterprise, acting_user=reviewer, comment="ok")
    # A change of counted fields, amended by its proposer, then confirmed.
    update_enterprise(enterprise, acting_user=staff, tier="benchmark", reason="upgraded")
    update_enterprise(enterprise, acting_user=staff, tier="specialised", reason="no, this")
    enterprise = confirm_enterprise_change(enterprise, acting_user=reviewer, comment="checked")
    # One rejected: the entry keeps its confirmed values.
    update_enterprise(enterprise, acting_user=staff, city="ningbo", sector="robots")
    enterprise = reject_enterprise_change(enterprise, acting_user=reviewer, comment="wrong city")
    # A plain field changes at once, beside a pending proposal of a counted one.
    update_enterprise(enterprise, acting_user=staff, tier="leading")
    update_enterprise(enterprise, acting_user=staff, name_en="Bing Intelligent")
    confirm_enterprise_change(enterprise, acting_user=reviewer)
    # The new project: confirmed; a second one rejected, so removed.
    project = confirm_project_change(world.project, acting_user=reviewer, comment="ok")
    update_project(project, acting_user=staff, level="national", reason="upgraded")
    confirm_project_change(project, acting_user=reviewer)
    doomed = create_enterprise(
        acting_user=staff,
        name_zh="丁智能",
        city="hangzhou",
        tier="leading",
        recognised_on=dt.date(2021, 2, 1),
    )
    assert reject_enterprise_change(doomed, acting_user=reviewer, comment="not real") is None
    # Two imports: one batch confirmed, one rejected (its entries removed).
    header = "name_zh,credit_code,city,sector,tier,recognised_on\n"
    batches = []
    for n, name in enumerate(("good", "bad")):
        rows = "".join(
            f"导入{name}{i},{credit_code(800 + 10 * n + i)},hangzhou,robots,leading,2021-03-01\n"
            for i in range(2)
        )
        upload = SimpleUploadedFile(f"{name}.csv", (header + rows).encode())
        report = import_for("enterprises")(staff).run(upload)
        assert report.ok and report.batch_id, report.errors
        batches.append(ImportBatch.objects.get(pk=report.batch_id))
    confirm_import_batch(batches[0], acting_user=reviewer, comment="checked")
    reject_import_batch(batches[1], acting_user=reviewer, comment="duplicates")
    # And one waiting still.
    update_enterprise(enterprise, acting_user=staff, tier="benchmark", reason="pending")
    return {"enterprise": Enterprise.objects.get(pk=enterprise.pk), "batch": batches[0]}


def test_the_pending_change_flow_replays_cleanly(world):
    four_eyes_in_use(world)
    out, err = run("-v", "2")
    assert err == "", err
    assert "every audited table matches its trail" in out
    assert "registers.pendingchange" in out and "registers.importbatch" in out


def test_a_proposed_value_changed_by_sql_is_named(world):
    from registers.models import PendingChange

    state = four_eyes_in_use(world)
    waiting = PendingChange.objects.pending().of_entry(state["enterprise"]).get()
    assert waiting.proposed == {"tier": "benchmark"}
    sql(
        "UPDATE registers_pendingchange SET proposed = %s WHERE id = %s",
        ['{"tier": "leading"}', waiting.pk],
    )
    (line,) = differences()
    assert line.startswith(
        f'registers.pendingchange:{waiting.pk} proposed: trail {{"tier": "benchmark"}} (#'
    )
    assert line.endswith('table {"tier": "leading"}')


def test_an_entry_confirmed_by_sql_is_named(world):
    """A new entry counts once confirmed: setting the flag past the service shows."""
    sql("UPDATE enterprises_enterprise SET confirmed = true WHERE id = %s", [world.enterprise.pk])
    (line,) = differences()
    assert line.startswith(
        f"enterprises.enterprise:{world.enterprise.pk} confirmed: trail false (#"
    )
    assert line.endswith("table true")


def test_a_batch_marked_confirmed_by_sql_is_named(world):
    state = four_eyes_in_use(world)
    sql("UPDATE registers_importbatch SET state = 'pending' WHERE id = %s", [state["batch"].pk])
    (line,) = differences()
    assert line.startswith(f'registers.importbatch:{state["batch"].pk} state: trail "confirmed" (#')


def test_a_figures_reporting_unit_is_recorded_and_compared(world):
    """The figure's unit (who may change it) is in its events: replayed cleanly, and moved to
    another unit by SQL it shows, as its value does (test_a_value_changed_by_sql_is_named)."""
    out, _err = run("-v", "2")
    (line,) = [x for x in out.splitlines() if x.strip().startswith("targets.measurement:")]
    assert "unit" in line.replace("units", "")
    other = ResponsibleUnit.objects.get(code="sci-tech")
    sql("UPDATE targets_measurement SET unit_id = %s WHERE id = %s", [other.pk, world.figure.pk])
    (line,) = differences()
    assert line.startswith(f"targets.measurement:{world.figure.pk} unit: trail ")
    assert line.endswith(f'table "{other.pk}"')
