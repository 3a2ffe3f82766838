"""Staffing chats (effective concurrency) and backlog work (spread to meet the deferred target)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.cli import main
from analysis.planning.erlang import ServiceLevelTarget, required_agents
from analysis.planning.staffing import analytic_agents, parse_target, select_unit
from sim.config import parse_scenario

TARGET = [parse_target("sl:0.8/60")]


def chat_center(concurrency: int = 3, stretch: float = 0.0, email: bool = False, voice: bool = False):
    """08:00-12:00 on 30-minute intervals: 60 chats an interval (6 min), optionally calls and emails."""
    types = [{"name": "chat", "channel": "chat", "share": 0.6 if (email or voice) else 1.0,
              "handle_time": {"dist": "exponential", "mean": 6, "unit": "min"},
              "patience": {"dist": "exponential", "mean": 3, "unit": "min"}}]
    skills = ["chat"]
    if voice:
        types.append({"name": "calls", "share": 0.4 if not email else 0.2,
                      "handle_time": {"dist": "exponential", "mean": 4, "unit": "min"}})
        skills.append("calls")
    if email:
        types.append({"name": "email", "channel": "email", "share": 0.4 if not voice else 0.2,
                      "handle_time": {"dist": "exponential", "mean": 5, "unit": "min"},
                      "deferred_target": {"within_hours": 2}})
        skills.append("email")
    total = 60 / types[0]["share"]
    return parse_scenario({
        "name": "chats", "horizon": {"days": 1, "interval_minutes": 30, "open": "08:00", "close": "12:00"},
        "demand": {"volume": [total] * 8}, "contact_types": types,
        "channels": {"chat": {"stretch_per_extra_session": stretch}},
        "agent_groups": [{"name": "desk", "skills": skills, "concurrency": {"chat": concurrency},
                          "headcount": [1] * 8, "first_contact_resolution": 1.0}]})


def test_a_chat_desk_is_sized_in_session_slots():
    for concurrency, stretch in ((1, 0.0), (3, 0.0), (3, 0.25)):
        scenario = chat_center(concurrency, stretch)
        workload = select_unit(scenario, "desk").workload(scenario)
        assert workload.sessions_per_agent == concurrency
        session = 360 * (1 + stretch * (concurrency - 1))
        assert workload.handle_seconds[0, 16] == pytest.approx(session)
        slots = required_agents(60 / 1800, session, ServiceLevelTarget(0.8, 60), mean_patience=180).agents
        agents, _ = analytic_agents(workload, TARGET, "erlang-a")
        assert agents[0, 16] == math.ceil(slots / concurrency)
    # Three chats at a time need about a third of the agents; stretch takes some of that back.
    need = {(k, s): analytic_agents(select_unit(chat_center(k, s), "desk").workload(chat_center(k, s)), TARGET,
                                    "erlang-a")[0][0, 16] for k, s in ((1, 0.0), (3, 0.0), (3, 0.25))}
    assert need[(3, 0.0)] < need[(3, 0.25)] < need[(1, 0.0)]


def test_a_blended_desk_counts_chats_by_their_share_of_the_agent():
    scenario = chat_center(3, 0.25, voice=True)
    workload = select_unit(scenario, "desk").workload(scenario)
    assert workload.sessions_per_agent == 1
    # Chats and calls in one queue of agent time: a chat takes 360 x 1.5 / 3 = 180 s of an agent.
    assert workload.handle_seconds[0, 16] == pytest.approx((60 * 180 + 40 * 240) / 100)


def test_backlog_work_is_spread_over_the_open_hours_before_its_target():
    scenario = chat_center(3, 0.0, email=True)
    workload = select_unit(scenario, "desk").workload(scenario)
    backlog = workload.backlog()[0]
    assert not backlog[:16].any() and not backlog[24:].any()  # only while open
    # 40 emails of 5 minutes every half hour, each spread over the open intervals of its 2-hour window:
    # 4 of them, fewer near closing (the center is closed for the rest of the window), all of the work.
    assert backlog[16:20] == pytest.approx([40 * 300 / 1800 * share for share in (1 / 4, 2 / 4, 3 / 4, 1)])
    assert backlog[23] == pytest.approx(40 * 300 / 1800 * (1 / 4 + 1 / 3 + 1 / 2 + 1))
    assert float(backlog.sum()) * 0.5 == pytest.approx(8 * 40 * 300 / 3600)
    realtime, _ = analytic_agents(select_unit(chat_center(3), "desk").workload(chat_center(3)), TARGET, "erlang-a")
    agents, _ = analytic_agents(workload, TARGET, "erlang-a")
    assert (agents[0, 16:24] >= realtime[0, 16:24]).all()
    assert (agents[0, 16:24] >= np.ceil(workload.offered_load()[0, 16:24] - 1e-9)).all()


def test_staff_and_schedule_accept_a_chat_and_email_desk(tmp_path, capsys):
    scenario_file = tmp_path / "chats.toml"
    scenario_file.write_text(
        'name = "chats"\n[horizon]\ninterval_minutes = 30\nopen = "08:00"\nclose = "12:00"\n'
        '[demand]\nvolume = [100, 100, 100, 100, 100, 100, 100, 100]\n'
        '[[contact_types]]\nname = "chat"\nchannel = "chat"\nshare = 0.6\n'
        'handle_time = { dist = "exponential", mean = 6, unit = "min" }\n'
        'patience = { dist = "exponential", mean = 3, unit = "min" }\n'
        '[[contact_types]]\nname = "email"\nchannel = "email"\nshare = 0.4\n'
        'handle_time = { dist = "exponential", mean = 5, unit = "min" }\n'
        'deferred_target = { within_hours = 2 }\n'
        '[[agent_groups]]\nname = "desk"\nskills = ["chat", "email"]\nconcurrency = { chat = 3 }\n'
        'headcount = [1, 1, 1, 1, 1, 1, 1, 1]\n')
    out = tmp_path / "staff"
    assert main(["staff", str(scenario_file), "--target", "sl:0.8/60", "--reps", "2", "--workers", "1",
                 "--out", str(out), "--quiet"]) == 0
    text = (out / "requirements.csv").read_text()
    assert "backlog_load" in text.splitlines()[0]
    shifts = tmp_path / "shifts.toml"
    shifts.write_text('[options]\nhourly_cost = 20.0\n'
                      '[[templates]]\nname = "half"\nkind = "part_time"\nlength_hours = 2\n'
                      'start_window = { earliest = "08:00", latest = "10:00", step_minutes = 30 }\n')
    assert main(["schedule", str(scenario_file), "--shifts", str(shifts), "--requirement",
                 str(out / "requirements.csv"), "--reps", "2", "--workers", "1", "--out", str(tmp_path / "plan"),
                 "--quiet"]) == 0
    assert "optimal" in capsys.readouterr().out
