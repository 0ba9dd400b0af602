"""Issue 18: every decimal field keeps each end of its range exactly on PostgreSQL and on SQLite
(the embedded default keeps decimals as floating-point numbers: 15 significant digits); one
more digit is refused with the field's range by the figure page and the service; a register's
sum too large for a current value is refused, not clipped."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from projects.models import Project
from targets import services
from targets.models import Measurement, Progress, Target
from tests.targets.decimal_roundtrip import decimal_fields, round_trip
from tests.targets.factories import accept_projects
from tests.web import client_for
from zjai.decimals import EXACT_DIGITS, ExactDecimalField

ROOT = Path(__file__).resolve().parents[2]
LARGEST_FIGURE = Decimal("99999999999.9999")
FIGURE_RANGE_ZH = "请输入 -99999999999.9999 到 99999999999.9999 之间的数。"
FIGURE_RANGE_EN = "Enter a number from -99999999999.9999 to 99999999999.9999."


def test_every_decimal_field_has_at_most_15_digits_and_states_its_range():
    fields = decimal_fields()
    assert len(fields) == 14  # with FigureReview.value and Target.admin_baseline_value
    for name, field in fields.items():
        assert isinstance(field, ExactDecimalField), name
        assert field.max_digits <= EXACT_DIGITS, name


def test_the_ends_of_every_decimal_field_round_trip_on_postgresql(db):
    assert connection.vendor == "postgresql"
    fields = round_trip()
    assert set(fields) == set(decimal_fields())
    for name, values in fields.items():
        assert values["read"] == values["written"], name


def test_the_ends_of_every_decimal_field_round_trip_on_sqlite(tmp_path):
    # The embedded default's settings (zjai.settings, DEBUG=1, no broker: eager Celery) on a
    # fresh SQLite file rather than the project folder's db.sqlite3.
    inherited = {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run(
        [sys.executable, "-m", "tests.targets.decimal_roundtrip"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["vendor"] == "sqlite"
    assert set(answer["fields"]) == set(decimal_fields())
    for name, values in answer["fields"].items():
        assert values["read"] == values["written"], name


# --- one more digit ----------------------------------------------------------------------------


@pytest.fixture
def robots(plan):
    return Target.objects.get(code="robots-in-service")


def test_the_report_page_takes_the_largest_figure_and_refuses_one_more_digit(people, robots):
    client = client_for(people["staff"])
    refused = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "100000000000", "observed_on": "2022-06-30"},
    )
    assert refused.status_code == 400
    assert refused.context["form"].errors["value"] == [FIGURE_RANGE_ZH]
    assert FIGURE_RANGE_ZH in refused.content.decode()
    assert not Measurement.objects.exists()

    taken = client.post(
        "/plans/zj-ai-2019-2022/targets/robots-in-service/report/",
        {"value": "99,999,999,999.9999", "observed_on": "2022-06-30"},
    )
    assert taken.status_code == 302
    assert Measurement.objects.get(target=robots).value == LARGEST_FIGURE


@pytest.mark.parametrize(
    "value", ["100000000000", "9999999999999999", "1e16", "99999999999.99995", "1e400"]
)
def test_the_service_refuses_a_figure_beyond_the_range(people, robots, value):
    with pytest.raises(ValidationError) as refused:
        services.create_measurement(
            target=robots,
            value=value,
            observed_on=dt.date(2022, 6, 30),
            acting_user=people["staff"],
        )
    assert refused.value.message_dict == {"value": [FIGURE_RANGE_EN]}


def test_the_service_keeps_the_largest_figure(people, robots):
    figure = services.create_measurement(
        target=robots,
        value="99999999999.9999",
        observed_on=dt.date(2022, 6, 30),
        acting_user=people["staff"],
    )
    figure.refresh_from_db()
    assert figure.value == LARGEST_FIGURE


# --- computed values ---------------------------------------------------------------------------


def _investment_target(people, scale: str) -> Target:
    """The plan's investment target (major projects under way or done), summed at a scale."""
    target = Target.objects.get(code="major-project-investment")
    return services.update_target(
        target, acting_user=people["admin"], reason="scale", source_scale=Decimal(scale)
    )


def test_a_sum_of_the_largest_investments_is_kept_exactly_in_100_million_yuan(people):
    target = _investment_target(people, "0.0001")
    largest = Project._meta.get_field("planned_investment").range.high
    accept_projects(10, "major", dt.date(2021, 6, 30), planned_investment=largest)
    services.recompute_progress(dt.date(2021, 12, 31), target_ids=[target.pk])
    progress = Progress.objects.get(target=target, as_of=dt.date(2021, 12, 31))
    # 10 × 9,999,999,999,999.99 万元 × 0.0001, rounded to the 4 places kept.
    assert progress.current_value == Decimal("10000000000.0000")


def test_a_sum_beyond_what_a_current_value_keeps_is_refused_and_logged(people, caplog):
    target = _investment_target(people, "1")
    largest = Project._meta.get_field("planned_investment").range.high
    accept_projects(11, "major", dt.date(2021, 6, 30), planned_investment=largest)
    with caplog.at_level(logging.ERROR, logger="targets.values"):
        services.recompute_progress(dt.date(2021, 12, 31), target_ids=[target.pk])
    progress = Progress.objects.get(target=target, as_of=dt.date(2021, 12, 31))
    assert (progress.current_value, progress.status) == (None, "no_data")
    assert "major-project-investment" in caplog.text
    assert "-99999999999.9999 to 99999999999.9999" in caplog.text
