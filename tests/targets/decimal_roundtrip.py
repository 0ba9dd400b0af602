"""The ends of every decimal field's range, written through the services and read back.

tests/targets/test_decimals.py runs `round_trip()` in the test process (PostgreSQL, the suite's
database) and, as `python -m tests.targets.decimal_roundtrip`, in a process with the embedded
default's settings (zjai.settings, DEBUG=1, eager Celery) on a fresh SQLite file, which it
migrates first. Each answers, for every decimal field, the values written and the values a
fresh query read back, as strings.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from typing import Any

DAY = dt.date(2021, 6, 30)


def decimal_fields() -> dict[str, Any]:
    """Every decimal field of every model of the project, by "app.model.field"."""
    from django.apps import apps
    from django.db import models

    return {
        f"{model._meta.label_lower}.{field.name}": field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.DecimalField)
    }


def _world() -> dict[str, Any]:
    """A plan with one item, a unit leading four reported targets (the second and the fourth may
    be negative), and an administrator, a reporter and a reviewer of the unit. The plan ended
    in 2022: its targets are closed by the first recompute."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.services import ensure_role_groups
    from plans.models import Plan, PlanItem, ResponsibleUnit
    from targets.models import Target, TargetUnit

    plan = Plan.objects.create(
        code="round-trip",
        title_zh="往返",
        title_en="Round trip",
        period_start=dt.date(2019, 1, 1),
        period_end=dt.date(2022, 12, 31),
    )
    item = PlanItem.objects.create(
        plan=plan, key="rt", kind="objective", order=1, title_zh="往返目标"
    )
    unit = ResponsibleUnit.objects.create(
        code="rt-unit", name_zh="往返单位", name_en="Round-trip unit", kind="institution"
    )
    targets = {}
    for code, negative in (
        ("rt-largest", False),
        ("rt-lowest", True),
        ("rt-revised-largest", False),
        ("rt-revised-lowest", True),
    ):
        targets[code] = Target.objects.create(
            plan=plan,
            code=code,
            item=item,
            title_zh=code,
            title_en=code,
            unit_of_measure="台",
            unit_of_measure_en="units",
            target_value=1,
            deadline=dt.date(2022, 12, 31),
            source_kind="reported",
            allows_negative=negative,
        )
        TargetUnit.objects.create(target=targets[code], unit=unit, order=1, is_lead=True)
    ensure_role_groups()
    people = {}
    for role in ("admin", "staff", "reviewer"):
        people[role] = User.objects.create_user(username=f"rt-{role}", unit=unit)
        people[role].groups.add(Group.objects.get(name=role))
    return {"targets": targets, **people}


def round_trip() -> dict[str, dict[str, list[str]]]:
    """For each decimal field, {"written": [...], "read": [...]}: its largest value, and its
    lowest where the field and its rules take negative numbers."""
    from projects.models import Project, ProjectHistory
    from projects.services import confirm_project_change, create_project, update_project
    from targets import services
    from targets.models import FigureReview, Measurement, Progress, Target, TargetVerdict

    fields = decimal_fields()

    def high(name: str) -> Decimal:
        return fields[name].range.high

    def low(name: str) -> Decimal:
        return fields[name].range.low

    world = _world()
    admin, staff, reviewer = world["admin"], world["staff"], world["reviewer"]
    largest, lowest = world["targets"]["rt-largest"], world["targets"]["rt-lowest"]

    # A figure at each end, reported, submitted and approved: it is then the current value, and
    # the value of the verdict when the target closes (with eager Celery, at once: before the
    # targets are changed below, so the order does not depend on the broker).
    figure_value = "targets.measurement.value"
    for target, value in ((largest, high(figure_value)), (lowest, low(figure_value))):
        figure = services.create_measurement(
            target=target, value=value, observed_on=DAY, acting_user=staff
        )
        figure = services.submit_measurement(figure, acting_user=staff)
        services.approve_measurement(figure, acting_user=reviewer)
    # The target's definition: what the admin's change form saves.
    services.update_target(
        largest,
        acting_user=admin,
        reason="round trip",
        target_value=high("targets.target.target_value"),
        admin_baseline_value=high("targets.target.admin_baseline_value"),
        admin_baseline_date=dt.date(2019, 1, 1),
        source_scale=high("targets.target.source_scale"),
        weight=high("targets.target.weight"),
    )
    services.update_target(
        lowest,
        acting_user=admin,
        reason="round trip",
        target_value=low("targets.target.target_value"),
        admin_baseline_value=low("targets.target.admin_baseline_value"),
        admin_baseline_date=dt.date(2019, 1, 1),
    )
    # The plan's own baseline comes from the plan file (the loader writes it); written here
    # directly, since no service offers it for change.
    for target, end in ((largest, high), (lowest, low)):
        Target.objects.filter(pk=target.pk).update(
            baseline_value=end("targets.target.baseline_value"), baseline_date=dt.date(2019, 1, 1)
        )
    # Closes all four targets: the first two on the figures at each end (the verdict's value),
    # the other two on no figure at all.
    services.recompute_progress()
    # A figure at each end approved after closing: the revised value of the other two.
    revised = world["targets"]["rt-revised-largest"], world["targets"]["rt-revised-lowest"]
    for target, value in zip(revised, (high(figure_value), low(figure_value)), strict=True):
        figure = services.create_measurement(
            target=target, value=value, observed_on=DAY, acting_user=staff
        )
        figure = services.submit_measurement(figure, acting_user=staff)
        services.approve_measurement(figure, acting_user=reviewer)
    services.recompute_progress()
    project = create_project(
        acting_user=staff,
        name_zh="往返项目",
        kind="major",
        level="provincial",
        city="hangzhou",
        planned_investment=high("projects.project.planned_investment"),
        completed_investment=high("projects.project.completed_investment"),
    )
    confirm_project_change(project, acting_user=reviewer)
    project.refresh_from_db()
    amounts = [
        str(Project.objects.values_list(name, flat=True).get(pk=project.pk))
        for name in ("planned_investment", "completed_investment")
    ]
    # A change from today: the amounts at their ends become the history of the days before.
    update_project(
        project,
        acting_user=staff,
        planned_investment=Decimal(0),
        completed_investment=Decimal(0),
    )
    confirm_project_change(project, acting_user=reviewer)
    period = ProjectHistory.objects.get(entry=project, replaced_at__isnull=True)

    def read(model, name: str, *objects) -> list[str]:
        return [str(model.objects.values_list(name, flat=True).get(pk=o.pk)) for o in objects]

    def figure_of(target):
        return Measurement.objects.get(target=target)

    def progress_of(target):
        return Progress.objects.get(target=target)

    written: dict[str, list[Any]] = {
        "targets.target.target_value": [high, low],
        "targets.target.baseline_value": [high, low],
        "targets.target.admin_baseline_value": [high, low],
        "targets.target.source_scale": [high],
        "targets.target.weight": [high],
        "targets.measurement.value": [high, low],
        "targets.figurereview.value": [high, low],
        "targets.progress.current_value": [high, low],
        "targets.progress.revised_value": [high, low],
        "targets.targetverdict.value": [high, low],
        "projects.project.planned_investment": [high],
        "projects.project.completed_investment": [high],
        "projects.projecthistory.planned_investment": [high],
        "projects.projecthistory.completed_investment": [high],
    }
    both = (largest, lowest)
    read_back = {
        "targets.target.target_value": read(Target, "target_value", *both),
        "targets.target.baseline_value": read(Target, "baseline_value", *both),
        "targets.target.admin_baseline_value": read(Target, "admin_baseline_value", *both),
        "targets.target.source_scale": read(Target, "source_scale", largest),
        "targets.target.weight": read(Target, "weight", largest),
        "targets.measurement.value": read(Measurement, "value", *map(figure_of, both)),
        # The value each figure's review round recorded as submitted.
        "targets.figurereview.value": read(
            FigureReview,
            "value",
            *(FigureReview.objects.get(measurement=figure_of(t)) for t in both),
        ),
        "targets.progress.current_value": read(Progress, "current_value", *map(progress_of, both)),
        "targets.progress.revised_value": read(
            Progress, "revised_value", *map(progress_of, revised)
        ),
        "targets.targetverdict.value": read(
            TargetVerdict, "value", *(TargetVerdict.objects.get(target=t) for t in both)
        ),
        "projects.project.planned_investment": amounts[:1],
        "projects.project.completed_investment": amounts[1:],
        "projects.projecthistory.planned_investment": read(
            ProjectHistory, "planned_investment", period
        ),
        "projects.projecthistory.completed_investment": read(
            ProjectHistory, "completed_investment", period
        ),
    }
    return {
        name: {"written": [str(end(name)) for end in ends], "read": read_back[name]}
        for name, ends in written.items()
    }


def main() -> None:
    """On the database the environment names: migrate, then print the database's vendor and
    round_trip() as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    json.dump({"vendor": connection.vendor, "fields": round_trip()}, sys.stdout)


if __name__ == "__main__":
    main()
