"""Training spend changes handle time and first-contact resolution (diminishing returns, against a reference)."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.planning.staffing import select_unit
from sim.config import apply_overrides, parse_scenario
from sim.run import simulate

from .conftest import small_data

EFFECT = {"handle_time": -0.2, "first_contact_resolution": 0.1, "half_effect_cost_per_agent_day": 30.0}


def one_group(**group) -> dict:
    data = small_data()
    data["agent_groups"] = [{"name": "front", "skills": ["billing", "tech"], "headcount": [4, 5, 5, 4],
                             "first_contact_resolution": 1.0} | group]
    return data


def test_effect_by_hand():
    scenario = parse_scenario(one_group(training_cost_per_agent_day=30.0, first_contact_resolution=0.8,
                                        training_effect=EFFECT))
    group = scenario.agent_groups[0]
    assert group.trained_handle_time_multiplier == pytest.approx(1 - 0.2 * 0.5)  # f(30) = 30 / (30 + 30)
    assert group.trained_first_contact_resolution == pytest.approx(0.8 + 0.1 * 0.5)
    at_reference = parse_scenario(one_group(training_cost_per_agent_day=30.0, first_contact_resolution=0.8,
                                            training_effect=EFFECT | {"reference_cost_per_agent_day": 30.0}))
    assert at_reference.agent_groups[0].trained_handle_time_multiplier == 1.0
    assert at_reference.agent_groups[0].trained_first_contact_resolution == 0.8
    cut = apply_overrides(at_reference, {"agent_groups.front.training_cost_per_agent_day": 10.0})
    assert cut.agent_groups[0].trained_handle_time_multiplier == pytest.approx((1 - 0.2 * 0.25) / (1 - 0.2 * 0.5))
    assert cut.agent_groups[0].trained_first_contact_resolution == pytest.approx(0.8 - 0.1 * 0.25)


def test_more_training_shortens_the_same_customers_handle_times():
    base = parse_scenario(one_group(training_cost_per_agent_day=30.0, training_effect=EFFECT
                                    | {"reference_cost_per_agent_day": 30.0}))
    more = apply_overrides(base, {"agent_groups.front.training_cost_per_agent_day": 90.0})
    factor = more.agent_groups[0].trained_handle_time_multiplier
    assert factor == pytest.approx((1 - 0.2 * 0.75) / (1 - 0.2 * 0.5))
    before = simulate(base, seed=4).measured_contacts().set_index("contact_id")
    after = simulate(more, seed=4).measured_contacts().set_index("contact_id")
    both = before.index.intersection(after.index)
    answered = before.loc[both, "handle_time"].notna().to_numpy() & after.loc[both, "handle_time"].notna().to_numpy()
    served = both[answered]
    assert len(served) > 50
    np.testing.assert_allclose(after.loc[served, "handle_time"], before.loc[served, "handle_time"] * factor)


def test_training_that_lifts_resolution_to_one_removes_repeat_contacts():
    untrained = parse_scenario(one_group(first_contact_resolution=0.8))
    trained = parse_scenario(one_group(first_contact_resolution=0.8, training_cost_per_agent_day=90.0,
                                       training_effect=EFFECT | {"first_contact_resolution": 0.4}))
    assert trained.agent_groups[0].trained_first_contact_resolution == 1.0  # 0.8 + 0.4 x 0.75, kept within 0-1
    assert (simulate(untrained, seed=2).contacts["origin"] == "repeat").any()
    assert not (simulate(trained, seed=2).contacts["origin"] == "repeat").any()


def test_staffing_plans_with_the_trained_handle_time():
    base = parse_scenario(one_group(training_cost_per_agent_day=30.0, training_effect=EFFECT))
    unit = select_unit(base)
    assert list(unit.type_multipliers.values()) == pytest.approx([0.9, 0.9])
