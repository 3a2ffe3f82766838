"""Expected demand profiles and the arrivals drawn from them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.calendar import Calendar
from sim.config import parse_scenario
from sim.demand import expected_volume, generate_arrivals
from sim.random import RandomStreams

from .conftest import small_data


def scenario_from(**changes):
    return parse_scenario(small_data(**changes))


def test_opening_hours_list_starts_at_open():
    scenario = scenario_from()
    volume = expected_volume(scenario, Calendar.from_scenario(scenario), 0)
    assert volume.shape == (24, 2)
    assert volume[8:12].sum(axis=1).tolist() == [30, 40, 40, 30]
    assert volume[:8].sum() == 0 and volume[12:].sum() == 0
    assert volume[9].tolist() == pytest.approx([24, 16])  # shares 0.6 / 0.4


def test_daily_volume_and_shape_with_weekday_factors_and_closed_days():
    horizon = {"days": 7, "interval_minutes": 60, "open": "08:00", "close": "12:00", "start_weekday": "friday",
               "weekday_hours": {"sunday": {"closed": True}, "saturday": {"open": "08:00", "close": "10:00"}}}
    scenario = scenario_from(horizon=horizon, demand={"daily_volume": 200, "shape": [1, 1, 1, 1],
                                                      "weekday_factors": {"friday": 1.5}})
    calendar = Calendar.from_scenario(scenario)
    totals = [expected_volume(scenario, calendar, day).sum() for day in range(7)]
    assert totals == pytest.approx([300, 100, 0, 200, 200, 200, 200])  # Fri x1.5, Sat half open, Sun closed


def test_rows_day_beats_weekday_beats_general():
    rows = [{"interval": "08:00", "volume": 10}, {"interval": "09:00", "volume": 10},
            {"interval": "08:00", "volume": 20, "weekday": "tuesday"},
            {"interval": "08:00", "volume": 30, "day": 2}]
    horizon = {"days": 3, "interval_minutes": 60, "open": "08:00", "close": "12:00"}
    scenario = scenario_from(horizon=horizon, demand={"rows": rows})
    calendar = Calendar.from_scenario(scenario)
    per_day = [expected_volume(scenario, calendar, day).sum(axis=1)[8:10].tolist() for day in range(3)]
    assert per_day == [[10, 10], [30, 10], [10, 10]]  # day 2 is a Tuesday, but its own row wins


def test_arrival_counts_match_expectation():
    scenario = scenario_from(horizon={"days": 20, "interval_minutes": 60, "open": "08:00", "close": "12:00"})
    arrivals = generate_arrivals(scenario, Calendar.from_scenario(scenario), RandomStreams(7))
    expected = 20 * 140
    # Poisson total: the count should be within 4 standard deviations.
    assert abs(len(arrivals) - expected) < 4 * np.sqrt(expected)
    hours = (arrivals.time % 86_400) // 3600
    assert set(np.unique(hours)) <= {8, 9, 10, 11}
    assert np.all(np.diff(arrivals.time) >= 0)
    # Within an interval, times are uniform (Kolmogorov-Smirnov on the offsets).
    offsets = (arrivals.time % 3600) / 3600
    assert stats.kstest(offsets, "uniform").pvalue > 1e-3
    shares = np.bincount(arrivals.contact_type) / len(arrivals)
    assert shares[0] == pytest.approx(0.6, abs=4 * np.sqrt(0.24 / len(arrivals)))


def test_busyness_adds_day_to_day_variance():
    horizon = {"days": 200, "interval_minutes": 60, "open": "08:00", "close": "12:00"}
    plain = scenario_from(horizon=horizon, demand={"volume": [250] * 4})
    busy = scenario_from(horizon=horizon, demand={"volume": [250] * 4, "busyness_cv": 0.2})

    def daily_totals(scenario):
        arrivals = generate_arrivals(scenario, Calendar.from_scenario(scenario), RandomStreams(3))
        return np.bincount((arrivals.time // 86_400).astype(int), minlength=200)

    plain_totals, busy_totals = daily_totals(plain), daily_totals(busy)
    # Poisson: variance = mean = 1000. Gamma factor: variance = mean + (cv * mean)^2 = 1000 + 40000.
    assert plain_totals.var(ddof=1) == pytest.approx(1000, rel=0.35)
    assert busy_totals.var(ddof=1) == pytest.approx(41_000, rel=0.35)


def test_warmup_arrivals_come_before_time_zero():
    horizon = {"days": 1, "interval_minutes": 60, "warmup_minutes": 90}
    groups = [{"name": "all", "skills": ["billing", "tech"], "headcount": [5] * 24}]
    scenario = scenario_from(horizon=horizon, demand={"volume": [100] * 24}, agent_groups=groups)
    arrivals = generate_arrivals(scenario, Calendar.from_scenario(scenario), RandomStreams(1))
    early = arrivals.time[arrivals.time < 0]
    assert early.min() >= -5400
    assert abs(len(early) - 150) < 4 * np.sqrt(150)


def test_same_seed_same_customers_different_replication_different_customers():
    scenario = scenario_from()
    calendar = Calendar.from_scenario(scenario)
    first = generate_arrivals(scenario, calendar, RandomStreams(5, 0))
    again = generate_arrivals(scenario, calendar, RandomStreams(5, 0))
    other = generate_arrivals(scenario, calendar, RandomStreams(5, 1))
    assert np.array_equal(first.time, again.time) and np.array_equal(first.handle_time, again.handle_time)
    assert not np.array_equal(first.time[:10], other.time[:10])


def test_customers_of_one_type_do_not_depend_on_another_type():
    """Common random numbers per contact type: changing tech's handle time leaves billing's draws alone."""
    base = scenario_from()
    data = small_data()
    data["contact_types"][1]["handle_time"] = {"dist": "exponential", "mean": 20, "unit": "min"}
    changed = parse_scenario(data)
    calendar = Calendar.from_scenario(base)
    a = generate_arrivals(base, calendar, RandomStreams(9))
    b = generate_arrivals(changed, calendar, RandomStreams(9))
    billing_a, billing_b = a.contact_type == 0, b.contact_type == 0
    assert np.array_equal(a.time[billing_a], b.time[billing_b])
    assert np.array_equal(a.handle_time[billing_a], b.handle_time[billing_b])
    assert not np.array_equal(a.handle_time[~billing_a], b.handle_time[~billing_b])


def test_segment_mix_can_differ_by_contact_type():
    data = small_data(segments=[{"name": "standard", "share": 0.5}, {"name": "vip", "share": 0.5}])
    data["horizon"]["days"] = 30
    data["contact_types"][1]["segment_shares"] = {"standard": 1.0, "vip": 0.0}
    scenario = parse_scenario(data)
    arrivals = generate_arrivals(scenario, Calendar.from_scenario(scenario), RandomStreams(2))
    billing, tech = arrivals.segment[arrivals.contact_type == 0], arrivals.segment[arrivals.contact_type == 1]
    assert (tech == 0).all()
    assert billing.mean() == pytest.approx(0.5, abs=4 * np.sqrt(0.25 / len(billing)))


def test_mixture_sampler_mixes_in_proportion():
    from sim.config.distributions import Mixture
    from sim.distributions import sampler_for
    mixture = Mixture.model_validate({"dist": "mixture", "components": [
        {"weight": 1, "distribution": {"dist": "deterministic", "value": 3, "unit": "s"}},
        {"weight": 4, "distribution": {"dist": "exponential", "mean": 2, "unit": "min"}}]})
    draws = sampler_for(mixture)(np.random.default_rng(0), 50_000)
    assert (draws == 3).mean() == pytest.approx(0.2, abs=4 * np.sqrt(0.16 / 50_000))
    assert draws.mean() == pytest.approx(0.2 * 3 + 0.8 * 120, rel=0.02)


def test_handle_time_follows_the_time_of_day_profile_of_its_type():
    types = small_data()["contact_types"]
    types[0]["handle_time"] = {"dist": "deterministic", "value": 100, "unit": "s"}
    types[0]["handle_time_by_time_of_day"] = {"09:00": 0.5, "11:00": 2.0}
    scenario = scenario_from(contact_types=types)
    arrivals = generate_arrivals(scenario, Calendar.from_scenario(scenario), RandomStreams(4))
    billing = arrivals.contact_type == 0
    hour = arrivals.time[billing] // 3600
    handle = arrivals.handle_time[billing]
    # 1 before the first time listed, then each factor until the next one.
    assert set(handle[hour == 8]) == {100.0} and set(handle[(hour == 9) | (hour == 10)]) == {50.0}
    assert set(handle[hour == 11]) == {200.0}
    # The other type has no profile: its draws are those of a scenario without any.
    plain = generate_arrivals(scenario_from(), Calendar.from_scenario(scenario), RandomStreams(4))
    assert np.array_equal(arrivals.handle_time[~billing], plain.handle_time[plain.contact_type == 1])
