"""The registers' valid-time history read on the embedded default (SQLite): a dated change through
the services, then the count and the report's register table as of a date before and after it.

tests/targets/test_values_valid_time.py runs it as `python -m tests.targets.valid_time_sqlite`
with the embedded default's settings on a fresh SQLite file (migrated first); it prints JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

BEFORE, CHANGED, AFTER = dt.date(2021, 6, 30), dt.date(2022, 1, 1), dt.date(2022, 6, 30)


def answer() -> dict:
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.models import User
    from accounts.services import ensure_role_groups
    from enterprises.services import confirm_enterprise_change, update_enterprise
    from plans.models import Plan, ResponsibleUnit
    from reports.builders import AsOfReport
    from targets.models import Target
    from targets.values import current_values
    from tests.targets.factories import recognise

    call_command("load_action_plan", verbosity=0)
    ensure_role_groups()
    unit = ResponsibleUnit.objects.get(code="econ-it")
    people = {}
    for role in ("staff", "reviewer"):
        people[role] = User.objects.create_user(username=f"vt-{role}", unit=unit)
        people[role].groups.add(Group.objects.get(name=role))
    recognise(2, "benchmark", dt.date(2020, 5, 1), city="wenzhou")
    from enterprises.models import Enterprise

    Enterprise.objects.filter(plan_key__isnull=True).update(owner_unit=unit)
    moved = Enterprise.objects.filter(plan_key__isnull=True).order_by("pk").first()
    assert moved is not None
    update_enterprise(
        moved,
        acting_user=people["staff"],
        tier="leading",
        city="ningbo",
        effective_from=CHANGED,
        reason="认定为领军企业并迁址",
    )
    confirm_enterprise_change(moved, acting_user=people["reviewer"])
    plan = Plan.objects.get()
    leading = Target.objects.get(code="ent-leading")

    def on(day: dt.date) -> dict:
        table = AsOfReport(plan, day).enterprises_table()
        row = next(r for r in table.rows() if r[0] == moved.pk)
        return {
            "leading": str(current_values([leading], day)[leading.pk].value),
            "city": row[4],
            "tier": row[6],
            "listed": table.count(),
        }

    return {"before": on(BEFORE), "after": on(AFTER)}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    result = {"vendor": connection.vendor, **answer()}
    # The last line: the loader and the eager tasks' log lines come before it.
    sys.stdout.write("\nRESULT " + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
