"""The registers' admin pages write through the registers' services: the same rules, version
check, audit event and recompute as the register pages, the import and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from audit.models import AuditEvent
from enterprises.models import Enterprise
from enterprises.services import confirm_enterprise_change, create_enterprise, update_enterprise
from plans.models import ResponsibleUnit
from targets.models import Progress, Target
from tests.audit.test_write_paths import _admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(plan, make_user):
    boss = make_user("boss", "admin", ResponsibleUnit.objects.get(code="econ-it"))
    boss.is_staff = boss.is_superuser = True
    boss.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(boss)
    return client, boss


def an_enterprise(user) -> Enterprise:
    return create_enterprise(
        acting_user=user,
        name_zh="之江智能",
        city="hangzhou",
        sector="robots",
        tier="benchmark",
        recognised_on=dt.date(2020, 5, 1),
    )


def test_a_new_entry_is_created_by_the_service_and_awaits_a_second_person(
    admin_client, make_user, django_capture_on_commit_callbacks
):
    client, boss = admin_client
    page = client.get("/admin/enterprises/enterprise/add/")
    assert page.status_code == 200
    data = _admin_form_data(page)
    data.update(
        name_zh="钱塘机器人",
        city="hangzhou",
        sector="robots",
        tier="leading",
        recognised_on="2021-03-01",
        audit_reason="省经信厅认定文件",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/enterprises/enterprise/add/", data)
    assert response.status_code == 302, response.context and response.context["errors"]
    entry = Enterprise.objects.get(name_zh="钱塘机器人")
    assert entry.version == 1 and entry.owner_unit == boss.unit and not entry.confirmed
    event = AuditEvent.objects.get(object_type="enterprises.enterprise", object_id=str(entry.pk))
    assert event.action == "create" and event.reason == "省经信厅认定文件"
    # A leading enterprise counts, so even an administrator's waits for a second person.
    counted = Target.objects.filter(source_register="enterprises")
    assert counted.exists() and not counted.filter(dirty_since__isnull=False).exists()
    with pytest.raises(PermissionDenied):
        confirm_enterprise_change(entry, acting_user=boss)
    second = make_user("boss2", "admin", boss.unit)
    with django_capture_on_commit_callbacks(execute=True):
        confirm_enterprise_change(entry, acting_user=second)
    # Confirmed: the targets reading the register were recomputed (eagerly).
    entry.refresh_from_db()
    assert entry.confirmed and entry.version == 2
    assert not counted.filter(dirty_since__isnull=False).exists()
    assert Progress.objects.filter(target__in=counted).exists()


def test_a_page_read_before_someone_else_changed_the_entry_changes_nothing(admin_client):
    client, boss = admin_client
    entry = an_enterprise(boss)
    url = f"/admin/enterprises/enterprise/{entry.pk}/change/"
    data = _admin_form_data(client.get(url))
    update_enterprise(entry, acting_user=boss, recognised_by="省经信厅")  # meanwhile
    data.update(recognised_by="浙江省经济和信息化厅")
    response = client.post(url, data)
    assert response.status_code == 200
    with translation.override("zh-hans"):
        conflict = gettext("This was changed by someone else. Reload it and try again.")
    assert conflict in response.content.decode()
    entry.refresh_from_db()
    assert entry.recognised_by == "省经信厅" and entry.version == 2


def test_revoking_in_the_admin_needs_a_reason_as_everywhere(admin_client):
    client, boss = admin_client
    entry = an_enterprise(boss)
    url = f"/admin/enterprises/enterprise/{entry.pk}/change/"
    data = _admin_form_data(client.get(url))
    data.update(status="revoked", revoked_on="2022-01-01", audit_reason="")
    response = client.post(url, data, follow=True)
    with translation.override("zh-hans"):
        assert gettext("Revoking a recognition needs a reason.") in response.content.decode()
    entry.refresh_from_db()
    assert entry.status == "active" and entry.version == 1


def test_staff_of_another_unit_cannot_change_an_entry_in_the_admin(admin_client, make_user):
    client, boss = admin_client
    entry = an_enterprise(boss)
    other = make_user("other", "staff", ResponsibleUnit.objects.exclude(pk=boss.unit_id).first())
    other.is_staff = True
    other.save(update_fields=["is_staff"])
    from django.contrib.auth.models import Permission

    other.user_permissions.add(*Permission.objects.filter(codename__endswith="_enterprise"))
    page = Client()
    page.force_login(other)
    url = f"/admin/enterprises/enterprise/{entry.pk}/change/"
    data = _admin_form_data(client.get(url))
    data.update(recognised_by="改了")
    assert page.post(url, data).status_code == 403
    entry.refresh_from_db()
    assert entry.recognised_by == "" and entry.version == 1
    assert Client().get("/admin/enterprises/enterprise/").status_code == 302  # signed out


def test_entries_are_never_deleted_in_the_admin(admin_client):
    client, boss = admin_client
    entry = an_enterprise(boss)
    response = client.post(f"/admin/enterprises/enterprise/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Enterprise.objects.filter(pk=entry.pk).exists()
