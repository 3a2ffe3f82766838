"""Shift-scheduling MILP: coverage, optimality against brute force, penalties, limits, infeasibility."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.planning.scheduling import (
    InfeasibleScheduleError,
    PlanningGrid,
    PlanSetup,
    SolverOptions,
    parse_templates,
    roster_coverage,
    schedule_shifts,
)
from sim.config import format_minutes_of_day

EXACT = SolverOptions(mip_rel_gap=0.0, time_limit_seconds=20)


def setup_of(templates: list[dict], **options) -> PlanSetup:
    return PlanSetup.from_file(parse_templates({"templates": templates, "options": options}))


def template(name: str, starts: list[str], hours: float, cost: float, **extra) -> dict:
    return {"name": name, "starts": starts, "length_hours": hours, "cost_per_shift": cost, **extra}


# --- brute force --------------------------------------------------------------------------------

def agent_covers(grid: PlanningGrid, start: int, length: int, breaks: list[tuple[int, int]]) -> np.ndarray:
    """Independent statement of the coverage rule: on the phones for every minute of the interval."""
    minutes = np.zeros(2 * 1440, dtype=bool)
    minutes[start:start + length] = True
    for break_start, break_minutes in breaks:
        minutes[break_start:break_start + break_minutes] = False
    day = minutes[:1440] | minutes[1440:] if grid.wrap else minutes[:1440]
    window = day[grid.first_interval_minutes:grid.first_interval_minutes + grid.intervals * grid.interval_minutes]
    return window.reshape(grid.intervals, grid.interval_minutes).all(axis=1)


def brute_force_cost(templates: list[dict], requirement: np.ndarray, grid: PlanningGrid,
                     penalty: float | None) -> float | None:
    """Cheapest cost over every count vector (None when nothing is feasible)."""
    columns, owners = [], []
    for spec in templates:
        window = (spec.get("breaks") or [None])[0]
        offsets = range(window["earliest_offset_minutes"], window["latest_offset_minutes"] + 1,
                        window["step_minutes"]) if window else [None]
        for start_text in spec["starts"]:
            start = int(start_text[:2]) * 60 + int(start_text[3:])
            for offset in offsets:
                breaks = [] if offset is None else [(start + offset, window["minutes"])]
                columns.append(agent_covers(grid, start, round(spec["length_hours"] * 60), breaks))
                owners.append(spec)
    most = int(max(requirement.max(), max(spec.get("min_count") or 0 for spec in templates)))
    counts = np.array(list(itertools.product(range(most + 1), repeat=len(columns))))
    coverage = counts @ np.array(columns, dtype=int)
    costs = counts @ np.array([spec["cost_per_shift"] for spec in owners])
    short = np.maximum(requirement - coverage, 0).sum(axis=1)
    feasible = np.ones(len(counts), dtype=bool)
    for spec in templates:
        on_template = counts[:, [owner is spec for owner in owners]].sum(axis=1)
        feasible &= on_template >= (spec.get("min_count") or 0)
        if spec.get("max_count") is not None:
            feasible &= on_template <= spec["max_count"]
    if penalty is None:
        feasible &= short == 0
        totals = costs
    else:
        totals = costs + penalty * short
    return float(totals[feasible].min()) if feasible.any() else None


@st.composite
def small_instances(draw):
    grid = PlanningGrid(60, draw(st.integers(3, 6)), first_interval_minutes=8 * 60)
    templates = []
    for index in range(draw(st.integers(1, 2))):
        hours = draw(st.sampled_from([2, 3, 4]))
        start_hours = draw(st.lists(st.integers(7, 12), min_size=1, max_size=2, unique=True))
        spec = template(f"t{index}", [format_minutes_of_day(hour * 60) for hour in sorted(start_hours)], hours,
                        draw(st.integers(5, 30)))
        if hours >= 3 and draw(st.booleans()):
            earliest = draw(st.sampled_from([30, 60]))
            latest = min(earliest + draw(st.sampled_from([0, 60])), hours * 60 - 60)
            spec["breaks"] = [{"minutes": draw(st.sampled_from([30, 60])), "paid": draw(st.booleans()),
                               "earliest_offset_minutes": earliest, "latest_offset_minutes": latest,
                               "step_minutes": 60}]
        spec["min_count"] = draw(st.sampled_from([None, None, 1]))
        spec["max_count"] = draw(st.sampled_from([None, None, 1, 2]))
        if spec["min_count"] and spec["max_count"] is not None:
            spec["max_count"] = max(spec["max_count"], spec["min_count"])
        templates.append(spec)
    requirement = np.array(draw(st.lists(st.integers(0, 2), min_size=grid.intervals, max_size=grid.intervals)),
                           dtype=float)
    penalty = draw(st.sampled_from([None, None, 3.0, 12.0, 40.0]))
    return templates, requirement, grid, penalty


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_optimal_cost_matches_brute_force(instance):
    templates, requirement, grid, penalty = instance
    options = {"allow_under_coverage": True, "shortage_penalty": penalty} if penalty else {}
    best = brute_force_cost(templates, requirement, grid, penalty)
    setup = setup_of(templates, **options)
    if best is None:
        with pytest.raises(InfeasibleScheduleError):
            schedule_shifts(setup, requirement, grid, EXACT)
        return
    schedule = schedule_shifts(setup, requirement, grid, EXACT)
    assert schedule.status == "optimal"
    assert schedule.total_cost == pytest.approx(best, abs=1e-6)
    if penalty is None:
        assert np.all(schedule.coverage >= requirement)


# --- realistic coverage --------------------------------------------------------------------------

BREAKS = [{"minutes": 15, "paid": True, "earliest_offset_minutes": 90, "latest_offset_minutes": 150},
          {"minutes": 30, "paid": False, "earliest_offset_minutes": 210, "latest_offset_minutes": 300},
          {"minutes": 15, "paid": True, "earliest_offset_minutes": 360, "latest_offset_minutes": 420}]


def two_peak_day() -> tuple[np.ndarray, PlanningGrid]:
    grid = PlanningGrid.full_day(30)
    hours = (grid.interval_starts() + 15) / 60
    agents = 6 + 18 * np.exp(-((hours - 10.5) / 1.8) ** 2) + 12 * np.exp(-((hours - 15) / 2) ** 2)
    return np.where((hours >= 7) & (hours < 21), np.ceil(agents), 0.0), grid


def day_setup(**options) -> PlanSetup:
    day = {"name": "day", "start_window": {"earliest": "06:00", "latest": "12:30"}, "length_hours": 8.5,
           "breaks": BREAKS}
    evening = {"name": "evening", "kind": "part_time", "start_window": {"earliest": "15:00", "latest": "17:00"},
               "length_hours": 4, "breaks": BREAKS[:1]}
    return setup_of([day, evening], hourly_cost=24.0, **options)


def test_schedule_covers_every_interval_and_reports_consistently():
    requirement, grid = two_peak_day()
    schedule = schedule_shifts(day_setup(), requirement, grid)
    assert schedule.status == "optimal"
    assert np.all(schedule.coverage >= requirement)
    assert schedule.shortage.sum() == 0
    np.testing.assert_array_equal(schedule.over_coverage, schedule.coverage - requirement)
    np.testing.assert_array_equal(roster_coverage(schedule.shifts, grid)["on_phones"], schedule.coverage)
    costs = schedule.cost_per_shift
    assert schedule.total_cost == pytest.approx(sum(g.count * costs[g.shift.name] for g in schedule.shifts))
    assert costs == {"day": 24.0 * 8, "evening": 24.0 * 4}   # the 30-minute lunch is unpaid
    table = schedule.interval_table()
    assert list(table.columns) == ["interval_start", "requirement", "on_phones", "shortage", "over_coverage"]
    assert schedule.shift_table()["count"].sum() == schedule.agents
    assert schedule.solve_seconds > 0 and schedule.mip_gap <= 1e-4


def test_breaks_stay_inside_their_windows_without_overlap():
    requirement, grid = two_peak_day()
    setup = day_setup()
    schedule = schedule_shifts(setup, requirement, grid)
    windows = {template.name: template.breaks for template in setup.templates}
    for group in schedule.shifts:
        shift = group.shift
        for placed, window in zip(shift.breaks, windows[shift.name]):
            assert placed.start_minutes - shift.start_minutes in window.offsets()
            assert (placed.minutes, placed.paid) == (window.minutes, window.paid)
        ends = [(placed.start_minutes, placed.end_minutes)
                for placed in sorted(shift.breaks, key=lambda b: b.start_minutes)]
        assert all(first[1] <= second[0] for first, second in zip(ends, ends[1:]))


def test_tiny_shortage_penalty_leaves_gaps_and_huge_one_covers():
    requirement, grid = two_peak_day()
    cheap = schedule_shifts(day_setup(allow_under_coverage=True, shortage_penalty=0.5), requirement, grid)
    assert cheap.shortage.sum() > 0
    assert cheap.agents == 0          # a shift costs far more than the penalty for all the gaps it fills
    assert cheap.total_cost == pytest.approx(0.5 * requirement.sum())
    dear = schedule_shifts(day_setup(allow_under_coverage=True, shortage_penalty=1e6), requirement, grid)
    assert dear.shortage.sum() == 0
    strict = schedule_shifts(day_setup(), requirement, grid)
    assert dear.total_cost == pytest.approx(strict.total_cost, rel=1e-4)


def test_moderate_penalty_trades_shortage_for_cost():
    requirement, grid = two_peak_day()
    setup = day_setup(allow_under_coverage=True, shortage_penalty=40.0)
    schedule = schedule_shifts(setup, requirement, grid, EXACT)
    strict = schedule_shifts(day_setup(), requirement, grid, EXACT)
    assert 0 < schedule.shortage.sum()
    assert schedule.total_cost < strict.total_cost
    assert schedule.shortage_cost == pytest.approx(40.0 * schedule.shortage.sum())


def test_intervals_no_template_reaches_are_named():
    requirement, grid = two_peak_day()
    requirement[[4, 5]] = 3     # 02:00 and 02:30: no template starts early enough
    with pytest.raises(InfeasibleScheduleError) as caught:
        schedule_shifts(day_setup(), requirement, grid)
    assert caught.value.intervals == ("02:00", "02:30")
    assert "02:00, 02:30" in str(caught.value)


def test_max_count_infeasibility_names_intervals():
    grid = PlanningGrid(60, 4, first_interval_minutes=8 * 60)
    setup = setup_of([template("only", ["08:00"], 4, 10.0, max_count=2)])
    with pytest.raises(InfeasibleScheduleError) as caught:
        schedule_shifts(setup, [2, 3, 2, 3], grid)
    assert caught.value.intervals == ("09:00", "11:00")


def test_min_count_and_part_time_share_are_respected():
    grid = PlanningGrid(60, 8, first_interval_minutes=8 * 60)
    templates = [template("full", ["08:00"], 8, 80.0, min_count=3),
                 template("part", ["08:00", "12:00"], 4, 20.0, kind="part_time")]
    schedule = schedule_shifts(setup_of(templates, max_part_time_share=0.25), [4] * 8, grid, EXACT)
    counts = {name: sum(g.count for g in schedule.shifts if g.shift.name == name) for name in ("full", "part")}
    assert counts["full"] >= 3
    assert counts["part"] <= 0.25 * (counts["full"] + counts["part"])
    assert np.all(schedule.coverage >= 4)
    unlimited = schedule_shifts(setup_of(templates), [4] * 8, grid, EXACT)
    assert unlimited.total_cost < schedule.total_cost   # the share limit binds: part-timers are cheaper


def test_part_time_share_by_paid_hours():
    grid = PlanningGrid(60, 8, first_interval_minutes=8 * 60)
    templates = [template("full", ["08:00"], 8, 80.0), template("part", ["08:00", "12:00"], 4, 20.0, kind="part_time")]
    setup = setup_of(templates, max_part_time_share=0.5, part_time_share_of="paid_hours")
    schedule = schedule_shifts(setup, [4] * 8, grid, EXACT)
    hours = {name: sum(g.count * g.shift.paid_minutes for g in schedule.shifts if g.shift.name == name) / 60
             for name in ("full", "part")}
    assert hours["part"] <= 0.5 * (hours["full"] + hours["part"]) + 1e-9
    assert hours["part"] > 0


def test_shift_past_midnight_covers_early_intervals_only_when_wrapping():
    night = template("night", ["22:00"], 8, 100.0)
    requirement = np.zeros(24)
    requirement[[23, 0, 5]] = 2                       # 23:00, 00:00 and 05:00
    wrapped = schedule_shifts(setup_of([night]), requirement, PlanningGrid.full_day(60, wrap=True))
    assert wrapped.agents == 2
    assert wrapped.coverage[[22, 23, 0, 5]].tolist() == [2, 2, 2, 2]
    assert wrapped.coverage[6] == 0
    with pytest.raises(InfeasibleScheduleError) as caught:
        schedule_shifts(setup_of([night]), requirement, PlanningGrid.full_day(60))
    assert caught.value.intervals == ("00:00", "05:00")


def test_break_after_midnight_is_placed_on_the_wrapped_day():
    night = template("night", ["22:00"], 8, 100.0, breaks=[{"minutes": 60, "earliest_offset_minutes": 240,
                                                           "latest_offset_minutes": 240}])
    requirement = np.zeros(24)
    requirement[[1, 3]] = 1
    schedule = schedule_shifts(setup_of([night]), requirement, PlanningGrid.full_day(60, wrap=True))
    [group] = schedule.shifts
    assert [placed.start_minutes for placed in group.shift.breaks] == [26 * 60]
    assert schedule.coverage[[22, 23, 0, 1, 2, 3, 4, 5]].tolist() == [1, 1, 1, 1, 0, 1, 1, 1]


def test_partial_intervals_do_not_count():
    # On a 60-minute grid, a shift from 08:30 to 12:30 with a break at 10:15 covers 09:00 and 11:00 only.
    grid = PlanningGrid(60, 5, first_interval_minutes=8 * 60)
    spec = template("t", ["08:30"], 4, 10.0, breaks=[{"minutes": 15, "earliest_offset_minutes": 105,
                                                      "latest_offset_minutes": 105}])
    schedule = schedule_shifts(setup_of([spec]), [0, 1, 0, 1, 0], grid)
    assert schedule.coverage.tolist() == [0, 1, 0, 1, 0]


def test_requirement_must_fit_the_grid():
    grid = PlanningGrid(60, 4, first_interval_minutes=8 * 60)
    setup = setup_of([template("t", ["08:00"], 4, 10.0)])
    with pytest.raises(ValueError, match="4 intervals"):
        schedule_shifts(setup, [1, 1, 1], grid)
    with pytest.raises(ValueError, match="not negative"):
        schedule_shifts(setup, [1, -1, 1, 1], grid)


@pytest.mark.parametrize("arguments, message", [
    ((20, 72), "interval_minutes"),
    ((30, 48, 15), "first_interval_minutes"),
    ((60, 20, 300), "do not fit"),
    ((60, 12, 0, True), "wrap"),
])
def test_bad_grids_are_rejected(arguments, message):
    with pytest.raises(ValueError, match=message):
        PlanningGrid(*arguments)
