"""Report sections of staffing and scheduling results (``ccsim staff``, ``ccsim schedule``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .formatting import blank_missing, column_kind, format_value, formatted, interval_text
from .page import Section

REQUIREMENT_COLUMNS = ("day", "weekday", "interval_start", "volume", "offered_load", "erlang_c_agents",
                       "erlang_a_agents", "agents", "headcount_exact", "headcount", "predicted_service_level",
                       "simulated_service_level", "simulated_check")
RULE_COLUMNS = ("option", "status", "mip_gap", "agents", "planned_paid_hours", "planned_labor_cost",
                "planned_cost_per_week", "labor_cost", "total_cost", "service_level", "abandon_rate", "occupancy",
                "overtime_hours", "intervals_below_target", "intervals_with_contacts")
SCHEDULE_COLUMNS = ("day", "weekday", "interval_start", "requirement", "on_phones", "simulated_offered",
                    "simulated_service_level", "meets_target")


def is_staffing(summary: dict) -> bool:
    return "plans" in summary and "method" in summary


def is_schedule(summary: dict) -> bool:
    return "options" in summary


def _busy(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Rows with any demand or staffing (the closed night left out)."""
    present = [column for column in columns if column in table]
    return table[table[present].fillna(0).ne(0).any(axis=1)] if present else table


def _with_bounds(table: pd.DataFrame, column: str) -> pd.DataFrame:
    low, high = f"{column}_low", f"{column}_high"
    if column not in table or low not in table:
        return table
    table = table.copy()
    table.insert(table.columns.get_loc(column) + 1, f"{column} bounds",
                 [interval_text(a, b, "share") for a, b in zip(table[low], table[high])])
    return table


def staffing_sections(folder: Path, summary: dict) -> list[Section]:
    currency = str(summary.get("currency", ""))
    simulated = summary.get("simulated", {})
    section = Section("Staffing plan")
    unit = summary.get("unit", {})
    section.add_text(f"Method {summary.get('method')}, targets {', '.join(summary.get('targets', []))}, "
                     f"scope {summary.get('scope', 'interval')}, for {unit.get('label', '?')} "
                     f"({', '.join(unit.get('groups', []))}).")
    rounding = summary.get("headcount_rounding")
    if rounding:
        example = rounding.get("example", {})
        other = next((key for key in example if key.startswith("headcount_")), None)
        text = f"Headcount = {rounding.get('text', rounding.get('rule', ''))}."
        if example and other:
            text += (f" Busiest interval (day {example['day']} {example['interval_start']}): {example['agents']} "
                     f"agents / {1 - example['shrinkage']:.2f} = {example['exact_headcount']:.2f} -> "
                     f"{example['headcount']} ({other.removeprefix('headcount_')} rounding: {example[other]}).")
        section.add_text(text)
    plans = pd.DataFrame([{"plan": name, **totals} for name, totals in summary.get("plans", {}).items()])
    if not plans.empty:
        section.add_table(formatted(plans, currency, kinds={"agent_hours_on_phones": "hours"}), "Totals per method")
    check = simulated.get("check_text") or (
        f"{simulated.get('intervals_meeting_target_at_confidence', '?')} of "
        f"{simulated.get('intervals_with_contacts', '?')} intervals meet the target at "
        f"{summary.get('confidence', 0.95):.0%} confidence")
    section.add_text(f"Simulated on {len(simulated.get('replications', []))} replication(s)"
                     f"{' held out from the search' if simulated.get('held_out') else ''}: {check}.")
    kpis = simulated.get("kpis_ci95", {})
    if kpis:
        shown = pd.DataFrame([{"KPI": name, "mean": format_value(value.get("mean"), column_kind(name), currency),
                               "95% CI": interval_text(*(value.get("ci95") or [None, None]), column_kind(name),
                                                       currency)} for name, value in kpis.items()])
        section.add_table(shown, "Simulated KPIs of the plan")
    search = summary.get("search")
    if search:
        section.add_text(f"Search: {search.get('simulations')} simulations in {search.get('rounds')} rounds, "
                         f"{'converged' if search.get('converged') else 'not converged'}.")
    for note in summary.get("notes", []):
        section.add_text(f"Note: {note}")
    for path in sorted(folder.glob("staffing*.png")):
        section.add_png(path, f"Requirement and plan per interval ({path.stem})")
    sections = [section]
    if (folder / "requirements.csv").exists():
        sections.append(requirement_section(pd.read_csv(folder / "requirements.csv"), currency))
    return sections


def requirement_section(requirements: pd.DataFrame, currency: str = "") -> Section:
    """Requirement against plan per interval, with the simulated check; misses highlighted."""
    table = _busy(requirements, ("volume", "headcount", "agents"))
    if "simulated_check" not in table and "meets_target" in table:
        table = table.assign(simulated_check=["meets" if ok else "misses" for ok in table["meets_target"]])
    table = _with_bounds(table, "simulated_service_level")
    columns = [column for column in REQUIREMENT_COLUMNS if column in table]
    if "simulated_service_level bounds" in table:
        columns.insert(columns.index("simulated_service_level") + 1, "simulated_service_level bounds")
    marked = [str(value).startswith("miss") for value in table.get("simulated_check", [""] * len(table))]
    section = Section("Requirement and plan per interval")
    section.add_table(formatted(table[columns], currency, kinds={"headcount_exact": None, "offered_load": None}),
                      "Intervals with demand or staff; bounds are one-sided at the stated confidence",
                      max_rows=3000, marked=marked)
    return section


def schedule_sections(folder: Path, summary: dict) -> list[Section]:
    currency = str(summary.get("currency", ""))
    section = Section("Schedule")
    unit = summary.get("unit", {})
    section.add_text(f"Shifts for {unit.get('label', '?')} ({', '.join(unit.get('groups', []))}), targets "
                     f"{', '.join(summary.get('targets', []))}, {summary.get('replications', '?')} replication(s) "
                     f"per option on common random numbers, seed {summary.get('seed', '?')}.")
    rules = pd.DataFrame(summary.get("options", []))
    if not rules.empty:
        for kpi in ("total_cost", "service_level", "abandon_rate", "occupancy"):
            if f"{kpi}_low" in rules:
                rules[f"{kpi} 95% CI"] = [interval_text(a, b, "share" if kpi != "total_cost" else "currency",
                                                        currency) for a, b in zip(rules[f"{kpi}_low"],
                                                                                  rules[f"{kpi}_high"])]
        columns = [c for c in RULE_COLUMNS if c in rules]
        for kpi in ("total_cost", "service_level", "abandon_rate", "occupancy"):
            if f"{kpi} 95% CI" in rules and kpi in columns:
                columns.insert(columns.index(kpi) + 1, f"{kpi} 95% CI")
        section.add_table(formatted(rules[columns], currency), "Rule options compared")
    for label, notes in summary.get("notes", {}).items():
        section.add_text(f"{label}: " + "; ".join(notes))
    if (folder / "rules_comparison.png").exists():
        section.add_png(folder / "rules_comparison.png", "Rule options: cost and service level")
    sections = [section]
    planned = [str(name) for name in rules.get("option", []) if str(name) != "current"]
    options = [folder / name for name in planned] if len(planned) > 1 else [folder]
    for option_folder in options:
        if option_folder.is_dir():
            sections.extend(option_sections(option_folder, "" if option_folder == folder else option_folder.name,
                                            currency))
    return sections


def option_sections(folder: Path, label: str, currency: str = "") -> list[Section]:
    """One rule option: its roster(s) and coverage per interval with the simulated service level."""
    title = f"Option {label}" if label else "Roster and coverage"
    section = Section(title)
    for path in sorted(folder.glob("roster*.csv")):
        section.add_table(blank_missing(pd.read_csv(path)), f"Roster ({path.name}): one row per agent and working "
                          "day", max_rows=400)
    for path in sorted(folder.glob("roster_*.png")):
        section.add_png(path, f"Roster of {path.stem.removeprefix('roster_')}: one row per agent over the week")
    if (folder / "schedule.csv").exists():
        schedule = _busy(pd.read_csv(folder / "schedule.csv"), ("requirement", "on_phones", "simulated_offered"))
        schedule = _with_bounds(schedule, "simulated_service_level")
        columns = [column for column in SCHEDULE_COLUMNS if column in schedule]
        if "simulated_service_level bounds" in schedule:
            columns.insert(columns.index("simulated_service_level") + 1, "simulated_service_level bounds")
        marked = [not bool(value) for value in schedule.get("meets_target", [True] * len(schedule))]
        section.add_table(formatted(schedule[columns], currency), "Requirement against agents on the phones "
                          "per interval; intervals not shown to meet the target at the stated confidence "
                          "highlighted",
                          max_rows=3000, marked=marked)
    if (folder / "schedule.png").exists():
        section.add_png(folder / "schedule.png", f"{label or 'Schedule'}: requirement and coverage")
    return [section] if section.blocks else []
