"""The progress method (DESIGN.md §3) on its own: pure functions, no database."""

import datetime as dt

import pytest

from targets.progress import (
    Observation,
    Result,
    Status,
    TargetSpec,
    assess,
    cagr,
    classify,
    expected_value,
    roll_up,
    score,
    score_band,
)

START, DEADLINE = dt.date(2019, 1, 1), dt.date(2022, 12, 31)
TEN = TargetSpec(target_value=10, deadline=DEADLINE, start=START)


def obs(value, year, month=1, day=1):
    return Observation(float(value), dt.date(year, month, day))


# --- the checks the issue names ----------------------------------------------------------------


def test_half_way_at_half_time_is_on_track():
    result = assess(TEN, dt.date(2021, 1, 1), obs(5, 2021))
    assert result.status == Status.ON_TRACK
    assert result.pace_ratio == pytest.approx(0.9986, abs=1e-3)
    assert result.percent == pytest.approx(50.0)


def test_two_at_half_time_is_off_track():
    result = assess(TEN, dt.date(2021, 1, 1), obs(2, 2021))
    assert result.status == Status.OFF_TRACK
    assert result.pace_ratio == pytest.approx(0.3995, abs=1e-3)


@pytest.mark.parametrize("on", [dt.date(2019, 6, 1), dt.date(2021, 1, 1), dt.date(2022, 12, 31)])
def test_ten_meets_ten_or_more_at_any_date(on):
    result = assess(TEN, on, Observation(10.0, on))
    assert result.status == Status.ACHIEVED
    assert result.score == 5.0
    assert result.percent == pytest.approx(100.0)


def test_nine_at_the_deadline_seen_half_a_year_later_is_missed():
    final = obs(9, 2022, 12, 31)
    result = assess(TEN, dt.date(2023, 6, 30), final, at_deadline=final)
    assert result.status == Status.MISSED
    assert result.reached_late_on is None
    assert result.score == -5.0


def test_a_value_reached_after_the_deadline_does_not_turn_a_miss_into_an_achievement():
    result = assess(
        TEN, dt.date(2023, 6, 30), obs(11, 2023, 3, 31), at_deadline=obs(9, 2022, 12, 31)
    )
    assert result.status == Status.MISSED
    assert result.reached_late_on == dt.date(2023, 3, 31)


def test_achieved_by_the_deadline_stays_achieved_after_it():
    result = assess(TEN, dt.date(2024, 1, 1), obs(8, 2023, 6, 1), at_deadline=obs(10, 2022, 12, 1))
    assert result.status == Status.ACHIEVED
    assert result.current_value == 10.0


# --- every status and edge ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (5, Status.ON_TRACK),
        (4, Status.NEEDS_ACCELERATION),
        (3.1, Status.NEEDS_ACCELERATION),
        (2.9, Status.OFF_TRACK),
        (2, Status.OFF_TRACK),
        (0, Status.OFF_TRACK),
    ],
)
def test_classification_by_pace_at_half_time(value, status):
    assert assess(TEN, dt.date(2021, 1, 1), obs(value, 2021)).status == status


def test_values_that_fall_below_the_baseline_are_deteriorating():
    spec = TargetSpec(target_value=200, baseline=100, deadline=DEADLINE, start=START)
    result = assess(spec, dt.date(2020, 1, 1), obs(90, 2020))
    assert result.status == Status.DETERIORATING
    assert result.pace_ratio < 0
    assert result.percent == pytest.approx(-10.0)
    assert result.pace_ratio == pytest.approx(
        -10 / (365 / 365.25) / (100 / (1460 / 365.25)), rel=1e-6
    )
    assert result.score == pytest.approx(4.1667 * result.pace_ratio - 2.5)


def test_no_value_is_no_data_with_the_expected_value_still_shown():
    result = assess(TEN, dt.date(2021, 1, 1), None)
    assert result.status == Status.NO_DATA
    assert result.current_value is None
    assert result.expected_value == pytest.approx(5.0, abs=0.01)


def test_a_value_at_the_start_date_has_no_pace_yet():
    result = assess(TEN, dt.date(2019, 1, 1), obs(3, 2019))
    assert result.status == Status.NO_DATA
    assert result.current_value == 3.0
    assert result.pace_ratio is None


def test_no_value_by_the_deadline_is_missed():
    result = assess(TEN, dt.date(2023, 2, 1), None, at_deadline=None)
    assert result.status == Status.MISSED


def test_a_value_dated_after_the_as_of_date_is_refused():
    with pytest.raises(ValueError, match="after the as-of date"):
        assess(TEN, dt.date(2020, 1, 1), obs(5, 2021))


def test_a_single_data_point_gives_a_pace_and_a_forecast():
    result = assess(TEN, dt.date(2020, 6, 1), obs(4, 2020, 6, 1))
    assert result.pace_ratio is not None
    # 4 in 1.416 years carried to 3.997 years: about 11.3
    assert result.forecast == pytest.approx(4 / (517 / 365.25) * (1460 / 365.25), rel=1e-6)


def test_zero_baseline_with_compound_growth_is_measured_linearly():
    # The loader refuses compound growth from a baseline or to a target not above zero; a row
    # that has one anyway is measured linearly rather than left without a status.
    spec = TargetSpec(target_value=10, deadline=DEADLINE, start=START, growth_model="compound")
    result = assess(spec, dt.date(2021, 1, 1), obs(5, 2021))
    assert result.status == Status.ON_TRACK
    assert result.pace_ratio == pytest.approx(0.9986, abs=1e-3)


def test_compound_growth_compares_growth_rates():
    spec = TargetSpec(
        target_value=200,
        baseline=100,
        deadline=dt.date(2023, 1, 1),
        start=dt.date(2019, 1, 1),
        growth_model="compound",
    )
    # Required CAGR over 4 years: 2^(1/4)-1 = 18.92 %; actual 2 years to 141.42: 18.92 %.
    on_path = assess(spec, dt.date(2021, 1, 1), Observation(141.42, dt.date(2021, 1, 1)))
    assert on_path.pace_ratio == pytest.approx(1.0, abs=0.01)
    assert on_path.status == Status.ON_TRACK
    assert on_path.forecast == pytest.approx(200, rel=0.01)
    slow = assess(spec, dt.date(2021, 1, 1), Observation(110, dt.date(2021, 1, 1)))
    assert slow.status == Status.OFF_TRACK
    assert expected_value(spec, dt.date(2021, 1, 1)) == pytest.approx(141.42, rel=0.002)


def test_at_most_targets_reverse_the_direction():
    spec = TargetSpec(
        target_value=50, baseline=100, deadline=DEADLINE, start=START, comparator="lte"
    )
    assert assess(spec, dt.date(2021, 1, 1), obs(75, 2021)).status == Status.ON_TRACK
    assert assess(spec, dt.date(2021, 1, 1), obs(90, 2021)).status == Status.OFF_TRACK
    assert assess(spec, dt.date(2021, 1, 1), obs(110, 2021)).status == Status.DETERIORATING
    assert assess(spec, dt.date(2021, 1, 1), obs(50, 2021)).status == Status.ACHIEVED
    assert assess(spec, dt.date(2021, 1, 1), obs(40, 2021)).status == Status.ACHIEVED


def test_a_target_already_met_at_its_baseline():
    spec = TargetSpec(target_value=10, baseline=10, deadline=DEADLINE, start=START)
    assert assess(spec, dt.date(2020, 1, 1), obs(10, 2020)).status == Status.ACHIEVED
    fell = assess(spec, dt.date(2020, 1, 1), obs(8, 2020))
    assert fell.status == Status.DETERIORATING


def test_percent_is_kept_true_and_capped_for_roll_ups():
    result = assess(TEN, dt.date(2021, 1, 1), obs(15, 2021))
    assert result.percent == pytest.approx(150.0)
    assert result.percent_capped == 100.0


def test_stale_when_the_newest_reported_figure_is_older_than_the_interval():
    assert assess(TEN, dt.date(2021, 6, 1), obs(5, 2021, 1, 1)).stale is True
    assert assess(TEN, dt.date(2021, 3, 1), obs(5, 2021, 1, 1)).stale is False
    register = TargetSpec(target_value=10, deadline=DEADLINE, start=START, reported=False)
    assert assess(register, dt.date(2021, 6, 1), obs(5, 2021, 1, 1)).stale is False


def test_expected_value_is_the_required_path_clamped_to_the_period():
    assert expected_value(TEN, dt.date(2018, 1, 1)) == 0.0
    assert expected_value(TEN, dt.date(2030, 1, 1)) == 10.0


# --- score, band, roll-up ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [(1.0, 2.8572), (1.5, 5.0), (0.6, 0.0), (0.3, -1.25), (-2.0, -5.0)],
)
def test_score_follows_sdg_build(ratio, expected):
    assert score(ratio, Status.ON_TRACK) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (5.0, Status.ON_TRACK),
        (2.5, Status.ON_TRACK),
        (0.0, Status.NEEDS_ACCELERATION),
        (-2.5, Status.OFF_TRACK),
        (-2.6, Status.DETERIORATING),
        (None, Status.NO_DATA),
    ],
)
def test_score_bands(value, band):
    assert score_band(value) == band


def test_classify_thresholds():
    assert classify(0.95) == Status.ON_TRACK
    assert classify(0.9499) == Status.NEEDS_ACCELERATION
    assert classify(0.6) == Status.NEEDS_ACCELERATION
    assert classify(0.5999) == Status.OFF_TRACK
    assert classify(0.0) == Status.OFF_TRACK
    assert classify(-0.01) == Status.DETERIORATING


def test_cagr_is_undefined_for_non_positive_values():
    assert cagr(0, 10, 1) is None
    assert cagr(10, 0, 1) is None
    assert cagr(100, 121, 2) == pytest.approx(0.1)


def test_roll_up_weights_are_normalised_and_percent_capped():
    achieved = Result(status=Status.ACHIEVED, percent=150, percent_capped=100, score=5.0)
    half = Result(status=Status.ON_TRACK, percent=50, percent_capped=50, score=2.0)
    empty = Result(status=Status.NO_DATA)
    rollup = roll_up([(achieved, 1.0), (half, 3.0), (empty, 1.0)])
    assert rollup.targets == 3
    assert rollup.percent == pytest.approx((100 * 1 + 50 * 3) / 4)
    assert rollup.score == pytest.approx((5 * 1 + 2 * 3) / 4)
    assert rollup.band == Status.ON_TRACK
    assert rollup.counts[Status.ACHIEVED] == 1
    assert rollup.counts[Status.NO_DATA] == 1
    assert sum(rollup.counts.values()) == 3


def test_roll_up_of_nothing_has_no_data():
    rollup = roll_up([])
    assert rollup.percent is None
    assert rollup.band == Status.NO_DATA


# --- direction, exactly and the strict comparators (docs/progress.md's worked examples) -----------

HALF_TIME = dt.date(2021, 1, 1)


def at_half_time(value, **spec):
    return assess(TargetSpec(deadline=DEADLINE, start=START, **spec), HALF_TIME, obs(value, 2021))


WORKED_EXAMPLES = [
    # The baseline met the target and the value moved away: deteriorating, not 200 %.
    (
        "at most 50 from 40, now 60",
        {"target_value": 50, "baseline": 40, "comparator": "lte"},
        60,
        Status.DETERIORATING,
        -1.0,
        0.0,
    ),
    (
        "at least 10 from 20, now 5",
        {"target_value": 10, "baseline": 20},
        5,
        Status.DETERIORATING,
        -1.0,
        0.0,
    ),
    (
        "at most 50 from 40, now 45",
        {"target_value": 50, "baseline": 40, "comparator": "lte"},
        45,
        Status.ACHIEVED,
        None,
        100.0,
    ),
    # Any value moving away from the target.
    (
        "at least 100 from 20, now 15",
        {"target_value": 100, "baseline": 20},
        15,
        Status.DETERIORATING,
        -0.1248,
        -6.25,
    ),
    # Exactly: the distance closed; overshoot counts against it.
    (
        "exactly 10, now 5",
        {"target_value": 10, "comparator": "eq"},
        5,
        Status.ON_TRACK,
        0.9986,
        50.0,
    ),
    (
        "exactly 10, now 15",
        {"target_value": 10, "comparator": "eq"},
        15,
        Status.ON_TRACK,
        0.9986,
        50.0,
    ),
    (
        "exactly 10, now 25",
        {"target_value": 10, "comparator": "eq"},
        25,
        Status.DETERIORATING,
        -0.9986,
        -50.0,
    ),
    (
        "exactly 10 from 10, now 12",
        {"target_value": 10, "baseline": 10, "comparator": "eq"},
        12,
        Status.DETERIORATING,
        -1.0,
        0.0,
    ),
    # Strictly more / less: the target itself is not enough.
    (
        "more than 10, now 10",
        {"target_value": 10, "comparator": "gt"},
        10,
        Status.ON_TRACK,
        1.9973,
        100.0,
    ),
    (
        "more than 10, now 11",
        {"target_value": 10, "comparator": "gt"},
        11,
        Status.ACHIEVED,
        None,
        110.0,
    ),
    (
        "more than 10 from 10, now 10",
        {"target_value": 10, "baseline": 10, "comparator": "gt"},
        10,
        Status.OFF_TRACK,
        0.0,
        0.0,
    ),
    (
        "more than 10 from 10, now 8",
        {"target_value": 10, "baseline": 10, "comparator": "gt"},
        8,
        Status.DETERIORATING,
        -1.0,
        0.0,
    ),
    (
        "less than 5 from 9, now 5",
        {"target_value": 5, "baseline": 9, "comparator": "lt"},
        5,
        Status.ON_TRACK,
        1.9973,
        100.0,
    ),
    (
        "less than 5 from 9, now 4",
        {"target_value": 5, "baseline": 9, "comparator": "lt"},
        4,
        Status.ACHIEVED,
        None,
        125.0,
    ),
    # Compound growth moving away from the target.
    (
        "at least 200 from 100 compound, now 80",
        {"target_value": 200, "baseline": 100, "growth_model": "compound"},
        80,
        Status.DETERIORATING,
        -0.5572,
        -20.0,
    ),
    (
        "at most 50 from 100 compound, now 120",
        {"target_value": 50, "baseline": 100, "comparator": "lte", "growth_model": "compound"},
        120,
        Status.DETERIORATING,
        -0.5991,
        -40.0,
    ),
]


@pytest.mark.parametrize(
    ("case", "spec", "value", "status", "ratio", "percent"),
    WORKED_EXAMPLES,
    ids=[example[0] for example in WORKED_EXAMPLES],
)
def test_worked_examples(case, spec, value, status, ratio, percent):
    result = at_half_time(value, **spec)
    assert result.status == status
    if ratio is None:
        assert result.pace_ratio is None
    else:
        assert result.pace_ratio == pytest.approx(ratio, abs=1e-3)
    assert result.percent == pytest.approx(percent)


@pytest.mark.parametrize(
    ("comparator", "value", "met"),
    [
        ("gte", 10, True),
        ("gt", 10, False),
        ("gt", 10.5, True),
        ("lte", 10, True),
        ("lt", 10, False),
        ("lt", 9.5, True),
        ("eq", 10, True),
        ("eq", 10.5, False),
    ],
)
def test_the_deadline_decides_strictly(comparator, value, met):
    final = obs(value, 2022, 12, 31)
    spec = TargetSpec(target_value=10, deadline=DEADLINE, start=START, comparator=comparator)
    result = assess(spec, dt.date(2023, 6, 30), final, at_deadline=final)
    assert result.status == (Status.ACHIEVED if met else Status.MISSED)
