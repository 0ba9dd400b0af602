"""Demo figures for the plans in force today (issue 14): every plan loaded beside the 2019–2022
plan that has started gets approved quarterly figures up to the last quarter before today, paced
so that its targets show a living picture (on track, behind, deteriorating)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from demo import generator
from targets.models import Measurement, Progress, Target
from targets.services import recompute_progress

pytestmark = pytest.mark.django_db

START, DEADLINE = "2024-01-01", "2027-12-31"


def successor_file(tmp_path: Path) -> Path:
    """The 2019–2022 plan's file as a plan running from 2024 to 2027, under another code, its
    reported targets starting from a baseline at 40 % of their value at the end of 2023."""
    data = yaml.safe_load(Path(settings.ZJAI_DEFAULT_PLAN_FILE).read_text(encoding="utf-8"))

    def shift(node):
        if isinstance(node, dict):
            source = node.get("source")
            if isinstance(source, dict) and source.get("kind") == "reported":
                node["baseline"] = {"value": round(node["value"] * 0.4, 2), "date": "2023-12-31"}
            for key, value in list(node.items()):
                if key == "deadline":
                    node[key] = DEADLINE
                elif key == "baseline_date":
                    node[key] = "2023-12-31"
                else:
                    shift(value)
        elif isinstance(node, list):
            for value in node:
                shift(value)

    shift(data)
    data["plan"].update(
        code="zj-ai-demo-successor", period_start=START, period_end=DEADLINE, title_zh="后续规划"
    )
    data.pop("enterprises", None)  # the named enterprises belong to the 2019–2022 plan
    path = tmp_path / "successor.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_a_started_plan_gets_paced_quarterly_figures_up_to_last_quarter(
    plan, tmp_path, monkeypatch
):
    monkeypatch.setattr(generator, "ENTERPRISES_PER_SCALE", 600)
    monkeypatch.setattr(generator, "MEASUREMENTS_PER_SCALE", 200)
    call_command("load_action_plan", file=successor_file(tmp_path), verbosity=0)
    generator.seed_demo(scale=1)

    successor = Target.objects.filter(plan__code="zj-ai-demo-successor", source_kind="reported")
    figures = Measurement.objects.filter(target__in=successor, is_demo=True)
    assert figures.exists() and not figures.exclude(state="approved").exists()
    last_quarter_end = timezone.localdate() - generator.REPORTED_AFTER
    assert figures.earliest("observed_on").observed_on == dt.date(2024, 3, 31)
    assert figures.latest("observed_on").observed_on <= last_quarter_end
    # Every reported target has its series: one figure a quarter.
    quarters = len(generator.quarter_ends_between(dt.date(2024, 1, 1), last_quarter_end))
    for target in successor:
        assert figures.filter(target=target).count() == quarters, target.code

    # The plan in force shows a living picture: no target is done, and the paces differ.
    recompute_progress()
    statuses = set(
        Progress.objects.filter(target__in=successor, as_of=timezone.localdate()).values_list(
            "status", flat=True
        )
    )
    assert "on_track" in statuses and "deteriorating" in statuses
    assert statuses & {"needs_acceleration", "off_track"}
    assert "missed" not in statuses


def test_quarter_ends_between_two_days():
    assert generator.quarter_ends_between(dt.date(2024, 2, 10), dt.date(2024, 12, 30)) == [
        dt.date(2024, 3, 31),
        dt.date(2024, 6, 30),
        dt.date(2024, 9, 30),
    ]
