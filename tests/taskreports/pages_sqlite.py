"""The task reports' pages on the embedded default (SQLite, the README's run command): a report
written, submitted and approved and a consolidated report through the services, then each page
that reads them as the coordinating office sees it, with each answer's status and whether the
task's status shows.

tests/taskreports/test_sqlite.py runs it as `python -m tests.taskreports.pages_sqlite` on a
fresh SQLite file with the embedded default's settings; it prints JSON.
"""

from __future__ import annotations

import json
import os
import sys


def answer() -> dict:
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.test import Client

    from accounts.models import User
    from accounts.services import ensure_role_groups
    from plans.models import Plan, PlanItem, ResponsibleUnit
    from taskreports import services
    from taskreports.periods import periods_of

    call_command("load_action_plan", verbosity=0)
    ensure_role_groups()
    plan = Plan.objects.get()
    econ = ResponsibleUnit.objects.get(code="econ-it")
    sci = ResponsibleUnit.objects.get(code="sci-tech")
    people = {}
    for name, role, unit in (
        ("sq-admin", "admin", econ),
        ("sq-staff", "staff", sci),
        ("sq-reviewer", "reviewer", econ),
    ):
        people[name] = User.objects.create_user(username=name, unit=unit)
        people[name].groups.add(Group.objects.get(name=role))
    item = PlanItem.objects.get(plan=plan, key="II.2.1")  # led by econ-it, sci-tech takes part
    period = periods_of(plan)[-1]
    report = services.create_report(
        item=item,
        unit=sci,
        period_start=period.start,
        status="behind",
        work_done="SQLite",
        acting_user=people["sq-staff"],
    )
    report = services.submit_report(report, acting_user=people["sq-staff"])
    services.approve_report(report, acting_user=people["sq-reviewer"], comment="ok")
    client = Client()
    client.force_login(people["sq-admin"])
    pages = {
        "dashboard": "/",
        "tree": "/plan/",
        "supervision": "/supervision/",
        "task": f"/plans/{plan.code}/tasks/{item.key}/",
        "reports": "/tasks/reports/",
        "report": f"/tasks/reports/{report.pk}/",
        "milestones": "/tasks/milestones/",
        "notices": "/tasks/notices/",
        "inbox": "/inbox/",
        "bulletin": "/reports/bulletin/",
    }
    out = {}
    for name, path in pages.items():
        response = client.get(path)
        out[name] = [response.status_code, "滞后" in response.content.decode()]
    return out


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    result = {"vendor": connection.vendor, "pages": answer()}
    # The last line: the loader's and the eager tasks' log lines come before it.
    sys.stdout.write("\nRESULT " + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
