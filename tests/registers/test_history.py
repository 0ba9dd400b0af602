"""What a confirmed change or correction writes to an entry's history (registers/services/
history.py): the run of periods as known now, and the accounts it replaced, kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone

from enterprises.models import Enterprise, EnterpriseHistory
from enterprises.services import confirm_enterprise_change, create_enterprise, update_enterprise
from registers.services.history import Dating

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LONG_AGO = TODAY - dt.timedelta(days=1000)
E1 = TODAY - dt.timedelta(days=200)
E2 = TODAY - dt.timedelta(days=100)


@pytest.fixture
def entry(people) -> Enterprise:
    made = create_enterprise(
        acting_user=people["staff"],
        name_zh="历史测试企业",
        city="lishui",
        sector="robots",
        tier="leading",
        recognised_on=LONG_AGO,
    )
    return confirm_enterprise_change(made, acting_user=people["reviewer"])


def edit(entry: Enterprise, people, *, kind: str = "change", on=None, **changes) -> Enterprise:
    update_enterprise(
        entry,
        acting_user=people["staff"],
        reason="依据文件",
        edit_kind=kind,
        effective_from=on,
        **changes,
    )
    return confirm_enterprise_change(
        Enterprise.objects.get(pk=entry.pk), acting_user=people["reviewer"]
    )


def periods(entry: Enterprise) -> list[tuple]:
    """(holds from, holds until, tier, city) of each period as known now, oldest first."""
    entry = Enterprise.objects.get(pk=entry.pk)
    rows = EnterpriseHistory.objects.filter(entry=entry, replaced_at__isnull=True).order_by(
        F("valid_from").asc(nulls_first=True)
    )
    return [(r.valid_from, r.valid_to, r.tier, r.city) for r in rows] + [
        (entry.valid_from, None, entry.tier, entry.city)
    ]


def replaced(entry: Enterprise) -> list[tuple]:
    rows = EnterpriseHistory.objects.filter(entry=entry, replaced_at__isnull=False).order_by("pk")
    return [(r.valid_from, r.valid_to, r.tier, r.city) for r in rows]


def test_a_new_entry_holds_from_its_beginning_with_no_history(entry):
    assert periods(entry) == [(None, None, "leading", "lishui")]
    assert replaced(entry) == []


def test_a_change_splits_the_period_it_falls_in(entry, people):
    edit(entry, people, on=E2, tier="benchmark")
    assert periods(entry) == [
        (None, E2, "leading", "lishui"),
        (E2, None, "benchmark", "lishui"),
    ]
    # The entry's period as known before, kept and marked replaced.
    assert replaced(entry) == [(None, None, "leading", "lishui")]


def test_a_change_dated_before_an_earlier_change_carries_into_the_later_period(entry, people):
    edit(entry, people, on=E2, tier="benchmark")
    edit(entry, people, on=E1, city="quzhou")
    assert periods(entry) == [
        (None, E1, "leading", "lishui"),
        (E1, E2, "leading", "quzhou"),
        (E2, None, "benchmark", "quzhou"),
    ]


def test_a_correction_replaces_the_value_over_the_run_where_it_held(entry, people):
    edit(entry, people, on=E1, tier="benchmark")
    edit(entry, people, on=E2, city="quzhou")
    # The tier "benchmark" held from E1 on, across the city's change: corrected in both periods.
    edit(entry, people, kind="correction", tier="specialised")
    assert periods(entry) == [
        (None, E1, "leading", "lishui"),
        (E1, E2, "specialised", "lishui"),
        (E2, None, "specialised", "quzhou"),
    ]
    # The city held "lishui" only before E2: a correction of today's city leaves those.
    edit(entry, people, kind="correction", city="zhoushan")
    assert [p[3] for p in periods(entry)] == ["lishui", "lishui", "zhoushan"]


def test_periods_left_alike_are_merged(entry, people):
    edit(entry, people, on=E2, tier="benchmark")
    edit(entry, people, on=E2, tier="leading")
    assert periods(entry) == [(None, None, "leading", "lishui")]


def test_replaced_accounts_are_kept_and_dated(entry, people):
    before = timezone.now()
    edit(entry, people, on=E2, tier="benchmark")
    edit(entry, people, kind="correction", tier="specialised")
    rows = EnterpriseHistory.objects.filter(entry=entry)
    assert rows.filter(replaced_at__isnull=False).count() == len(replaced(entry)) >= 2
    assert all(r.replaced_at >= before for r in rows.filter(replaced_at__isnull=False))
    assert {r.edit_kind for r in rows.filter(replaced_at__isnull=True)} == {"change"}
    assert replaced(entry)[-1] == (E2, None, "benchmark", "lishui")


@pytest.mark.parametrize(
    ("dating", "reason", "field"),
    [
        (Dating("change", TODAY + dt.timedelta(days=1)), "x", "effective_from"),
        (Dating("change", E1), "", "reason"),
        (Dating("correction", E1), "x", "effective_from"),
        (Dating("correction", None), " ", "reason"),
        (Dating("sideways", None), "x", "edit_kind"),
    ],
)
def test_a_dating_is_checked_before_anything_is_written(dating, reason, field):
    with pytest.raises(ValidationError) as caught:
        dating.checked(reason)
    assert list(caught.value.message_dict) == [field]


def test_a_change_without_a_date_takes_effect_today():
    assert Dating().checked("") == Dating("change", TODAY)
    assert Dating("correction").checked("录错") == Dating("correction", None)
