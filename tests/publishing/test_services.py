"""Publishing an edition and withdrawing it (publishing.services)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.models import AuditEvent
from publishing import services
from publishing.models import Publication
from reports.builders import AsOfReport
from reports.editions import digest
from tests.publishing.conftest import (
    DRAFT_VALUE,
    EVIDENCE_NOTE,
    PENDING_VALUE,
    REVIEW_COMMENT,
)
from tests.reports.conftest import AS_OF

pytestmark = pytest.mark.django_db


def test_publication_names_the_edition_and_is_audited(publication, plan):
    report = AsOfReport(plan, AS_OF, known_at=publication.known_at)
    assert publication.number == 1
    assert publication.digest == digest(report)
    assert publication.content["edition"]["digest"] == publication.digest
    event = AuditEvent.objects.get(object_type="publishing.publication", action="create")
    assert event.after["digest"] == publication.digest
    assert event.actor.username == "boss"


def test_content_holds_approved_figures_only(publication):
    text = str(publication.content)
    robots = next(t for t in publication.content["targets"] if t["code"] == "robots-in-service")
    assert robots["figures"] == [
        ["2020-06-30", "60000.0000"],
        ["2020-12-31", "80000.0000"],
        ["2021-03-31", "95000.0000"],
    ]
    for secret in (DRAFT_VALUE, PENDING_VALUE, REVIEW_COMMENT, EVIDENCE_NOTE, "clerk", "checker"):
        assert secret not in text


def test_content_states_status_in_words_in_both_languages(publication):
    robots = next(t for t in publication.content["targets"] if t["code"] == "robots-in-service")
    assert robots["row"]["current_value"] == "95000.0000"
    assert "95,000" in robots["explanation"]["en"]
    assert robots["explanation"]["zh-hans"] != robots["explanation"]["en"]


def test_the_same_content_is_not_published_twice(publication, plan, world):
    with pytest.raises(ValidationError) as caught:
        services.publish(plan=plan, as_of=AS_OF, acting_user=world["admin"])
    assert "already shows exactly this content" in str(caught.value)
    assert Publication.objects.count() == 1
    later = services.publish(plan=plan, as_of=dt.date(2021, 9, 30), acting_user=world["admin"])
    assert later.number == 2


def test_only_administrators_publish_and_withdraw(publication, plan, world):
    for name in ("staff", "reviewer", "auditor"):
        with pytest.raises(PermissionDenied):
            services.publish(plan=plan, as_of=AS_OF, acting_user=world[name])
        with pytest.raises(PermissionDenied):
            services.withdraw(publication, acting_user=world[name], reason="no")


def test_withdrawal_needs_a_reason_and_is_audited(publication, world):
    with pytest.raises(ValidationError):
        services.withdraw(publication, acting_user=world["admin"], reason="  ")
    row = services.withdraw(publication, acting_user=world["admin"], reason="wrong date")
    assert not row.is_live and row.withdrawal_reason == "wrong date"
    event = AuditEvent.objects.get(object_type="publishing.publication", action="withdraw")
    assert event.reason == "wrong date"
    with pytest.raises(ValidationError):
        services.withdraw(row, acting_user=world["admin"], reason="again")


def test_a_future_date_is_refused(plan, world):
    with pytest.raises(ValidationError) as caught:
        services.publish(plan=plan, as_of=dt.date(2999, 1, 1), acting_user=world["admin"])
    assert "future" in str(caught.value)


def test_replay_covers_publications(publication, world):
    services.withdraw(publication, acting_user=world["admin"], reason="wrong date")
    from audit.replay import replay

    result = replay(tables=["publishing.publication"])
    assert result.ok, result
