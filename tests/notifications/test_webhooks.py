"""A unit's webhook gets its notices as signed JSON, retried with a backoff, its failures shown
to administrators; a receiver that is down never fails the save that caused the notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from notifications import services
from notifications.models import UnitWebhook, WebhookDelivery
from notifications.webhooks import body_of, signature
from plans.models import ResponsibleUnit
from targets import services as figures
from targets.models import Measurement, Target
from tests.notifications.receiver import Receiver, running, verified
from tests.workers import free_port

SECRET = "s3cret-of-econ-it"


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    admin = make_user("admin", "admin", econ)
    admin.is_staff = True  # the Django admin site wants staff status
    admin.save(update_fields=["is_staff"])
    return {
        "admin": admin,
        "staff": make_user("staff", "staff", econ),
        "reviewer": make_user("reviewer", "reviewer", econ),
    }


@pytest.fixture
def fast_retries(settings):
    settings.ZJAI_WEBHOOK_RETRY_DELAY = 0
    settings.ZJAI_WEBHOOK_TIMEOUT = 2
    settings.ZJAI_WEBHOOK_MAX_ATTEMPTS = 3


def hook_for(people, url: str) -> UnitWebhook:
    return services.create_webhook(
        unit=ResponsibleUnit.objects.get(code="econ-it"),
        url=url,
        secret=SECRET,
        acting_user=people["admin"],
    )


def submit(people) -> Measurement:
    figure = figures.create_measurement(
        target=Target.objects.get(code="robots-in-service"),
        value="1300",
        observed_on=dt.date(2021, 6, 30),
        acting_user=people["staff"],
    )
    return figures.submit_measurement(figure, acting_user=people["staff"])


def test_the_signature_is_an_hmac_of_the_raw_body():
    body = body_of({"kind": "submitted", "id": 1})
    assert verified("k", body, signature("k", body))
    assert not verified("other", body, signature("k", body))


def test_a_submission_is_relayed_once_signed(
    people, fast_retries, django_capture_on_commit_callbacks
):
    with running(Receiver(SECRET)) as receiver:
        hook_for(people, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            figure = submit(people)
    # Two reviewers? One here, plus the admin of econ-it: one event, one delivery.
    assert receiver.refused == []
    (message,) = receiver.received
    payload = message["payload"]
    assert payload["kind"] == "submitted"
    assert payload["unit"] == "econ-it"
    assert payload["url"] == f"http://testserver.example/figures/{figure.pk}/review/"
    assert set(payload) == {"id", "kind", "subject", "body", "url", "unit", "created_at"}
    assert message["timestamp"].isdigit()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_status) == ("delivered", 1, 204)


def test_a_failing_receiver_is_retried_until_it_takes_the_delivery(
    people, fast_retries, django_capture_on_commit_callbacks
):
    with running(Receiver(SECRET, fail_first=2)) as receiver:
        hook_for(people, receiver.url)
        with django_capture_on_commit_callbacks(execute=True):
            submit(people)
    assert receiver.refused == ["failing on purpose", "failing on purpose"]
    assert len(receiver.received) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("delivered", 3, "")


def test_the_backoff_doubles(settings):
    settings.ZJAI_WEBHOOK_RETRY_DELAY = 30
    assert [services.retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_receiver_that_is_down_fails_the_delivery_not_the_save(
    people, fast_retries, django_capture_on_commit_callbacks, client
):
    hook_for(people, f"http://127.0.0.1:{free_port()}/hook")  # nothing listens there
    with django_capture_on_commit_callbacks(execute=True):
        figure = submit(people)
    figure.refresh_from_db()
    assert figure.state == "submitted"  # the save went through
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == 3
    assert "Connection refused" in delivery.last_error

    # Administrators see it: the inbox links to the failures, the admin lists them with the error.
    client.force_login(people["admin"])
    inbox = client.get("/inbox/")
    assert "1 条 Webhook 推送失败" in inbox.text
    listing = client.get("/admin/notifications/webhookdelivery/?state__exact=failed")
    assert listing.status_code == 200
    assert "Connection refused" in listing.text
    client.force_login(people["staff"])
    assert "webhook" not in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").text
    assert client.get("/admin/notifications/webhookdelivery/").status_code in (302, 403)


def test_the_sweep_delivers_what_was_never_queued(people, fast_retries):
    """The broker was down at the save: the delivery waits, and the sweep sends it."""
    from notifications.tasks import sweep_notifications

    with running(Receiver(SECRET)) as receiver:
        hook_for(people, receiver.url)
        submit(people)  # its on-commit callbacks never run inside the test's transaction
        assert receiver.received == []
        assert sweep_notifications()["deliveries"] == 0  # its own job may still come
        WebhookDelivery.objects.update(next_attempt_at=timezone.now() - dt.timedelta(minutes=6))
        result = sweep_notifications()
    assert result["deliveries"] == 1
    assert len(receiver.received) == 1
    assert WebhookDelivery.objects.get().state == "delivered"


def test_webhooks_are_managed_by_administrators_only_and_audited(people):
    from django.core.exceptions import PermissionDenied

    from audit.models import AuditEvent

    with pytest.raises(PermissionDenied):
        hook_for({"admin": people["reviewer"]}, "https://example.org/hook")
    hook = hook_for(people, "https://example.org/hook")
    hook = services.update_webhook(hook, acting_user=people["admin"], secret="new", active=False)
    events = list(
        AuditEvent.objects.filter(object_type="notifications.unitwebhook").order_by("seq")
    )
    assert [e.action for e in events] == ["create", "update"]
    assert all("secret" not in (e.after or {}) for e in events)
    assert events[1].reason == "secret changed"
    assert hook.version == 2


@pytest.mark.worker
def test_a_real_worker_retries_the_delivery_with_celery(people, monkeypatch, transactional_db):
    """With a broker and a worker, a failed try is Celery's retry of the same task after the
    countdown; the save itself never waited for the receiver."""
    from tests.workers import start_worker, wait_for

    monkeypatch.setenv("ZJAI_WEBHOOK_RETRY_DELAY", "1")  # read by the worker process
    with running(Receiver(SECRET, fail_first=1)) as receiver:
        hook_for(people, receiver.url)
        worker = start_worker("notifications")
        try:
            figure = submit(people)  # committed: its deliveries go to Redis
            assert Measurement.objects.get(pk=figure.pk).state == "submitted"
            wait_for(
                lambda: WebhookDelivery.objects.filter(state="delivered").exists(),
                timeout=60,
                what="the worker to deliver the webhook on its second try",
            )
        finally:
            worker.stop()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status) == (2, 204)
    assert receiver.refused == ["failing on purpose"]
    assert "Retry in 1s" in worker.log.read_text()


def test_the_admin_adds_and_changes_a_webhook_through_the_services(people, client):
    from audit.models import AuditEvent

    econ = ResponsibleUnit.objects.get(code="econ-it")
    client.force_login(people["admin"])
    added = client.post(
        "/admin/notifications/unitwebhook/add/",
        {"unit": econ.pk, "url": "https://im.econ.example/hook", "secret": "abc", "active": "on"},
    )
    assert added.status_code == 302, added.content[:2000]
    hook = UnitWebhook.objects.get()
    assert (hook.secret, hook.created_by) == ("abc", people["admin"])
    # A change that leaves the secret empty keeps it.
    changed = client.post(
        f"/admin/notifications/unitwebhook/{hook.pk}/change/",
        {"unit": econ.pk, "url": "https://im.econ.example/v2", "secret": ""},
    )
    assert changed.status_code == 302, changed.content[:2000]
    hook.refresh_from_db()
    assert (hook.url, hook.secret, hook.active) == ("https://im.econ.example/v2", "abc", False)
    events = AuditEvent.objects.filter(object_type="notifications.unitwebhook").order_by("seq")
    assert [(e.action, e.actor_id) for e in events] == [
        ("create", people["admin"].pk),
        ("update", people["admin"].pk),
    ]
    assert "abc" not in str([(e.before, e.after) for e in events])
    # The page never shows the secret back.
    assert "abc" not in client.get(f"/admin/notifications/unitwebhook/{hook.pk}/change/").text
    # A new webhook needs a secret; nothing is written without one.
    refused = client.post(
        "/admin/notifications/unitwebhook/add/",
        {"unit": econ.pk, "url": "https://x.example/hook", "secret": ""},
    )
    assert refused.status_code == 200 and UnitWebhook.objects.count() == 1


def test_the_webhooks_table_matches_its_trail(people):
    """verify_audit_log --replay rebuilds the webhooks from their events (never the secret)."""
    import io

    from django.core.management import call_command

    hook = hook_for(people, "https://example.org/hook")
    services.update_webhook(hook, acting_user=people["admin"], url="https://example.org/v2")
    other = hook_for(people, "https://example.org/gone")
    services.delete_webhook(other, acting_user=people["admin"])
    from django.core.management.base import CommandError

    out, err = io.StringIO(), io.StringIO()
    # The test's users are made without the account services (make_user): only they differ.
    with pytest.raises(CommandError, match=r"\(accounts\.user \d+\)$"):
        call_command("verify_audit_log", "--replay", stdout=out, stderr=err)
    assert "unitwebhook" not in err.getvalue()
    # A change made past the services shows.
    UnitWebhook.objects.filter(pk=hook.pk).update(url="https://attacker.example/")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_log", "--replay", stdout=io.StringIO(), stderr=err)
    assert "notifications.unitwebhook" in err.getvalue() and "attacker" in err.getvalue()
