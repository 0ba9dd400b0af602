"""The global search on the embedded default (SQLite, the README's run command): a target by a
Chinese word, an enterprise by part of its credit code, a project by its number, as a staff
member sees them; the reports page too.

tests/search/test_sqlite.py runs it as `python -m tests.search.pages_sqlite` on a fresh SQLite
file with the embedded default's settings; it prints JSON.
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
    from enterprises.models import Enterprise
    from plans.models import ResponsibleUnit
    from projects.models import Project
    from tests.web import credit_code

    call_command("load_action_plan", verbosity=0)
    ensure_role_groups()
    staff = User.objects.create_user(
        username="sq-staff", unit=ResponsibleUnit.objects.get(code="econ-it")
    )
    staff.groups.add(Group.objects.get(name="staff"))
    code = credit_code(5150)
    enterprise = Enterprise.objects.create(name_zh="SQLite智能", city="hangzhou", credit_code=code)
    project = Project.objects.create(
        pk=31337, name_zh="SQLite工厂", kind="smart_factory", level="city", city="hangzhou"
    )
    client = Client()
    client.force_login(staff)
    wanted = {
        "target": ("工业机器人", "/targets/robots-in-service/"),
        "enterprise": (code[4:12].lower(), f"/enterprises/{enterprise.pk}/"),
        "project": (str(project.pk), f"/projects/{project.pk}/"),
        "short": ("机", 'id="search-too-short"'),
    }
    out = {}
    for name, (text, needle) in wanted.items():
        response = client.get("/search/", {"q": text})
        out[name] = [response.status_code, needle in response.content.decode()]
    out["reports"] = [client.get("/reports/").status_code, True]
    return out


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    result = {"vendor": connection.vendor, "pages": answer()}
    sys.stdout.write("\nRESULT " + json.dumps(result, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
