"""Chats, backlog items, callbacks and channel switching: behaviour worked out by hand, validation
of channel settings, and invariants over random omnichannel centers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.metrics.costs import channel_costs, cost_breakdown
from analysis.metrics.kpis import KPI_UNITS, compute_kpis
from sim.agent_plans import staffing_plans
from sim.calendar import Calendar
from sim.config import ScenarioError, parse_scenario
from sim.demand import Arrivals
from sim.engine import Engine
from sim.random import RandomStreams
from sim.records import OUTCOMES
from sim.run import simulate

from .conftest import small_data

INF = math.inf


def seconds(value: float) -> dict:
    return {"dist": "deterministic", "value": value, "unit": "s"}


def center(types: list[dict], groups: list[dict], days: int = 1, hours: dict | None = None, **extra):
    """A center (open around the clock unless ``hours`` say otherwise) with no demand of its own:
    arrivals are given by hand."""
    data = {"name": "hand", "horizon": {"days": days, "interval_minutes": 60, "drain_minutes": 120, **(hours or {})},
            "demand": {"volume": [0] * 24},
            "contact_types": [{"share": 1 / len(types), "handle_time": seconds(10)} | item for item in types],
            "agent_groups": [{"headcount": [1] * 24, "first_contact_resolution": 1.0} | group for group in groups],
            **extra}
    return parse_scenario(data)


def run_rows(scenario, rows):
    """Run on explicit first arrivals (time, type, handle seconds, patience); returns the engine."""
    rows = sorted(rows)
    column = lambda index: np.array([row[index] for row in rows], float)  # noqa: E731
    zeros = np.zeros(len(rows))
    arrivals = Arrivals(time=column(0), contact_type=column(1).astype(int), segment=zeros.astype(int),
                        handle_time=column(2), after_call_work=zeros, patience=column(3), ai_session_time=zeros,
                        ai_outcome=zeros)
    calendar = Calendar.from_scenario(scenario)
    engine = Engine(scenario, calendar, iter([arrivals]), staffing_plans(scenario, calendar), RandomStreams(0))
    engine.run()
    return engine


CHAT = {"name": "chat", "channel": "chat"}
EMAIL = {"name": "email", "channel": "email"}
CALLS = {"name": "calls"}


# --- validation ----------------------------------------------------------------------------

def problems(data) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        parse_scenario(data)
    return [str(problem) for problem in caught.value.problems]


def test_bad_channel_settings_are_refused_with_the_field_path():
    data = small_data()
    data["contact_types"][1]["channel"] = "fax"
    data["agent_groups"][0]["concurrency"] = {"chat": 0}
    assert problems(data) == [
        "contact_types[1].channel: 'fax' is not allowed: input should be 'voice', 'chat', 'messaging' or 'email'",
        "agent_groups[0].concurrency.chat: 0 is not allowed: input should be greater than 0"]
    data = small_data()
    data["contact_types"][1] |= {"channel": "email", "deferred_target": {"within_hours": 0.5}}
    data["contact_types"][0]["callback"] = {"offer_when_wait_above_seconds": 60, "accept_probability": 1.5}
    assert problems(data) == [
        "contact_types[0].callback.accept_probability: 1.5 is not allowed: input should be less than or equal to 1"]
    data["contact_types"][0]["callback"]["accept_probability"] = 0.5
    data["contact_types"][0]["switch"] = {"to": "billing"}
    data["agent_groups"][0]["concurrency"] = {"voice": 2, "chat": 2}
    data["channels"] = {"sms": {}}
    assert problems(data) == [
        "contact_types[0].switch.to: 'billing' is in the same channel (voice); a switch goes to another channel "
        "(retrials cover trying again in the same one)",
        "contact_types[1].deferred_target.within_hours: 0.5 h is shorter than the 60-minute interval; a deferred "
        "target must be at least one interval",
        "agent_groups[0].concurrency.voice: 'voice' takes no concurrency (allowed: chat, messaging, email; voice is "
        "always one call at a time)",
        "agent_groups[0].concurrency.chat: the group serves no chat contact type",
        "channels.sms: 'sms' is not a channel (known: voice, chat, messaging, email)"]
    data = small_data()
    data["contact_types"][0] |= {"silent_abandonment": {"share": 0.2, "hold": seconds(30)},
                                 "deferred_target": {"within_hours": 24, "by": "next_business_day"}}
    data["contact_types"][1]["callback"] = {"offer_when_wait_above_seconds": 60, "accept_probability": 0.5,
                                            "mode": "scheduled"}
    assert problems(data) == [
        "contact_types[0].deferred_target: deferred_target needs exactly one of: within_hours | by",
        "contact_types[1].callback: promise_minutes is required when mode = 'scheduled'"]
    data["contact_types"][0]["deferred_target"] = {"by": "next_business_day"}
    data["contact_types"][1]["callback"]["promise_minutes"] = 30
    data["contact_types"][1]["channel"] = "chat"
    assert problems(data) == [
        "contact_types[0].silent_abandonment: silent abandonment is for chat and messaging contact types; this one "
        "is 'voice'",
        "contact_types[0].deferred_target: deferred targets are for backlog channels (messaging, email); this one "
        "is 'voice'",
        "contact_types[1].callback: callbacks are for voice contact types; this one is 'chat'"]


# --- chats ---------------------------------------------------------------------------------

def test_an_agent_holds_chats_up_to_the_limit_and_stretch_slows_them_while_shared():
    plain = center([CHAT], [{"name": "desk", "skills": ["chat"], "concurrency": {"chat": 2}}])
    engine = run_rows(plain, [(0, 0, 10, INF), (1, 0, 10, INF), (2, 0, 5, INF)])
    assert [c.answer_time for c in engine.contacts] == [0, 1, 10]
    assert [c.end_time for c in engine.contacts] == [10, 11, 15]
    stretched = center([CHAT], [{"name": "desk", "skills": ["chat"], "concurrency": {"chat": 2}}],
                       channels={"chat": {"stretch_per_extra_session": 0.5}})
    first, second = run_rows(stretched, [(0, 0, 10, INF), (1, 0, 10, INF)]).contacts
    # Alone for 1 s, then both at 2/3 speed: the first ends at 1 + 9 x 1.5; the second has 1 s of work left
    # then, done alone.
    assert first.end_time == pytest.approx(14.5)
    assert second.end_time == pytest.approx(15.5)
    # The agent's time is shared: 1 + 13.5 / 2 for the first, 13.5 / 2 + 1 for the second.
    assert first.agent_seconds == pytest.approx(7.75) and second.agent_seconds == pytest.approx(7.75)


def test_a_call_takes_the_whole_agent_and_a_chat_agent_takes_calls_only_when_free():
    scenario = center([CALLS, CHAT], [{"name": "blend", "skills": ["calls", "chat"], "concurrency": {"chat": 3}}])
    engine = run_rows(scenario, [(0, 1, 20, INF), (5, 0, 10, INF), (6, 1, 5, INF)])
    chat, call, second_chat = engine.contacts
    assert chat.answer_time == 0 and second_chat.answer_time == 6  # room for another chat
    assert call.answer_time == 20  # the call waits until no chat is open
    engine = run_rows(scenario, [(0, 0, 20, INF), (5, 1, 10, INF)])
    assert engine.contacts[1].answer_time == 20  # no chat while on a call


def test_silent_leavers_hold_a_slot_before_the_agent_gives_up():
    scenario = center([CHAT | {"patience": seconds(5), "silent_abandonment": {"share": 1.0, "hold": seconds(30)}}],
                      [{"name": "desk", "skills": ["chat"]}])
    engine = run_rows(scenario, [(0, 0, 100, INF), (1, 0, 10, 5), (2, 0, 10, 500)])
    busy, silent, patient = engine.contacts
    assert silent.outcome == "abandoned" and silent.silent_since == 6 and silent.end_time == 6
    assert patient.answer_time == 130  # after the agent waited 30 s for the silent customer
    counters = engine.collector.counters(["inhouse"])
    assert counters.total("silent_abandoned") == 1 and counters.total("abandoned") == 1
    assert counters.total("wait_seconds_abandoned") == 5
    assert counters.total("busy_seconds") == pytest.approx(140)


# --- backlog items -------------------------------------------------------------------------

def test_backlog_is_worked_only_when_no_call_waits_and_calls_preempt_it_when_asked():
    blended = {"name": "blend", "skills": {"calls": 1, "email": 2}}
    scenario = center([CALLS, EMAIL], [blended])
    engine = run_rows(scenario, [(0, 1, 100, INF), (10, 0, 10, INF)])
    email, call = engine.contacts
    assert call.answer_time == 100 and email.end_time == 100
    engine = run_rows(scenario, [(0, 0, 50, INF), (10, 1, 100, INF), (20, 0, 10, INF)])
    assert engine.contacts[1].answer_time == 60  # the waiting call goes first, then the email
    preempting = center([CALLS, EMAIL], [blended | {"realtime_preempts_backlog": True}])
    email, call = run_rows(preempting, [(0, 1, 100, INF), (10, 0, 10, INF)]).contacts
    assert call.answer_time == 10 and call.end_time == 20
    assert email.answer_time == 0 and email.end_time == pytest.approx(110)  # resumed with 90 s of work left
    assert email.agent_seconds == pytest.approx(100)


def test_deferred_targets_within_hours_and_by_next_business_day():
    types = [EMAIL | {"deferred_target": {"within_hours": 1}},
             {"name": "sms", "channel": "messaging", "deferred_target": {"by": "next_business_day"}}]
    scenario = center(types, [{"name": "desk", "skills": ["email", "sms"], "headcount": [0] * 9 + [1] * 15}],
                      days=3, hours={"open": "09:00", "close": "17:00", "weekday_hours": {"tuesday": {"closed": True}}})
    engine = run_rows(scenario, [(3600, 0, 60, INF), (3600, 1, 60, INF), (12 * 3600, 0, 60, INF)])
    late, sms, on_time = engine.contacts
    assert late.due_time == 2 * 3600 and late.answer_time == 9 * 3600  # nobody before 09:00
    assert sms.due_time == 2 * 86400 + 17 * 3600  # Tuesday is closed: Wednesday's close
    assert on_time.answer_time == 12 * 3600
    counters = engine.collector.counters(["inhouse"])
    assert counters.total("deferred_due") == 3 and counters.total("deferred_within") == 2


def test_a_backlog_that_cannot_be_cleared_grows_without_bound():
    data = {"name": "flood", "horizon": {"days": 4, "interval_minutes": 60},
            "demand": {"volume": [20] * 24},
            "contact_types": [EMAIL | {"handle_time": {"dist": "exponential", "mean": 6, "unit": "min"},
                                       "deferred_target": {"within_hours": 24}}],
            "agent_groups": [{"name": "desk", "skills": ["email"], "headcount": [1] * 24,
                              "first_contact_resolution": 1.0}]}
    scenario = parse_scenario(data)
    result = simulate(scenario, seed=3, records=False)
    per_day = result.counters.day_end_backlog[0]
    # 20 items an hour, 10 an hour worked: about 240 more every day, none dropped.
    assert np.all(np.diff(per_day) > 150) and per_day[-1] > 800
    kpis = compute_kpis(result, scenario)
    assert kpis["backlog_at_end"] == per_day[-1]
    # Served oldest first at half the arrival rate: the oldest waiting arrived about half-way through the run.
    oldest = result.counters.day_end_oldest_seconds[0] / 3600
    assert np.all(np.diff(oldest) > 8) and oldest[-1] > 40
    assert kpis["oldest_backlog_hours"] == pytest.approx(oldest[-1])
    assert kpis["in_system"] >= per_day[-1] - 50  # the backlog is still there when the run stops
    assert kpis["deferred_within_target"] < 0.5


# --- callbacks and channel switching -------------------------------------------------------

def test_a_callback_keeps_the_callers_place_and_is_dialled_when_an_agent_is_free():
    callback = {"offer_when_wait_above_seconds": 5, "accept_probability": 1.0, "dial_seconds": 20}
    scenario = center([CALLS | {"callback": callback}], [{"name": "solo", "skills": ["calls"]}])
    engine = run_rows(scenario, [(0, 0, 100, INF), (1, 0, 10, 50)])
    first, called_back = engine.contacts
    assert called_back.outcome == "answered" and called_back.answer_time == 100
    assert called_back.end_time == 130  # handle time plus dialling
    assert called_back.callback_promise == 11  # expected wait quoted: 1 x 10 s / 1 agent
    counters = engine.collector.counters(["inhouse"])
    assert [counters.total(name) for name in ("callbacks_offered", "callbacks_accepted", "callbacks_completed",
                                              "callback_promises_kept", "abandonment_saved")] == [1, 1, 1, 1, 1]


def test_a_scheduled_callback_joins_the_head_of_the_line_at_the_promised_time():
    callback = {"offer_when_wait_above_seconds": 5, "accept_probability": 1.0, "mode": "scheduled",
                "promise_minutes": 1, "dial_seconds": 0}
    scenario = center([CALLS | {"callback": callback}], [{"name": "solo", "skills": ["calls"]}])
    engine = run_rows(scenario, [(0, 0, 100, INF), (1, 0, 10, 5), (30, 0, 10, INF), (70, 0, 10, INF),
                                 (75, 0, 10, INF)])
    first, *called_back = engine.contacts
    # Promised at 61, 90, 130 and 135: the first two wait in promise order at the head of the line, the
    # others are dialled at their time by an idle agent.
    assert [c.queue_entry_time for c in called_back] == [61, 90, 130, 135]
    assert [c.answer_time for c in called_back] == [100, 110, 130, 140]
    assert all(c.outcome == "answered" for c in called_back)  # the first caller's 5 s patience no longer applies
    counters = engine.collector.counters(["inhouse"])
    assert counters.total("callbacks_completed") == 4 and counters.total("callback_promises_kept") == 4
    assert counters.total("callback_wait_seconds") == 99 + 80 + 60 + 65


def test_callers_who_abandon_switch_to_chat_instead_of_redialling():
    calls = CALLS | {"switch": {"to": "chat", "after_abandon": 1.0, "delay": seconds(60)}}
    scenario = center([calls, CHAT], [{"name": "solo", "skills": ["calls", "chat"]}],
                      retrial={"probability": 1.0, "delay": seconds(5)})
    engine = run_rows(scenario, [(0, 0, 100, INF), (1, 0, 10, 5)])
    _, abandoned, switched = engine.contacts
    assert abandoned.outcome == "abandoned"
    assert (switched.origin, switched.contact_type, switched.arrival_time) == ("switched", 1, 66)
    assert switched.parent_id == abandoned.contact_id and switched.customer_id == abandoned.customer_id
    assert len(engine.contacts) == 3  # no retrial as well
    assert engine.collector.counters(["inhouse"]).total("switched_out") == 1


# --- KPIs -----------------------------------------------------------------------------------

def test_channel_kpis_add_up_to_the_totals_and_have_units():
    scenario = omnichannel_center(days=1)
    result = simulate(scenario, seed=5, records=False)
    kpis = compute_kpis(result, scenario)
    channels = ("voice", "chat", "email")
    for name in ("contacts_offered", "answered", "abandoned"):
        assert sum(kpis[f"{channel}.{name}"] for channel in channels) == pytest.approx(kpis[name])
    breakdown = cost_breakdown(result, scenario)
    assert sum(channel_costs(result, scenario, breakdown).values()) == pytest.approx(kpis["total_cost"])
    assert kpis["channel_cost"] == pytest.approx(sum(
        kpis[f"{channel}.contacts_offered"] * cost for channel, cost in (("chat", 0.05), ("email", 0.02))))
    assert KPI_UNITS["chat.cost_per_contact"] == "currency" and "email.deferred_within_target" in KPI_UNITS
    assert "sms.service_level" not in KPI_UNITS


def omnichannel_center(days: int = 1, **changes):
    """Calls, chats behind nothing, emails; a blended group and a chat desk."""
    data = {"name": "omni", "horizon": {"days": days, "interval_minutes": 60, "open": "08:00", "close": "18:00"},
            "demand": {"volume": [40] * 10},
            "contact_types": [
                {"name": "calls", "share": 0.5, "handle_time": {"dist": "exponential", "mean": 4, "unit": "min"},
                 "patience": {"dist": "exponential", "mean": 2, "unit": "min"}},
                {"name": "chat", "channel": "chat", "share": 0.3,
                 "handle_time": {"dist": "exponential", "mean": 6, "unit": "min"},
                 "patience": {"dist": "exponential", "mean": 2, "unit": "min"}},
                {"name": "email", "channel": "email", "share": 0.2,
                 "handle_time": {"dist": "exponential", "mean": 5, "unit": "min"},
                 "deferred_target": {"within_hours": 8}}],
            "channels": {"chat": {"stretch_per_extra_session": 0.2, "cost_per_contact": 0.05,
                                  "service_level_threshold_seconds": 60},
                         "email": {"cost_per_contact": 0.02, "satisfaction": 80}},
            "agent_groups": [
                {"name": "phones", "skills": {"calls": 1, "email": 2}, "headcount": [2] * 24, "wage_per_hour": 20,
                 "first_contact_resolution": 1.0},
                {"name": "digital", "skills": {"chat": 1, "email": 2}, "concurrency": {"chat": 3},
                 "headcount": [1] * 24, "wage_per_hour": 20, "first_contact_resolution": 1.0}],
            "costs": {"fixed_per_day": 100.0}}
    data.update(changes)
    return parse_scenario(data)


# --- invariants ------------------------------------------------------------------------------

@st.composite
def omnichannel_cases(draw):
    scenario = omnichannel_center(days=draw(st.integers(1, 3)))
    data = scenario.model_dump(mode="json")
    calls, chat, email = data["contact_types"]
    if draw(st.booleans()):
        calls["callback"] = {"offer_when_wait_above_seconds": draw(st.sampled_from([0, 30, 120])),
                             "accept_probability": draw(st.floats(0, 1)),
                             "mode": draw(st.sampled_from(["keep_place", "scheduled"])), "promise_minutes": 15}
    if draw(st.booleans()):
        calls["switch"] = {"to": draw(st.sampled_from(["chat", "email"])), "after_abandon": draw(st.floats(0, 1))}
    if draw(st.booleans()):
        chat["silent_abandonment"] = {"share": draw(st.floats(0, 1)), "hold": seconds(draw(st.sampled_from([0, 60])))}
    email["patience"] = draw(st.sampled_from([None, {"dist": "exponential", "mean": 3, "unit": "h"}]))
    phones, digital = data["agent_groups"]
    phones["realtime_preempts_backlog"] = draw(st.booleans())
    phones["headcount"] = [draw(st.integers(0, 3))] * 24
    digital["concurrency"] = {"chat": draw(st.integers(1, 4)), "email": draw(st.integers(1, 2))}
    data["channels"]["chat"]["stretch_per_extra_session"] = draw(st.sampled_from([0.0, 0.3]))
    data["retrial"] = {"probability": 0.4, "delay": {"dist": "exponential", "mean": 10, "unit": "min"}}
    data["agent_groups"][1]["first_contact_resolution"] = 0.8
    return parse_scenario(data), draw(st.integers(0, 1000))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(omnichannel_cases())
def test_every_item_ends_exactly_once_across_days_and_channels(case):
    scenario, seed = case
    result = simulate(scenario, seed=seed)
    contacts = result.contacts.set_index("contact_id")
    assert contacts["outcome"].isin(OUTCOMES).all()
    counters = result.counters
    measured = contacts[~contacts["warmup"]]
    assert counters.contacts_ended == len(contacts)
    for (name, _), values in counters.by_type_segment().items():
        own = measured[measured["contact_type"] == name]
        assert values["offered"] == len(own)
        for outcome, column in (("answered", "answered"), ("abandoned", "abandoned"), ("in_system", "in_system")):
            assert values[column] == (own["outcome"] == outcome).sum()
    # Answered contacts were answered after they arrived and ended after that (or were still being
    # served when the run stopped).
    answered = contacts[contacts["outcome"] == "answered"]
    assert (answered["answer_time"] >= answered["arrival_time"]).all()
    ended = answered["end_time"]
    assert ((ended >= answered["answer_time"] - 1e-9) | ended.isna()).all()
    # Switches start in another channel and follow an abandonment.
    switched = contacts[contacts["origin"] == "switched"]
    parents = contacts.loc[switched["parent_id"]]
    assert (parents["outcome"] == "abandoned").all() and (parents["channel"] != switched["channel"].values).all()
    # Emails still waiting at the end of the last day are in the system at the end of the run, or were answered
    # in the drain.
    emails = measured[measured["contact_type"] == "email"]
    assert counters.day_end_backlog[2, -1] >= (emails["outcome"] == "in_system").sum() - len(
        emails[emails["arrival_time"] >= scenario.horizon.days * 86400])
    kpis = compute_kpis(result, scenario)
    assert kpis["total_cost"] == pytest.approx(sum(cost_breakdown(result, scenario).values()))
    assert 0 <= kpis["occupancy"] <= 1 + 1e-9
