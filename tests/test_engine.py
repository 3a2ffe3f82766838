"""Engine behaviour on hand-made arrivals whose outcome can be worked out by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.agent_plans import staffing_plans
from sim.calendar import Calendar
from sim.config import parse_scenario
from sim.demand import Arrivals
from sim.engine import Engine
from sim.random import RandomStreams


def scenario_with(groups, types=("calls",), segments=None, retrial=None, days=1, patience=None):
    data = {
        "name": "hand",
        "horizon": {"days": days, "interval_minutes": 60, "drain_minutes": 60},
        "demand": {"volume": [0] * 24},
        "contact_types": [{"name": name, "share": 1 / len(types),
                           "handle_time": {"dist": "deterministic", "value": 10, "unit": "s"},
                           "patience": patience} for name in types],
        "agent_groups": [{"first_contact_resolution": 1.0, **group} for group in groups],  # no repeats
    }
    if segments:
        data["segments"] = segments
    if retrial:
        data["retrial"] = retrial
    return parse_scenario(data)


def run_with(scenario, rows):
    """Run ``scenario`` on explicit arrivals: (time, type, segment, handle, patience[, AI session, AI draw])."""
    rows = sorted(tuple(row) + (0.0, 0.0)[len(row) - 5:] for row in rows)
    column = lambda index: np.array([row[index] for row in rows], float)  # noqa: E731
    arrivals = Arrivals(
        time=column(0), contact_type=column(1).astype(int), segment=column(2).astype(int), handle_time=column(3),
        after_call_work=np.zeros(len(rows)), patience=column(4), ai_session_time=column(5), ai_outcome=column(6))
    calendar = Calendar.from_scenario(scenario)
    engine = Engine(scenario, calendar, iter([arrivals]), staffing_plans(scenario, calendar), RandomStreams(0))
    engine.run()
    fields = ("contact_id", "customer_id", "parent_id", "attempt", "origin", "arrival_time", "outcome", "answer_time",
              "end_time", "queue_entry_time", "route", "escalated", "resolved")
    table = pd.DataFrame([{**{name: getattr(c, name) for name in fields}, **handled_by(c)} for c in engine.contacts])
    return engine, table


def handled_by(contact) -> dict[str, str]:
    if contact.agent is None:
        return {"agent_id": "", "handler": contact.handler, "handler_kind": contact.handler_kind}
    pool = contact.agent.pool
    return {"agent_id": contact.agent.agent_id, "handler": pool.name, "handler_kind": pool.kind}


def always(count):
    return [count] * 24


INF = np.inf


def test_fifo_single_agent_waits_add_up():
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(1)}])
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (1, 0, 0, 10, INF), (2, 0, 0, 5, INF)])
    assert table["answer_time"].tolist() == [0, 10, 20]
    assert table["end_time"].tolist() == [10, 20, 25]
    assert (table["outcome"] == "answered").all()


def test_patience_runs_out_in_queue():
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(1)}])
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (1, 0, 0, 10, 5), (2, 0, 0, 10, 50)])
    assert table.loc[1, "outcome"] == "abandoned" and table.loc[1, "end_time"] == 6
    assert table.loc[2, "answer_time"] == 10  # the abandoned contact is skipped


def test_zero_patience_is_a_loss_system():
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(1)}])
    _, table = run_with(scenario, [(0, 0, 0, 10, 0), (3, 0, 0, 10, 0), (10, 0, 0, 10, 0)])
    assert table["outcome"].tolist() == ["answered", "abandoned", "answered"]
    assert table.loc[1, "end_time"] == 3


def test_priority_segment_goes_first_and_boost_moves_ahead():
    segments = [{"name": "standard", "share": 0.8}, {"name": "vip", "share": 0.2, "priority": 1}]
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(1)}], segments=segments)
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (1, 0, 0, 10, INF), (2, 0, 1, 10, INF)])
    assert table.set_index("arrival_time")["answer_time"].to_dict() == {0: 0, 1: 20, 2: 10}
    segments = [{"name": "standard", "share": 0.8}, {"name": "gold", "share": 0.2, "queue_boost_seconds": 5}]
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(1)}], segments=segments)
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (1, 0, 0, 10, INF), (4, 0, 1, 10, INF), (7, 0, 1, 10, INF)])
    # gold at 4 counts as entered at -1: ahead of standard at 1; gold at 7 counts as 2: behind it.
    assert table.set_index("arrival_time")["answer_time"].to_dict() == {0: 0, 4: 10, 1: 20, 7: 30}


def test_skill_priority_beats_waiting_time():
    groups = [{"name": "mixed", "skills": {"billing": 1, "tech": 2}, "headcount": always(1)}]
    scenario = scenario_with(groups, types=("billing", "tech"))
    _, table = run_with(scenario, [(0, 0, 0, 10, INF), (1, 1, 0, 10, INF), (2, 0, 0, 10, INF)])
    # tech waited longer, but billing is this agent's first skill.
    assert table.set_index("arrival_time")["answer_time"].to_dict() == {0: 0, 2: 10, 1: 20}


def test_arrivals_prefer_best_priority_group_then_longest_idle():
    groups = [{"name": "specialist", "skills": {"tech": 1}, "headcount": always(1)},
              {"name": "generalist", "skills": {"tech": 2, "billing": 1}, "headcount": always(2)}]
    scenario = scenario_with(groups, types=("billing", "tech"))
    _, table = run_with(scenario, [(0, 1, 0, 10, INF), (1, 1, 0, 10, INF), (2, 1, 0, 10, INF), (20, 0, 0, 10, INF),
                                   (21, 0, 0, 10, INF)])
    assert table["handler"].tolist() == ["specialist", "generalist", "generalist", "generalist", "generalist"]
    # At 20 both generalists are idle: the one idle longest (since 11) takes the call, then the other.
    assert table.loc[3, "agent_id"] == table.loc[1, "agent_id"]
    assert table.loc[4, "agent_id"] == table.loc[2, "agent_id"]


def test_shift_end_finishes_contact_in_hand_and_queue_waits_for_next_shift():
    groups = [{"name": "day", "skills": ["calls"],
               "shifts": [{"start": "00:00", "length_hours": 1}, {"start": "02:00", "length_hours": 1}]}]
    scenario = scenario_with(groups)
    engine, table = run_with(scenario, [(3595, 0, 0, 100, INF), (3596, 0, 0, 10, INF)])
    assert table.loc[0, "end_time"] == 3695  # finished after the shift end
    assert table.loc[1, "answer_time"] == 7200  # nobody on duty until the next shift
    duty = {row[3]: row[4] for pool in engine.pools for row in pool.duty_log}
    assert duty[0.0] == 3695


def test_breaks_take_agents_off_the_phones():
    groups = [{"name": "day", "skills": ["calls"],
               "shifts": [{"start": "00:00", "length_hours": 2, "breaks": [{"start": "00:30", "minutes": 15}]}]}]
    scenario = scenario_with(groups)
    _, table = run_with(scenario, [(1795, 0, 0, 10, INF), (1810, 0, 0, 10, INF)])
    assert table["answer_time"].tolist() == [1795, 2700]


def test_abandoned_customers_retry_within_attempt_limit():
    retrial = {"probability": 1.0, "delay": {"dist": "deterministic", "value": 100, "unit": "s"}, "max_attempts": 3}
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": [0] * 24}], retrial=retrial,
                             patience={"dist": "deterministic", "value": 5, "unit": "s"})
    _, table = run_with(scenario, [(10, 0, 0, 10, 5)])
    assert table["attempt"].tolist() == [0, 1, 2]
    assert table["arrival_time"].tolist() == [10, 115, 220]
    assert (table["customer_id"] == 0).all()
    assert (table["outcome"] == "abandoned").all()


def test_contacts_waiting_at_the_end_are_in_system():
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": [0] * 24}])
    _, table = run_with(scenario, [(10, 0, 0, 10, INF)])
    assert table["outcome"].tolist() == ["in_system"]


@pytest.mark.parametrize("level", [0, 3])
def test_snapshots_count_agents_and_queue(level):
    scenario = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": always(level)}])
    engine, _ = run_with(scenario, [(1, 0, 0, 10_000, INF)] * 5)
    time, pools, queues, ai_state = engine.snapshots[1]
    assert time == 3600
    assert pools[0] == (level, min(level, 5), 0)
    assert queues[0] == 5 - min(level, 5)


def test_overtime_keeps_agents_on_while_the_queue_is_long():
    groups = [{"name": "day", "skills": ["calls"], "overtime": {"queue_above": 1, "max_minutes": 30},
               "shifts": [{"start": "00:00", "length_hours": 1, "count": 1}]}]
    scenario = scenario_with(groups)
    # Three contacts of 20 min arrive at 00:50: one in service at the shift end (01:00), two waiting.
    engine, table = run_with(scenario, [(3000, 0, 0, 1200, INF), (3001, 0, 0, 1200, INF), (3002, 0, 0, 1200, INF)])
    # Two wait (> 1) at 01:00, so the agent stays on and takes the next contact at 01:10; at 01:30
    # the 30-minute limit is reached and the agent goes. The last contact waits for the next day.
    assert table["answer_time"].tolist() == [3000, 4200, 86_400]
    assert engine.pools[0].overtime_log == [("day-1", "day", 3600.0, 5400.0)]


def test_no_overtime_when_the_queue_is_short():
    groups = [{"name": "day", "skills": ["calls"], "overtime": {"queue_above": 5, "max_minutes": 60},
               "shifts": [{"start": "00:00", "length_hours": 1, "count": 1}]}]
    engine, table = run_with(scenario_with(groups), [(3000, 0, 0, 1200, INF), (3001, 0, 0, 1200, INF)])
    assert engine.pools[0].overtime_log == []
    assert table.loc[0, "end_time"] == 4200 and table.loc[1, "answer_time"] == 86_400


def test_surge_brings_off_phone_agents_while_the_queue_is_long():
    groups = [{"name": "day", "skills": ["calls"], "headcount": always(4), "shrinkage": 0.5,
               "surge": {"queue_above": 1, "max_agents": 5}}]
    # 2 available of 4 scheduled: at most 2 more can be called in, whatever max_agents says.
    rows = [(100 + i, 0, 0, 600, INF) for i in range(6)]
    engine, table = run_with(scenario_with(groups), rows)
    # Two on the phones take the first two; the third waits (queue 1, not above 1); the fourth
    # makes the queue 2 > 1, so a surge agent comes and takes the head, and so on up to 2 surge agents.
    assert table["answer_time"].tolist() == [100, 101, 103, 104, 700, 701]
    surge_ids = set(table.loc[[2, 3], "agent_id"])
    assert len(surge_ids) == 2 and not surge_ids & set(table.loc[[0, 1], "agent_id"])
    # Back to other work once the queue is short: their spells end when their contacts do.
    spells = {row[0]: row[4] for pool in engine.pools for row in pool.duty_log}
    assert all(spells[agent] == 703 or spells[agent] == 704 for agent in surge_ids)


def test_a_contact_escalated_after_waiting_for_the_ai_keeps_its_human_patience():
    scenario = parse_scenario({
        "name": "ai_wait", "horizon": {"days": 1, "interval_minutes": 60, "drain_minutes": 60},
        "demand": {"volume": [0] * 24},
        "contact_types": [{"name": "calls", "handle_time": {"dist": "deterministic", "value": 10, "unit": "s"},
                           "patience": {"dist": "deterministic", "value": 200, "unit": "s"}}],
        "agent_groups": [{"name": "solo", "skills": ["calls"], "headcount": [0] * 24}],
        "ai": {"capacity": 1, "when_full": "wait", "session_time": {"dist": "deterministic", "value": 1, "unit": "s"},
               "contact_types": {"calls": {"containment": 0.0, "escalation": 1.0}}},
    })
    # (time, type, segment, handle, patience, AI session, AI draw): the second waits for the AI from 10 to 100,
    # is escalated at 150 and waits for an agent; its AI patience (10 + 200 = 210) no longer applies.
    _, table = run_with(scenario, [(0, 0, 0, 10, 200, 100, 0.5), (10, 0, 0, 10, 200, 50, 0.5)])
    second = table.iloc[1]
    assert second["outcome"] == "abandoned"
    assert second["end_time"] == pytest.approx(150 + 200)


@pytest.mark.parametrize("spread_minutes", [0, 90, 180])
def test_retrials_due_while_closed_come_back_spread_over_the_opening(spread_minutes):
    retrial = {"probability": 1.0, "delay": {"dist": "deterministic", "value": 1, "unit": "h"}, "max_attempts": 2}
    data = scenario_with([{"name": "solo", "skills": ["calls"], "headcount": [0] * 24}], retrial=retrial,
                         patience={"dist": "deterministic", "value": 5, "unit": "s"}, days=2).model_dump()
    data["horizon"].update(open="08:00", close="10:00")
    data["repeat_contacts"]["opening_spread_minutes"] = spread_minutes
    scenario = parse_scenario(data)
    # 400 callers abandon at about 09:30; their retrials fall due at 10:30, after closing.
    _, table = run_with(scenario, [(34_200 + index, 0, 0, 10, 5) for index in range(400)])
    retried = table.loc[table["attempt"] == 1, "arrival_time"].to_numpy() - (86_400 + 8 * 3600)
    assert len(retried) == 400
    if spread_minutes == 0:
        assert (retried == 0).all()
    else:
        # Uniform over the open stretch's first minutes, clipped to its 2 hours: a KS test at 1%.
        window = min(spread_minutes, 120) * 60
        assert retried.min() >= 0 and retried.max() < window
        assert stats.kstest(retried / window, "uniform").pvalue > 0.01


def test_contacts_set_only_the_fields_registered_at_import(monkeypatch):
    """Contacts keep their fields in the class's shared table of names (see ``sim.engine.contact``): a run
    through every channel sets no name outside ``LATER_FIELDS`` (a new field must be declared on the class)."""
    from pathlib import Path

    from sim.config import apply_overrides, load_scenario
    from sim.engine.contact import LATER_FIELDS
    from sim.run import simulate

    captured = []
    scenario = apply_overrides(load_scenario(Path(__file__).parent.parent / "scenarios" / "omnichannel.toml"),
                               {"horizon.days": 1})
    engine_run = Engine.run

    def run_and_keep(engine):
        engine_run(engine)
        captured.extend(engine.contacts)

    monkeypatch.setattr(Engine, "run", run_and_keep)
    simulate(scenario, seed=3, records=True)
    assert captured
    assert len(LATER_FIELDS) < 30
    set_names = set().union(*(vars(contact) for contact in captured))
    assert set_names <= set(LATER_FIELDS), set_names - set(LATER_FIELDS)
    assert {"work_left", "due_time", "callback_state", "route"} <= set_names  # the channels were exercised
