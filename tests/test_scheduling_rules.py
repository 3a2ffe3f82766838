"""Scheduling rules on a realistic day: each gives a valid schedule, and costs compare as the rules imply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from analysis.planning.scheduling import (
    RULES,
    PlanningGrid,
    RuleError,
    SolverOptions,
    apply_rules,
    compare_rules,
    describe_rules,
    load_templates,
    parse_templates,
    roster_coverage,
)

STANDARD = Path(__file__).resolve().parent.parent / "scenarios" / "shifts" / "standard.toml"
SOLVER = SolverOptions(mip_rel_gap=1e-6, time_limit_seconds=30)

RULE_SETS = {
    "as_written": [],
    "on_the_hour": ["on_the_hour"],
    "staggered_15": ["staggered_15"],
    "fixed_breaks": ["fixed_breaks"],
    "staggered_breaks": ["staggered_breaks"],
    "part_time_peak": ["part_time_peak"],
    "split_shifts": ["split_shifts"],
}


def realistic_day() -> tuple[np.ndarray, PlanningGrid]:
    """48 half-hour intervals; open 07:00-22:00 with a morning peak near 10:30 and an afternoon one near 15:00."""
    grid = PlanningGrid.full_day(30)
    hours = (grid.interval_starts() + 15) / 60
    agents = 8 + 22 * np.exp(-((hours - 10.5) / 1.8) ** 2) + 16 * np.exp(-((hours - 15.0) / 2.0) ** 2)
    return np.where((hours >= 7) & (hours < 22), np.ceil(agents), 0.0), grid


@pytest.fixture(scope="module")
def planned():
    requirement, grid = realistic_day()
    table, schedules = compare_rules(load_templates(STANDARD), requirement, grid, RULE_SETS, SOLVER)
    return requirement, grid, table.set_index("rule_set"), schedules


@pytest.mark.parametrize("rule_set", RULE_SETS)
def test_every_rule_gives_a_valid_schedule(planned, rule_set):
    requirement, grid, table, schedules = planned
    schedule = schedules[rule_set]
    assert schedule.status == "optimal"
    assert schedule.rules == tuple(RULE_SETS[rule_set])
    assert np.all(schedule.coverage >= requirement)
    np.testing.assert_array_equal(roster_coverage(schedule.shifts, grid)["on_phones"], schedule.coverage)
    assert schedule.part_time_agents() <= 0.4 * schedule.agents          # options.max_part_time_share
    assert table.loc[rule_set, "total_cost"] == schedule.total_cost
    setup = apply_rules(load_templates(STANDARD), RULE_SETS[rule_set])
    windows = {template.name: template for template in setup.templates}
    for group in schedule.shifts:
        template = windows[group.shift.name]
        assert group.shift.start_minutes in template.start_minutes()
        offsets = sorted(placed.start_minutes - group.shift.start_minutes for placed in group.shift.breaks)
        assert len(offsets) == len(template.breaks)
        for offset, window in zip(offsets, sorted(template.breaks, key=lambda w: w.earliest_offset_minutes)):
            assert offset in window.offsets()


def cost(planned, rule_set: str) -> float:
    return planned[3][rule_set].total_cost


def test_more_freedom_never_costs_more(planned):
    # Each pair: the first rule set's choices include all of the second's.
    assert cost(planned, "staggered_15") <= cost(planned, "on_the_hour") * (1 + 1e-6)
    assert cost(planned, "staggered_breaks") <= cost(planned, "fixed_breaks") * (1 + 1e-6)
    assert cost(planned, "part_time_peak") <= cost(planned, "as_written") * (1 + 1e-6)
    assert cost(planned, "split_shifts") <= cost(planned, "as_written") * (1 + 1e-6)
    assert cost(planned, "staggered_breaks") == pytest.approx(cost(planned, "as_written"))


def test_rules_that_restrict_actually_bind_on_this_day(planned):
    assert cost(planned, "on_the_hour") > cost(planned, "staggered_15")
    assert cost(planned, "fixed_breaks") > cost(planned, "staggered_breaks")


def test_start_rules_change_start_times():
    template_file = load_templates(STANDARD)
    hourly = apply_rules(template_file, ["on_the_hour"])
    assert all(start % 60 == 0 for template in hourly.templates for start in template.start_minutes())
    day = {template.name: template for template in hourly.templates}["day"]
    assert day.start_minutes() == list(range(6 * 60, 13 * 60 + 1, 60))
    quarter = {t.name: t for t in apply_rules(template_file, ["staggered_15"]).templates}["day"]
    assert quarter.start_minutes() == list(range(6 * 60, 13 * 60 + 31, 15))


def test_fixed_breaks_use_the_middle_of_each_window():
    fixed = apply_rules(load_templates(STANDARD), ["fixed_breaks"])
    day = {template.name: template for template in fixed.templates}["day"]
    assert [(w.earliest_offset_minutes, w.latest_offset_minutes) for w in day.breaks] == [
        (120, 120), (255, 255), (390, 390)]


def test_split_shifts_are_two_pieces_with_an_unpaid_gap():
    setup = apply_rules(load_templates(STANDARD), ["split_shifts"])
    split = [template for template in setup.templates if template.name.startswith("split_")]
    assert [template.name for template in split] == ["split_gap120", "split_gap180", "split_gap240"]
    for template in split:
        gap = int(template.name.removeprefix("split_gap"))
        assert template.length_minutes == 8 * 60 + gap
        assert template.paid_minutes == 8 * 60
        unpaid = [w for w in template.breaks if not w.paid]
        assert [(w.minutes, w.earliest_offset_minutes, w.latest_offset_minutes) for w in unpaid] == [(gap, 240, 240)]
        second_piece_break = max(template.breaks, key=lambda w: w.earliest_offset_minutes)
        assert second_piece_break.earliest_offset_minutes == 240 + gap + 90
    [limit] = [limit for limit in setup.count_limits if limit.name == "split"]
    assert limit.maximum == 15 and set(limit.templates) == {t.name for t in split}
    costs = setup.template_costs()
    assert costs["split_gap120"] == pytest.approx(24.0 * 1.05 * 8)


def test_part_time_peak_template_and_cost():
    setup = apply_rules(load_templates(STANDARD), ["part_time_peak"])
    peak = setup.templates[-1]
    assert (peak.name, peak.kind, peak.length_minutes) == ("peak", "part_time", 240)
    assert setup.template_costs()["peak"] == pytest.approx(24.0 * 1.1 * 4)


def test_rules_apply_in_a_fixed_order():
    template_file = load_templates(STANDARD)
    one = apply_rules(template_file, ["on_the_hour", "part_time_peak"])
    other = apply_rules(template_file, ["part_time_peak", "on_the_hour"])
    assert one.templates == other.templates
    assert one.rules == ("part_time_peak", "on_the_hour")
    peak = one.templates[-1]
    assert all(start % 60 == 0 for start in peak.start_minutes())   # added templates are shaped too


def test_registry_documents_every_rule():
    expected = {"on_the_hour", "staggered_15", "split_shifts", "part_time_peak", "fixed_breaks", "staggered_breaks"}
    assert expected <= set(RULES)
    descriptions = describe_rules()
    assert all(descriptions[name] for name in expected)


@pytest.mark.parametrize("names, message", [
    (["on_the_hour", "staggered_15"], "cannot be combined"),
    (["fixed_breaks", "staggered_breaks"], "cannot be combined"),
    (["overtime"], "unknown scheduling rule"),
])
def test_bad_rule_choices(names, message):
    with pytest.raises(RuleError, match=message):
        apply_rules(load_templates(STANDARD), names)


def test_rule_settings_errors_are_clear():
    base = {"options": {"hourly_cost": 20.0},
            "templates": [{"name": "t", "starts": ["08:30"], "length_hours": 8}]}
    with pytest.raises(RuleError, match=r"part_time_peak needs a \[rules.part_time_peak\] section"):
        apply_rules(parse_templates(base), ["part_time_peak"])
    with pytest.raises(RuleError, match="on_the_hour: template 't' starts between 08:30 and 08:30"):
        apply_rules(parse_templates(base), ["on_the_hour"])
    late_break = {**base, "rules": {"part_time_peak": {"starts": ["10:00"], "breaks": [
        {"minutes": 15, "earliest_offset_minutes": 300, "latest_offset_minutes": 300}]}}}
    with pytest.raises(RuleError, match=r"rules.part_time_peak gives an invalid template: "
                                        r"breaks\[0\].latest_offset_minutes: 300 \+ 15"):
        apply_rules(parse_templates(late_break), ["part_time_peak"])
    clash = {**base, "rules": {"part_time_peak": {"name": "t", "starts": ["10:00"]}}}
    with pytest.raises(RuleError, match="'t' already used"):
        apply_rules(parse_templates(clash), ["part_time_peak"])


def test_split_shifts_default_to_full_time_starts():
    data = {"options": {"hourly_cost": 20.0},
            "templates": [{"name": "t", "starts": ["07:00", "09:00"], "length_hours": 8}]}
    setup = apply_rules(parse_templates(data), ["split_shifts"])
    assert all(template.start_minutes() == [420, 540] for template in setup.templates)
