"""The inbox: one's own notices only, unread first, marked read one by one or all at once, a
notice's link followed only within the site; the unread count in the top bar; e-mail choices."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import EmailOptOut, Notification
from plans.models import ResponsibleUnit


@pytest.fixture
def people(plan, make_user):
    econ = ResponsibleUnit.objects.get(code="econ-it")
    users = {
        "me": make_user("me", "staff", econ),
        "other": make_user("other", "staff", econ),
        "admin": make_user("admin", "admin", econ),
    }
    for name, user in users.items():
        user.email = f"{name}@example.org"
        user.save()
    return users


def tell(user, key: str, *, kind="approved", url="/figures/", subject=None):
    return services.notify(
        kind=kind, recipients=[user], subject=subject or f"notice {key}", key=key, url=url
    )


def test_the_inbox_lists_ones_own_notices_unread_first(people, client):
    tell(people["me"], "a", subject="old and read")
    services.mark_read(Notification.objects.get(key="a"), acting_user=people["me"])
    tell(people["me"], "b", subject="unread one")
    tell(people["other"], "c", subject="someone else's")
    tell(people["admin"], "d", subject="the admin's")
    client.force_login(people["me"])
    page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").text
    assert page.index("unread one") < page.index("old and read")
    assert "someone else" not in page
    # An administrator sees their own inbox, not anyone else's.
    client.force_login(people["admin"])
    page = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "the admin&#x27;s" in page and "unread one" not in page


def test_the_inbox_filters_by_kind_and_unread(people, client):
    tell(people["me"], "a", kind="approved", subject="an approval")
    tell(people["me"], "b", kind="returned", subject="a return")
    services.mark_read(Notification.objects.get(key="b"), acting_user=people["me"])
    client.force_login(people["me"])
    assert "a return" not in client.get("/inbox/?kind=approved").text
    unread = client.get("/inbox/?unread=on").text
    assert "an approval" in unread and "a return" not in unread
    newest = client.get("/inbox/?order=newest").text
    assert newest.index("a return") < newest.index("an approval")


def test_the_top_bar_counts_unread_notices_in_one_query(people, client):
    for key in "abc":
        tell(people["me"], key)
    client.force_login(people["me"])
    page = client.get("/inbox/")
    assert '<span class="count-badge">3<' in page.text
    client.post(f"/inbox/{Notification.objects.get(key='a').pk}/read/")
    assert '<span class="count-badge">2<' in client.get("/inbox/").text
    client.post("/inbox/read-all/")
    assert "count-badge" not in client.get("/inbox/").text
    assert not Notification.objects.filter(recipient=people["me"], read_at__isnull=True).exists()

    with CaptureQueriesContext(connection) as queries:
        client.get("/inbox/settings/")
    counting = [q for q in queries.captured_queries if "notifications_notification" in q["sql"]]
    assert len(counting) == 1, counting


def test_the_inbox_issues_a_fixed_number_of_queries(people, client):
    client.force_login(people["me"])
    tell(people["me"], "first")
    client.get("/inbox/")  # warm: the session, the plan choice
    with CaptureQueriesContext(connection) as few:
        client.get("/inbox/")
    for n in range(30):
        tell(people["me"], f"more-{n}")
    with CaptureQueriesContext(connection) as many:
        client.get("/inbox/")
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_anonymous_visitors_run_no_inbox_query(db, client):
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/login/")
    assert not [q for q in queries.captured_queries if "notifications_" in q["sql"]]


def test_opening_a_notice_marks_it_read_and_follows_only_site_paths(people, client):
    (notice,) = tell(people["me"], "a", url="/figures/?to_review=true")
    (elsewhere,) = tell(people["me"], "b", url="https://evil.example/phish")
    (other,) = tell(people["other"], "c")
    client.force_login(people["me"])
    answer = client.get(f"/inbox/{notice.pk}/open/")
    assert answer.status_code == 302 and answer["Location"] == "/figures/?to_review=true"
    notice.refresh_from_db()
    assert notice.read_at is not None
    # An address naming another site was never kept: the link leads to the inbox.
    assert client.get(f"/inbox/{elsewhere.pk}/open/")["Location"] == "/inbox/"
    # Someone else's notice does not exist for me.
    assert client.get(f"/inbox/{other.pk}/open/").status_code == 404
    assert client.post(f"/inbox/{other.pk}/read/").status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_e_mail_choices_decide_what_is_mailed(people, client, django_capture_on_commit_callbacks):
    client.force_login(people["me"])
    page = client.get("/inbox/settings/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.text.count('type="checkbox"') == len(Notification.Kind.values)
    assert page.text.count("checked") == len(Notification.Kind.values)  # all on by default
    answer = client.post("/inbox/settings/", {"email_kinds": ["submitted", "returned"]})
    assert answer.status_code == 302
    assert set(EmailOptOut.objects.filter(user=people["me"]).values_list("kind", flat=True)) == (
        set(Notification.Kind.values) - {"submitted", "returned"}
    )
    assert client.post("/inbox/settings/", {"email_kinds": ["nope"]}).status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        tell(people["me"], "x", kind="approved", subject="not mailed")
        tell(people["me"], "y", kind="returned", subject="mailed")
    assert [m.subject for m in mail.outbox] == ["[zjai] mailed"]
    assert mail.outbox[0].body.endswith("http://testserver.example/figures/\n")
    states = dict(Notification.objects.filter(key__in="xy").values_list("key", "email_state"))
    assert states == {"x": "skipped", "y": "sent"}
    # The inbox has both, whatever the e-mail choices.
    assert Notification.objects.filter(recipient=people["me"]).count() == 2


def test_a_mail_server_that_fails_leaves_the_notice_for_the_sweep(people, settings):
    from notifications.tasks import sweep_notifications

    (notice,) = tell(people["me"], "a")
    Notification.objects.filter(pk=notice.pk).update(
        created_at=notice.created_at.replace(year=notice.created_at.year - 1)
    )
    settings.EMAIL_BACKEND = "tests.notifications.broken_mail.EmailBackend"
    settings.ZJAI_EMAIL_MAX_ATTEMPTS = 2
    assert sweep_notifications()["failed"] == 1
    notice.refresh_from_db()
    assert (notice.email_state, notice.email_attempts) == ("pending", 1)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert sweep_notifications()["sent"] == 1
    notice.refresh_from_db()
    assert notice.email_state == "sent" and notice.emailed_at is not None
    assert sweep_notifications() == {"sent": 0, "skipped": 0, "failed": 0, "deliveries": 0}
    assert len(mail.outbox) == 1


def test_a_notice_is_written_once_per_person_and_event(people):
    assert len(tell(people["me"], "same")) == 1
    assert tell(people["me"], "same") == []
    assert Notification.objects.filter(key="same").count() == 1
