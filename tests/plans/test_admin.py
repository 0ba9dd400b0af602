"""The plan in the admin is shown, never changed: the plan file is its only source."""

from __future__ import annotations

import pytest
from django.test import Client

from plans import rules
from plans.models import Plan, PlanItem, ResponsibleUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(plan, make_user):
    admin = make_user("boss", "admin", ResponsibleUnit.objects.get(code="econ-it"))
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client


def test_nobody_changes_the_plan_by_hand(make_user):
    assert not rules.may_change_plans(make_user("boss", "admin"))
    assert rules.may_read_plans(make_user("clerk", "staff"))


@pytest.mark.parametrize(
    ("model", "lookup"),
    [
        (Plan, {"code": "zj-ai-2019-2022"}),
        (ResponsibleUnit, {"code": "econ-it"}),
        (PlanItem, {"key": "II.4.1.1"}),
    ],
)
def test_plan_rows_are_read_only_in_the_admin(admin_client, model, lookup):
    obj = model.objects.get(**lookup)
    base = f"/admin/plans/{model._meta.model_name}/"
    page = admin_client.get(f"{base}{obj.pk}/change/")
    assert page.status_code == 200
    assert not page.context["adminform"].form.fields  # every field shown read-only
    assert admin_client.post(f"{base}{obj.pk}/change/", {"code": "x"}).status_code == 403
    assert admin_client.post(f"{base}{obj.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.get(f"{base}add/").status_code == 403
    assert model.objects.filter(pk=obj.pk, **lookup).exists()
