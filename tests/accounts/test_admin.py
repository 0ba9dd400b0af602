"""The user admin writes through accounts.services: creating and deleting an account is in
the audit trail like changing one (tests/audit/test_write_paths.py), never with its hash."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(make_user):
    admin = make_user("boss", "admin")
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin)
    return client, admin


def test_an_account_created_and_deleted_in_the_admin_is_audited(admin_client):
    client, admin = admin_client
    created = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "a-Long-pass-4567",
            "password2": "a-Long-pass-4567",
        },
    )
    assert created.status_code == 302, created.context and created.context["errors"]
    newcomer = User.objects.get(username="newcomer")
    assert newcomer.check_password("a-Long-pass-4567")
    event = AuditEvent.objects.get(object_type="accounts.user", object_id=str(newcomer.pk))
    assert (event.action, event.actor, event.reason) == ("create", admin, "via admin")
    assert event.after["username"] == "newcomer" and event.after["groups"] == []
    assert "password" not in event.after

    deleted = client.post(f"/admin/accounts/user/{newcomer.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 302
    assert not User.objects.filter(username="newcomer").exists()
    gone = AuditEvent.objects.filter(object_id=str(event.object_id), action="delete").get()
    assert gone.before["username"] == "newcomer" and gone.actor == admin
