"""Simulation-based staffing: confidence bounds, the search, and its check on held-out replications."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from analysis.planning.staffing import (
    SearchSettings,
    SimulationRunner,
    StaffingError,
    analytic_agents,
    parse_targets,
    ratio_bound,
    select_unit,
    simulation_staffing,
    with_headcount,
)
from analysis.planning.staffing.search import _blame
from sim.config import parse_scenario

# Short patience (1 minute against 4-minute calls): Erlang C, which ignores abandonment, over-staffs.
IMPATIENT = {
    "name": "impatient", "horizon": {"days": 1, "interval_minutes": 30, "open": "08:00", "close": "10:00"},
    "demand": {"volume": [60, 90, 90, 60]},
    "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 240, "unit": "s"},
                       "patience": {"dist": "exponential", "mean": 60, "unit": "s"}}],
    "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [1] * 4, "wage_per_hour": 20,
                      "first_contact_resolution": 1.0}],   # Erlang's world: no repeat contacts
}
OPEN = slice(16, 20)
TARGET = parse_targets("sl:0.8/20")


def settings(**changes) -> SearchSettings:
    return SearchSettings(**{"replications": 8, "workers": 1, "show_progress": False, **changes})


@pytest.fixture(scope="module")
def impatient():
    scenario = parse_scenario(IMPATIENT)
    unit = select_unit(scenario)
    return scenario, unit, simulation_staffing(scenario, unit, TARGET, settings())


# --- bounds --------------------------------------------------------------------------------------

def test_ratio_bound_is_the_pooled_ratio_with_a_t_margin():
    numerators = np.array([[8.0, 0.0], [9.0, 0.0], [5.0, 0.0], [6.0, 0.0]])
    denominators = np.array([[10.0, 0.0], [10.0, 0.0], [10.0, 0.0], [10.0, 0.0]])
    ratio, lower = ratio_bound(numerators, denominators, 0.95, upper=False)
    sample = numerators[:, 0] / 10.0
    expected = sample.mean() - stats.t.ppf(0.95, 3) * sample.std(ddof=1) / 2.0
    assert ratio[0] == pytest.approx(0.7) and lower[0] == pytest.approx(expected)
    assert np.isnan(ratio[1]) and np.isnan(lower[1])  # no contacts: no estimate (and the target counts as met)
    _, upper = ratio_bound(numerators, denominators, 0.95, upper=True)
    assert upper[0] == pytest.approx(1.4 - expected)


def test_blame_goes_to_the_latest_trim_at_or_before_each_failure():
    assert list(_blame(np.array([3, 4, 9]), np.array([2, 6]))) == [2, 6]
    assert list(_blame(np.array([1]), np.array([2, 6]))) == []  # nothing trimmed before it


# --- the search ----------------------------------------------------------------------------------

def test_search_meets_the_target_on_held_out_replications_and_a_held_out_seed(impatient):
    scenario, unit, result = impatient
    assert result.converged and result.simulations == sum(8 for _ in result.rounds) + 8
    assert set(result.confirmation.replications).isdisjoint(range(8))  # fresh replications
    # On the search's own replications every interval's bound meets the target...
    assert not result.evaluation.failing(TARGET, 0.95).any()
    # ...and on replications it never saw, no interval is shown (at the same confidence) to miss it.
    assert result.confirmation.not_shown_to_miss(TARGET, 0.95)[OPEN].all()
    with SimulationRunner(workers=1, show_progress=False) as runner:
        other_seed = runner.evaluate(with_headcount(scenario, unit, result.headcount), 4242, range(8),
                                     unit.served_types, TARGET)
    assert other_seed.not_shown_to_miss(TARGET, 0.95)[OPEN].all()
    level, _, _ = other_seed.bounds(TARGET[0], 0.95)
    assert (level[OPEN] > 0.75).all()


def test_search_is_no_more_expensive_than_erlang_c_when_customers_abandon(impatient):
    scenario, unit, result = impatient
    erlang_c, _ = analytic_agents(unit.workload(scenario), TARGET, "erlang-c")
    assert result.agents.sum() <= erlang_c.sum()
    assert unit.labor_cost(result.headcount, 0.5) <= unit.labor_cost(erlang_c, 0.5)
    # It starts from Erlang A and moves only where simulation says so.
    assert result.rounds[0].phase == "start" and result.rounds[0].agent_intervals == result.start_agents.sum()


def test_search_is_deterministic_given_the_seed(impatient):
    scenario, unit, result = impatient
    again = simulation_staffing(scenario, unit, TARGET, settings())
    np.testing.assert_array_equal(again.agents, result.agents)
    assert [r.agent_intervals for r in again.rounds] == [r.agent_intervals for r in result.rounds]


def test_daily_target_is_met_for_the_day_and_cheaper_or_equal_to_per_interval(impatient):
    scenario, unit, per_interval = impatient
    daily = simulation_staffing(scenario, unit, TARGET, settings(scope="daily"))
    assert daily.converged
    assert not daily.evaluation.failing(TARGET, 0.95, "daily").any()
    assert daily.confirmation.not_shown_to_miss(TARGET, 0.95, "daily").all()
    assert daily.agents.sum() <= per_interval.agents.sum()


def test_abandonment_target_is_searched_too():
    scenario = parse_scenario(IMPATIENT)
    unit = select_unit(scenario)
    target = parse_targets("abandon:0.08")
    result = simulation_staffing(scenario, unit, target, settings())
    assert not result.evaluation.failing(target, 0.95).any()
    _, lower, _ = result.confirmation.bounds(target[0], 0.95)
    assert (lower[OPEN] <= 0.08).all()  # the held-out lower bound does not show abandonment above the target


def test_search_settings_are_checked():
    with pytest.raises(StaffingError, match="at least 2 replications"):
        SearchSettings(replications=1)
    with pytest.raises(StaffingError, match="confidence"):
        SearchSettings(confidence=1.0)


@pytest.mark.slow
def test_search_gives_the_same_plan_serially_on_processes_and_on_a_dask_cluster(impatient):
    from dask.distributed import LocalCluster

    scenario, unit, serial = impatient
    parallel = simulation_staffing(scenario, unit, TARGET, settings(workers=2))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask = simulation_staffing(scenario, unit, TARGET, settings(scheduler=cluster.scheduler_address))
    for other in (parallel, dask):
        np.testing.assert_array_equal(other.agents, serial.agents)
        assert other.simulations == serial.simulations
        np.testing.assert_array_equal(other.confirmation.counts["offered"], serial.confirmation.counts["offered"])
