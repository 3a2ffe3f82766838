"""``ccsim staff`` end to end: requirement per interval -> scenario using it -> simulated check -> files.

Files written to the output directory (each atomically, ``summary.json`` last):

* ``requirements.csv``: per day and interval, the workload, the Erlang C and
  Erlang A requirements, the plan (agents on the phones and the headcount
  written into the scenario), the plan's predicted KPIs and its simulated
  KPIs with one-sided confidence bounds;
* ``scenario.toml`` (plus ``scenario_<group>_headcount.csv`` when days
  differ): the input scenario with the staffed group(s) on that headcount;
* ``staffing.png`` (``staffing_day<N>.png`` per day when days differ):
  requirements and plan per interval with the simulated service level;
* ``summary.json``: totals and costs per method, the search's record
  (simulations, wall time, rounds), the simulated KPIs with 95% CIs, notes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.metrics.stats import kpi_estimate
from analysis.outputs.files import write_csv, write_json
from analysis.outputs.plots import save_png
from analysis.outputs.results import package_version, time_spans
from sim.config import Scenario, format_time_of_day

from .analytic import AnalyticMethod, analytic_agents, predicted_metrics, requirement_table
from .evaluation import Evaluation, SimulationRunner
from .plans import headcount_for_agents
from .plots import staffing_figure
from .scenario_files import write_headcount_scenario
from .search import SearchResult, SearchRound, SearchSettings, simulation_staffing
from .targets import StaffingTarget, describe
from .units import StaffedUnit, StaffingError, select_unit
from .workload import Workload

SUMMARY_KPIS = ("service_level", "abandon_rate", "asa_seconds", "occupancy", "agents_paid_hours",
                "labor_cost", "total_cost")


@dataclass
class StaffingOutcome:
    """A staffing plan, the scenario written with it, and how it did in simulation."""

    scenario: Scenario
    unit: StaffedUnit
    targets: tuple[StaffingTarget, ...]
    method: str
    requirements: pd.DataFrame
    agents: np.ndarray
    headcount: np.ndarray
    achieved: Evaluation
    search: SearchResult | None
    summary: dict
    written: list[Path]


def run_staffing(scenario: Scenario, targets: Sequence[StaffingTarget], out: str | Path, method: str = "erlang-a",
                 group: str | None = None, settings: SearchSettings = SearchSettings(),
                 on_round: Callable[[SearchRound], None] | None = None,
                 command: list[str] | None = None, rounding: str = "up") -> StaffingOutcome:
    """Plan staffing by ``method`` (erlang-c, erlang-a or simulation), write it, simulate it, write the results.

    ``rounding``: how agents on the phones become headcount (``up`` or ``nearest``, see :mod:`.units`).
    """
    targets = tuple(targets)
    out = Path(out)
    unit = select_unit(scenario, group, rounding)
    workload = unit.workload(scenario)
    if not (workload.offered_load() > 0).any():
        raise StaffingError(f"no contacts reach {unit.label!r} in this scenario; nothing to staff")
    erlang_c, _ = analytic_agents(workload, targets, "erlang-c")
    erlang_a, _ = analytic_agents(workload, targets, "erlang-a")
    search = None
    if method == "simulation":
        search = simulation_staffing(scenario, unit, targets, settings, workload, on_round)
        agents = search.agents
    elif method in ("erlang-c", "erlang-a"):
        agents = erlang_c if method == "erlang-c" else erlang_a
    else:
        raise StaffingError(f"{method!r} is not a method (erlang-c, erlang-a or simulation)")
    headcount = headcount_for_agents(unit, agents)
    out.mkdir(parents=True, exist_ok=True)
    written_scenario = write_headcount_scenario(
        out / "scenario.toml", scenario, unit, headcount, name=f"{scenario.name}_staffed",
        description=f"{scenario.name} staffed by {method} for {describe(targets)} ({unit.label})")
    if search is not None:
        achieved = search.confirmation  # fresh replications the search never saw
    else:
        with SimulationRunner.for_settings(settings, "simulating the plan") as runner:
            achieved = runner.evaluate(written_scenario, settings.seed, range(settings.replications),
                                       unit.judged_types, targets, with_kpis=True)
    requirements = staffing_table(workload, unit, targets, method, erlang_c, erlang_a, agents, achieved,
                                  settings.confidence, written_scenario.service_level.threshold_seconds)
    written = [out / "scenario.toml", write_csv(out / "requirements.csv", requirements)]
    written += write_staffing_plots(requirements, out, written_scenario.service_level.threshold_seconds, targets)
    summary = staffing_summary(scenario, unit, targets, method, settings, workload, erlang_c, erlang_a, agents,
                               achieved, search, command)
    written.append(write_json(out / "summary.json", summary))
    return StaffingOutcome(written_scenario, unit, targets, method, requirements, agents, headcount, achieved,
                           search, summary, written)


def staffing_table(workload: Workload, unit: StaffedUnit, targets: tuple[StaffingTarget, ...], method: str,
                   erlang_c: np.ndarray, erlang_a: np.ndarray, agents: np.ndarray, achieved: Evaluation,
                   confidence: float, threshold: float) -> pd.DataFrame:
    """requirements.csv: workload, both analytic requirements, the plan, predicted and simulated KPIs."""
    model: AnalyticMethod = "erlang-c" if method == "erlang-c" else "erlang-a"
    sl_threshold = next((t.threshold_seconds for t in targets if t.threshold_seconds is not None), threshold)
    table = requirement_table(workload, unit, agents, predicted_metrics(workload, agents, model, sl_threshold))
    table = table.rename(columns={name: f"predicted_{name}" for name in
                                  ("service_level", "abandon_rate", "asa_seconds", "occupancy")})
    table.insert(table.columns.get_loc("agents"), "erlang_c_agents", erlang_c.ravel())
    table.insert(table.columns.get_loc("agents"), "erlang_a_agents", erlang_a.ravel())
    table["simulated_offered"] = achieved.counts["offered"].mean(axis=0)
    shown = list(targets)
    if not any(t.kind == "service_level" for t in targets):
        shown.append(StaffingTarget("service_level", 0.5, threshold))  # the scenario's service level, for reference
    for target in shown:
        ratio, lower, upper = achieved.bounds(target, confidence)
        name = f"simulated_{target.metric}"
        table[name], table[f"{name}_low"], table[f"{name}_high"] = ratio, lower, upper
    table["meets_target"] = ~achieved.failing(targets, confidence)
    table["simulated_check"] = interval_verdicts(achieved, targets, confidence)
    return table


MEETS, MISSES, UNDECIDED = "meets", "misses", "cannot tell"


def interval_verdicts(achieved: Evaluation, targets: Sequence[StaffingTarget], confidence: float) -> np.ndarray:
    """Per interval: ``meets`` (the near bound meets every target), ``misses`` (the far bound misses one),
    ``cannot tell`` (neither, at this confidence) or empty (no contacts)."""
    meets = ~achieved.failing(targets, confidence)
    misses = ~achieved.not_shown_to_miss(targets, confidence)
    verdict = np.where(meets, MEETS, np.where(misses, MISSES, UNDECIDED)).astype(object)
    verdict[~achieved.has_contacts()] = ""
    return verdict


def write_staffing_plots(table: pd.DataFrame, out: Path, threshold: float,
                         targets: tuple[StaffingTarget, ...]) -> list[Path]:
    """One PNG per day (one in all when every day has the same plan)."""
    level_target = next((t.value for t in targets if t.kind == "service_level"), None)
    days = sorted(table["day"].unique())
    same = all((table[table["day"] == day]["headcount"].to_numpy() == table[table["day"] == days[0]]["headcount"]
                .to_numpy()).all() for day in days)
    paths = []
    for day in days[:1] if same else days:
        rows = table[table["day"] == day]
        series = {"requirement, Erlang C": rows["erlang_c_agents"], "requirement, Erlang A": rows["erlang_a_agents"],
                  "plan: agents on the phones": rows["agents"], "scheduled headcount": rows["headcount"]}
        figure = staffing_figure(list(rows["interval_start"]), series, rows["simulated_service_level"],
                                 level_target, title=f"Staffing plan, day {day} ({rows['weekday'].iloc[0]})")
        name = "staffing.png" if same else f"staffing_day{day}.png"
        paths.append(save_png(figure, out / name))
    return paths


def staffing_summary(scenario: Scenario, unit: StaffedUnit, targets: tuple[StaffingTarget, ...], method: str,
                     settings: SearchSettings, workload: Workload, erlang_c: np.ndarray, erlang_a: np.ndarray,
                     agents: np.ndarray, achieved: Evaluation, search: SearchResult | None,
                     command: list[str] | None) -> dict:
    """The content of summary.json."""
    hours = workload.interval_seconds / 3600.0

    def totals(plan: np.ndarray) -> dict:
        headcount = headcount_for_agents(unit, plan)
        return {"agent_hours_on_phones": float(plan.sum() * hours), "headcount_hours": float(headcount.sum() * hours),
                "labor_cost": unit.labor_cost(headcount, hours)}

    with_contacts = achieved.has_contacts()
    meeting = ~achieved.failing(targets, settings.confidence) & with_contacts
    not_missing = achieved.not_shown_to_miss(targets, settings.confidence) & with_contacts
    verdicts = interval_verdicts(achieved, targets, settings.confidence)
    cells = [{"day": day + 1, "weekday": workload.weekdays[day],
              "interval_start": format_time_of_day(interval * workload.interval_seconds)}
             for day, interval in np.ndindex(*workload.volume.shape)]
    missing = [cell for cell, verdict in zip(cells, verdicts) if verdict == MISSES]
    undecided = [cell for cell, verdict in zip(cells, verdicts) if verdict == UNDECIDED]
    kpis = {name: _kpi_estimate(name, [row[name] for row in achieved.kpis]) for name in SUMMARY_KPIS
            if achieved.kpis and name in achieved.kpis[0]}
    summary = {
        "method": method,
        "targets": [t.label for t in targets],
        "scope": settings.scope,
        "confidence": settings.confidence,
        "unit": {"label": unit.label, "groups": list(unit.group_names), "shares": list(unit.shares),
                 "contact_types": list(unit.served_types)},
        "currency": scenario.currency,
        "plans": {"erlang-c": totals(erlang_c), "erlang-a": totals(erlang_a), "chosen": totals(agents)},
        "simulated": {
            "seed": settings.seed, "replications": list(achieved.replications),
            "held_out": search is not None,
            "intervals_with_contacts": int(with_contacts.sum()),
            "intervals_meeting": int((verdicts == MEETS).sum()),
            "intervals_missing": len(missing),
            "intervals_undecided": len(undecided),
            "missing": missing,
            "undecided": undecided,
            "check_text": check_text(int(with_contacts.sum()), int((verdicts == MEETS).sum()), missing, undecided,
                                     settings.confidence, workload.interval_seconds // 60),
            # the same counts as before these names existed
            "intervals_meeting_target_at_confidence": int(meeting.sum()),
            "intervals_not_shown_to_miss_target": int(not_missing.sum()),
            "kpis_ci95": kpis,
        },
        "headcount_rounding": headcount_rounding(unit, agents, workload),
        "notes": list(workload.notes),
        "provenance": {"package": "ccsim", "version": package_version(), "command": command,
                       "scenario": scenario.name,
                       "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
    }
    if search is not None:
        summary["search"] = {
            "simulations": search.simulations, "wall_seconds": round(search.wall_seconds, 2),
            "rounds": len(search.rounds), "converged": search.converged, "messages": search.messages,
            "replications_per_round": settings.replications,
            "history": [vars(record) for record in search.rounds],
        }
    return summary


def check_text(with_contacts: int, meeting: int, missing: list[dict], undecided: list[dict],
               confidence: float, interval_minutes: int) -> str:
    """The simulated check in plain words, with the intervals that miss or cannot be told apart."""
    text = (f"of {with_contacts} intervals with contacts, {meeting} meet the target(s), {len(missing)} miss them "
            f"and {len(undecided)} cannot be told apart from them, at {confidence:.0%} confidence (one-sided bounds "
            "on the simulated KPIs)")
    for label, cells in (("missing", missing), ("cannot tell", undecided)):
        if cells:
            text += f"; {label}: " + "; ".join(_day_spans(cells, interval_minutes))
    return text


def _day_spans(cells: list[dict], interval_minutes: int) -> list[str]:
    by_day: dict[tuple[int, str], list[str]] = {}
    for cell in cells:
        by_day.setdefault((cell["day"], cell["weekday"]), []).append(cell["interval_start"])
    return [f"day {day} ({weekday[:3].title()}) {time_spans(starts, interval_minutes)}"
            for (day, weekday), starts in by_day.items()]


def headcount_rounding(unit: StaffedUnit, agents: np.ndarray, workload: Workload) -> dict:
    """How agents became headcount, with the busiest interval as the worked example."""
    peak = int(np.argmax(agents))
    need = int(np.ravel(agents)[peak])
    shrinkage = float(sum(share * group.effective_shrinkage(unit.mean_busy_seconds)
                          for share, group in zip(unit.shares, unit.groups)))
    exact = need / (1.0 - shrinkage) if shrinkage < 1 else float("nan")
    other = replace(unit, rounding="nearest" if unit.rounding == "up" else "up", _headcounts={})
    day, interval = np.unravel_index(peak, np.shape(agents))
    return {"rule": unit.rounding, "text": unit.rounding_rule(),
            "example": {"day": int(day) + 1, "interval_start": format_time_of_day(int(interval) *
                                                                                  workload.interval_seconds),
                        "agents": need, "shrinkage": shrinkage, "exact_headcount": exact,
                        "headcount": unit.headcount_for(need),
                        f"headcount_{other.rounding}": other.headcount_for(need)}}


def _kpi_estimate(name: str, values: list[float]) -> dict:
    found = kpi_estimate(name, values, 0.95)
    return {"mean": found.mean, "ci95": [found.low, found.high]}
