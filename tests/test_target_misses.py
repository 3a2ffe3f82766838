"""Target misses per interval and per day, the console block, and the cleaned interval files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis.metrics.target_misses import day_table, target_summary
from analysis.outputs.results import run_text, write_results
from analysis.runs.experiment import run_experiment
from sim.config import parse_scenario

# An M/M/c day: 100 calls an hour, 3-minute calls (5 Erlangs), nobody hangs up. Ten agents answer
# about 99% within 20 s; from 11:00 to 13:00 only six are on, and Erlang C gives 47%.
DIP = {
    "name": "dip", "currency": "EUR",
    "horizon": {"days": 1, "interval_minutes": 60, "open": "08:00", "close": "16:00"},
    "service_level": {"threshold_seconds": 20, "target": 0.8},
    "demand": {"volume": [100] * 8},
    "contact_types": [{"name": "calls", "handle_time": {"dist": "exponential", "mean": 3, "unit": "min"}}],
    "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount": [10, 10, 10, 6, 6, 10, 10, 10],
                      "wage_per_hour": 20, "first_contact_resolution": 1.0}],   # M/M/c: no repeat contacts
}


@pytest.fixture(scope="module")
def dip_run():
    return run_experiment(parse_scenario(DIP), replications=8, seed=5, workers=1, show_progress=False)


def test_intervals_below_target_are_exactly_the_understaffed_hours(dip_run, tmp_path):
    write_results(dip_run, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text())
    below = summary["intervals_below_target"]
    assert [(row["day"], row["weekday"], row["interval_start"]) for row in below] == \
        [(1, "monday", "11:00"), (1, "monday", "12:00")]
    for row in below:
        assert row["target"] == 0.8 and 0.2 < row["service_level"] < 0.7
        low, high = row["ci95"]
        assert 0 <= low <= row["service_level"] <= high <= 1 and row["clearly_missed"] == (high < 0.8)
    service = summary["target_misses"]["service_level"]
    assert (service["open_intervals"], service["intervals_missed"], service["days_judged"]) == (8, 2, 1)
    assert service["worst"] in below
    text = run_text(dip_run)
    assert "below target (service level >= 80% within 20 s): 2 of 8 open intervals, 0 of 1 days" in text
    assert "day 1 (Mon): 11:00-13:00" in text


def test_abandonment_and_asa_targets_are_checked_where_the_scenario_sets_them():
    data = {**DIP, "service_level": {"target": 0.8, "max_asa_seconds": 15, "max_abandon_rate": 0.05},
            "contact_types": [{**DIP["contact_types"][0],
                               "patience": {"dist": "exponential", "mean": 2, "unit": "min"}}]}
    scenario = parse_scenario(data)
    result = run_experiment(scenario, replications=3, seed=5, workers=1, show_progress=False)
    misses = target_summary(scenario, [output.interval_sums for output in result.outputs])
    assert list(misses) == ["service_level", "abandon_rate", "asa_seconds"]
    for kpi in ("abandon_rate", "asa_seconds"):
        assert misses[kpi]["direction"] == "at most"
        assert {row["interval_start"] for row in misses[kpi]["intervals"]} <= {"11:00", "12:00"}
        assert all(row[kpi] > misses[kpi]["target"] for row in misses[kpi]["intervals"])
    assert "above target (abandon rate <= 5.0%)" in run_text(result)


def test_interval_file_keeps_open_hours_and_active_closed_ones_without_residues(dip_run, tmp_path):
    write_results(dip_run, tmp_path)
    intervals = pd.read_csv(tmp_path / "intervals.csv")
    assert list(intervals.loc[intervals["open"], "interval_start"]) == [f"{hour:02d}:00" for hour in range(8, 16)]
    assert (intervals.loc[~intervals["open"], "offered"] == 0).all()
    assert list(intervals["targets_missed"].fillna("")) == [
        "service_level" if start in ("11:00", "12:00") else "" for start in intervals["interval_start"]]
    text = (tmp_path / "intervals.csv").read_text()
    assert "e-1" not in text and ",-0.0" not in text and ",-0," not in text
    numbers = intervals.select_dtypes("number").to_numpy().ravel()
    numbers = numbers[~np.isnan(numbers)]
    assert ((numbers == 0) | (np.abs(numbers) >= 1e-9)).all()


def test_per_day_table_leaves_out_idle_closed_days_and_pools_like_intervals(tmp_path):
    rows = [{"interval": f"{8 + index:02d}:00", "headcount": count}
            for index, count in enumerate(DIP["agent_groups"][0]["headcount"])]
    rows += [{"interval": row["interval"], "headcount": 0, "weekday": "sunday"} for row in rows]
    data = {**DIP, "horizon": {**DIP["horizon"], "days": 3, "start_weekday": "saturday",
                               "weekday_hours": {"sunday": {"closed": True}}},
            "agent_groups": [{"name": "agents", "skills": ["calls"], "headcount_rows": rows}]}
    scenario = parse_scenario(data)
    result = run_experiment(scenario, replications=2, seed=1, workers=1, show_progress=False)
    days = day_table(scenario, [output.interval_sums for output in result.outputs])
    assert list(days["weekday"]) == ["saturday", "sunday", "monday"] and list(days["open"]) == [True, False, True]
    write_results(result, tmp_path)
    written = pd.read_csv(tmp_path / "days.csv")
    assert list(written["weekday"]) == ["saturday", "monday"]
    intervals = result.intervals()
    saturday = intervals[intervals["day"] == 1]
    assert written["offered"].iloc[0] == pytest.approx(saturday["offered"].sum())
    pooled = (saturday["service_level"] * saturday["offered_to_queue"]).sum() / saturday["offered_to_queue"].sum()
    assert written["service_level"].iloc[0] == pytest.approx(pooled)
    assert written["paid_hours"].iloc[0] == pytest.approx(saturday["paid_hours"].sum())


def test_interval_charts_draw_open_hours_only_with_day_and_hour_ticks():
    from analysis.outputs.plots import interval_service_level_figure, timeline

    rows = [{"day": day, "weekday": weekday, "interval_start": f"{hour:02d}:{minute:02d}",
             "open": 8 <= hour < 12, "offered": 10.0 if 8 <= hour < 12 else 0.0, "service_level": 0.9,
             "abandon_rate": 0.01}
            for day, weekday in ((1, "monday"), (2, "tuesday")) for hour in range(24) for minute in (0, 30)]
    intervals = pd.DataFrame(rows)
    line = timeline(intervals)
    assert len(line.rows) == 16 and set(line.rows["open"]) == {True}
    assert list(line.x[:8]) == list(range(8)) and line.x[8] == 9  # a one-slot gap overnight
    assert line.labels[0] == "Mon d1\n08:00" and "Tue d2\n08:00" in line.labels
    assert "10:00" in line.labels and not any(label.startswith("00:") for label in line.labels)
    assert [list(part) for part in line.segments()] == [list(range(8)), list(range(8, 16))]
    legacy = timeline(intervals.drop(columns=["open"]))  # files written before `open`: rows with contacts
    assert len(legacy.rows) == 16
    figure = interval_service_level_figure(intervals, 0.8)
    assert len(figure.axes[0].lines) == 2 * 2 + 1 + 1  # two KPIs x two days, the target, the day separator
