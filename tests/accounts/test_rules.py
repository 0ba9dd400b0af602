"""accounts.rules and the role-only rules of zjai.roles, function by function."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts import rules
from accounts.models import User
from zjai import roles

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_user):
    return {role: make_user(role, role) for role in ("admin", "reviewer", "staff", "auditor")} | {
        "roleless": User.objects.create_user(username="roleless")
    }


def test_a_role_is_needed_for_anything(people):
    assert all(roles.has_a_role(people[r]) for r in ("admin", "reviewer", "staff", "auditor"))
    assert not roles.has_a_role(people["roleless"])
    assert not roles.has_a_role(AnonymousUser())


def test_a_superuser_is_an_administrator(people):
    boss = User.objects.create_user(username="root", is_superuser=True)
    assert roles.has_a_role(boss) and rules.sees_every_token(boss)


def test_auditors_change_nothing(people):
    assert not roles.may_change_data(people["auditor"])
    assert not roles.may_change_data(people["roleless"])
    assert all(roles.may_change_data(people[r]) for r in ("admin", "reviewer", "staff"))


def test_the_audit_log_is_for_auditors_and_admins(people):
    assert roles.may_read_audit_log(people["auditor"]) and roles.may_read_audit_log(people["admin"])
    assert not roles.may_read_audit_log(people["reviewer"])
    assert not roles.may_read_audit_log(people["staff"])


def test_tokens_are_ones_own_but_admins_manage_all(people):
    staff, admin, auditor = people["staff"], people["admin"], people["auditor"]
    assert rules.may_manage_tokens_of(staff, staff)
    assert rules.may_manage_tokens_of(auditor, auditor)
    assert not rules.may_manage_tokens_of(staff, auditor)
    assert rules.may_manage_tokens_of(admin, staff)
    assert rules.sees_every_token(admin) and not rules.sees_every_token(staff)
    staff.is_active = False
    assert not rules.may_manage_tokens_of(staff, staff)
    assert not rules.may_manage_tokens_of(AnonymousUser(), staff)
