"""Names on the embedded default (SQLite): the models' pinyin ordering compiles to the plain
column there (no ICU), so the lists, the API and the selects of units answer as before.

tests/zjai/test_collation.py runs it as `python -m tests.zjai.pinyin_sqlite` on a fresh SQLite
file; it prints JSON.
"""

from __future__ import annotations

import json
import os
import sys


def answer() -> dict:
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from rest_framework.test import APIClient

    from accounts.models import User
    from accounts.services import ensure_role_groups
    from enterprises.models import Enterprise
    from plans.models import ResponsibleUnit

    call_command("migrate", verbosity=0)
    ensure_role_groups()
    econ = ResponsibleUnit.objects.create(
        code="econ-it", name_zh="省经信厅", name_en="Economy and IT", kind="provincial_department"
    )
    names = ["温州智能", "北京智能", "浙江智能", "宁波智能", "杭州智能"]
    for name in names:
        Enterprise.objects.create(name_zh=name, city="hangzhou", owner_unit=econ)
    auditor = User.objects.create_user(username="sq-auditor", unit=econ)
    auditor.groups.add(Group.objects.get(name="auditor"))
    client = Client()
    client.force_login(auditor)

    def listed(sort: str) -> list:
        response = client.get("/enterprises/", {"sort": sort})
        page = response.content.decode()
        # The names in the order the page shows them.
        return [response.status_code, sorted(names, key=page.find)]

    api = APIClient()
    api.force_authenticate(auditor)
    by_name = api.get("/api/v1/enterprises/", {"ordering": "name_zh"})
    return {
        "vendor": connection.vendor,
        "model": list(Enterprise.objects.values_list("name_zh", flat=True)),
        "list": listed("name"),
        "list_descending": listed("-name"),
        "api": [by_name.status_code, [row["name_zh"] for row in by_name.json()["results"]]],
        "units": client.get("/projects/").status_code,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zjai.settings")
    import django

    django.setup()
    print("RESULT " + json.dumps(answer(), ensure_ascii=False))
    sys.exit(0)
