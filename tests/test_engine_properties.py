"""Invariants of the engine on random small scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.agent_plans import staffing_plans
from sim.calendar import Calendar
from sim.config import parse_scenario
from sim.records import OUTCOMES
from sim.run import simulate

PROPERTY_SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOURS = 4  # open 08:00-12:00, 60-minute intervals


@st.composite
def shift_lists(draw):
    shifts = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(6 * 4, 11 * 4)) * 15  # minutes, on the quarter hour
        length = draw(st.integers(2, 8)) * 0.5
        shift = {"start": f"{start // 60:02d}:{start % 60:02d}", "length_hours": length,
                 "count": draw(st.integers(0, 3))}
        if length >= 2 and draw(st.booleans()):
            offset = start + 60
            shift["breaks"] = [{"start": f"{offset // 60:02d}:{offset % 60:02d}", "minutes": 15,
                                "paid": draw(st.booleans())}]
        shifts.append(shift)
    return shifts


@st.composite
def small_scenarios(draw, with_patience=True, with_retrials=True):
    type_count = draw(st.integers(1, 2))
    types = []
    for index in range(type_count):
        contact_type = {"name": f"type{index}", "share": 1.0 / type_count,
                        "handle_time": {"dist": draw(st.sampled_from(["exponential", "gamma"])),
                                        "unit": "min", **({"mean": draw(st.floats(1, 8))})}}
        if contact_type["handle_time"]["dist"] == "gamma":
            contact_type["handle_time"]["sd"] = draw(st.floats(0.5, 5))
        if with_patience and draw(st.booleans()):
            contact_type["patience"] = {"dist": "exponential", "mean": draw(st.floats(0.5, 5)), "unit": "min"}
        if draw(st.booleans()):
            contact_type["after_call_work"] = {"dist": "deterministic", "value": draw(st.integers(0, 60)), "unit": "s"}
        types.append(contact_type)
    groups = []
    for index in range(draw(st.integers(1, 2))):
        skills = {f"type{k}": draw(st.integers(1, 2)) for k in range(type_count)
                  if index == 0 or draw(st.booleans())} or {"type0": 1}
        group = {"name": f"group{index}", "skills": skills, "shrinkage": draw(st.sampled_from([0.0, 0.2, 0.5])),
                 "first_contact_resolution": 1.0}  # waits and totals compared without repeat contacts
        if draw(st.booleans()):
            group["overtime"] = {"queue_above": draw(st.integers(0, 3)), "max_minutes": draw(st.integers(5, 60))}
        if draw(st.booleans()):
            group["surge"] = {"queue_above": draw(st.integers(0, 3)), "max_agents": draw(st.integers(1, 3))}
        if draw(st.booleans()):
            group["headcount"] = draw(st.lists(st.integers(0, 4), min_size=HOURS, max_size=HOURS))
        else:
            group["shifts"] = draw(shift_lists())
        groups.append(group)
    data = {
        "name": "random",
        "horizon": {"days": 1, "interval_minutes": 60, "open": "08:00", "close": "12:00", "drain_minutes": 60},
        "demand": {"volume": draw(st.lists(st.floats(0, 60), min_size=HOURS, max_size=HOURS))},
        "contact_types": types,
        "agent_groups": groups,
    }
    if draw(st.booleans()):
        data["segments"] = [{"name": "standard", "share": 0.7}, {"name": "vip", "share": 0.3, "priority": 1}]
    if with_retrials and draw(st.booleans()):
        data["retrial"] = {"probability": 0.5, "delay": {"dist": "exponential", "mean": 10, "unit": "min"}}
    return parse_scenario(data), draw(st.integers(0, 2**16))


@PROPERTY_SETTINGS
@given(small_scenarios())
def test_every_contact_ends_exactly_once_and_waits_are_non_negative(case):
    scenario, seed = case
    contacts = simulate(scenario, seed=seed).contacts
    assert contacts["contact_id"].is_unique
    assert contacts["outcome"].isin(OUTCOMES).all()
    answered = contacts[contacts["outcome"] == "answered"]
    abandoned = contacts[contacts["outcome"] == "abandoned"]
    in_system = contacts[contacts["outcome"] == "in_system"]
    assert len(answered) + len(abandoned) + len(in_system) == len(contacts)
    assert (contacts["wait_seconds"] >= 0).all()
    assert answered["answer_time"].notna().all() and answered["agent_id"].ne("").all()
    assert (answered["end_time"].dropna() >= answered.loc[answered["end_time"].notna(), "answer_time"]).all()
    assert abandoned["answer_time"].isna().all() and abandoned["end_time"].notna().all()
    assert in_system["answer_time"].isna().all() and in_system["end_time"].isna().all()
    # Retrials point back at a customer whose earlier attempt was abandoned.
    retrials = contacts[contacts["attempt"] > 0]
    first = contacts.set_index("contact_id").loc[retrials["customer_id"]]
    assert (first["outcome"] == "abandoned").all()


@PROPERTY_SETTINGS
@given(small_scenarios())
def test_agents_serve_one_contact_at_a_time_and_only_on_duty(case):
    scenario, seed = case
    result = simulate(scenario, seed=seed)
    served = result.contacts[result.contacts["outcome"] == "answered"].copy()
    served["end_time"] = served["end_time"].fillna(result.info.end_time)
    duty = result.agent_duty
    # Sort by end too: a zero-length contact may start and end at the instant another starts.
    for agent_id, spans in served.sort_values(["answer_time", "end_time"]).groupby("agent_id"):
        starts, ends = spans["answer_time"].to_numpy(), spans["end_time"].to_numpy()
        assert (starts[1:] >= ends[:-1] - 1e-9).all(), f"{agent_id} served two contacts at once"
        spells = duty[duty["agent_id"] == agent_id]
        inside = [((spells["start"] <= s + 1e-9) & (spells["end"] >= e - 1e-9)).any() for s, e in zip(starts, ends)]
        assert all(inside), f"{agent_id} served while off duty"
    # At every probe the plan is met, and agents beyond it (finishing a contact after their shift,
    # in overtime, or called in from other work by a surge rule) are all busy.
    plans = {plan.name: plan.available for plan in staffing_plans(scenario, Calendar.from_scenario(scenario))}
    probes = result.snapshots[result.snapshots["kind"] == "group"]
    for name, rows in probes.groupby("name"):
        available = plans[name]
        level = available.values[np.searchsorted(available.times, rows["time"].to_numpy(float), side="right") - 1]
        assert (level <= rows["on_duty"].to_numpy()).all()
        assert (rows["on_duty"].to_numpy() <= level + rows["busy"].to_numpy()).all()


@PROPERTY_SETTINGS
@given(small_scenarios(with_patience=False, with_retrials=False), st.integers(1, 3))
def test_more_agents_never_increase_total_waiting(case, extra):
    """With one FCFS queue and no abandonment, each customer's wait can only drop when agents are added
    (same seed, so the same customers with the same handle times arrive)."""
    scenario, seed = case
    data = scenario.model_dump(mode="json")
    data["contact_types"] = data["contact_types"][:1]
    data["contact_types"][0]["share"] = None
    data["segments"] = [{"name": "standard", "share": 1.0}]
    group = data["agent_groups"][0]
    group.update(skills={data["contact_types"][0]["name"]: 1}, shrinkage=0.0, overtime=None, surge=None)
    data["agent_groups"] = [group]
    base = parse_scenario(data)
    if group["headcount"] is not None:
        group["headcount"] = [count + extra for count in group["headcount"]]
    else:
        group["shifts"] = group["shifts"] + [{"start": "00:00", "length_hours": 24, "count": extra}]
    more = parse_scenario(data)
    fewer_agents = simulate(base, seed=seed).contacts
    more_agents = simulate(more, seed=seed).contacts
    assert np.array_equal(fewer_agents["arrival_time"], more_agents["arrival_time"])
    assert more_agents["wait_seconds"].sum() <= fewer_agents["wait_seconds"].sum() + 1e-6
