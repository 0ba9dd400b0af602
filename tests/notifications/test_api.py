"""/api/v1/notifications/: one's own notices, filtered and ordered, marked read; the e-mail
choices. Nobody reads another's inbox, administrators included."""

from __future__ import annotations

from typing import Any

from tests.api.fixtures import World


def test_the_list_is_ones_own_and_filters(world: World, as_user: Any) -> None:
    from notifications.models import Notification

    staff = as_user("staff")
    rows = staff.get("/api/v1/notifications/").json()["results"]
    mine = Notification.objects.filter(recipient_id=world.users["staff"])
    assert {row["id"] for row in rows} == set(mine.values_list("pk", flat=True))
    assert world.notice("other_staff") not in {row["id"] for row in rows}
    # The world's figures told the staff of their approval and return.
    kinds = {row["kind"] for row in rows}
    assert {"approved", "returned", "due_soon"} <= kinds
    due = staff.get("/api/v1/notifications/", {"kind": "due_soon"}).json()["results"]
    assert [row["id"] for row in due] == [world.notice("staff")]
    assert due[0]["is_read"] is False and due[0]["read_at"] is None
    bad = staff.get("/api/v1/notifications/", {"kind": "nope"})
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]


def test_reading_one_and_all(world: World, as_user: Any) -> None:
    staff = as_user("staff")
    pk = world.notice("staff")
    read = staff.post(f"/api/v1/notifications/{pk}/read/", {}, format="json")
    assert read.status_code == 200 and read.json()["is_read"] is True
    first = read.json()["read_at"]
    again = staff.post(f"/api/v1/notifications/{pk}/read/", {}, format="json").json()
    assert again["read_at"] == first  # reading again changes nothing
    assert staff.get("/api/v1/notifications/", {"unread": "false"}).json()["count"] >= 1
    marked = staff.post("/api/v1/notifications/read-all/", {}, format="json").json()["marked"]
    assert marked >= 1
    assert staff.get("/api/v1/notifications/", {"unread": "true"}).json()["count"] == 0
    # Nobody else's inbox moved.
    admin = as_user("admin")
    assert admin.get(f"/api/v1/notifications/{world.notice('other_staff')}/").status_code == 404
    other = as_user("reviewer").get("/api/v1/notifications/", {"unread": "true"}).json()
    assert other["count"] >= 1


def test_e_mail_choices(world: World, as_user: Any) -> None:
    client = as_user("auditor")
    everything = client.get("/api/v1/notifications/email-settings/").json()["email_kinds"]
    assert len(everything) == 8
    chosen = client.post(
        "/api/v1/notifications/email-settings/",
        {"email_kinds": ["returned", "submitted"]},
        format="json",
    )
    assert chosen.status_code == 200
    assert chosen.json() == {"email_kinds": ["submitted", "returned"]}
    wrong = client.post(
        "/api/v1/notifications/email-settings/", {"email_kinds": ["spam"]}, format="json"
    )
    assert wrong.status_code == 400 and "email_kinds.0" in wrong.json()["errors"]
