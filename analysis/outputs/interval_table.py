"""``intervals.csv`` and ``days.csv`` as written: open hours flagged, target misses marked, numbers tidied.

The KPIs come from :mod:`analysis.metrics.intervals` and
:mod:`analysis.metrics.target_misses`; this step only shapes them for
people and spreadsheets:

* ``open`` (the scenario's opening hours): closed intervals (and days) in
  which nothing happens (no contacts, no agents, no paid hours) are left
  out; closed ones with activity (a shift running past closing, contacts
  still being served) stay, marked ``open = false``;
* for each service target the scenario sets, the 95% CI of the KPI
  (``<kpi>_ci_low``, ``<kpi>_ci_high``) and ``targets_missed`` (the KPIs
  whose pooled value misses its target, space-separated);
* numbers rounded to 9 decimals, so float residues such as -6.2e-13 agents
  read 0 (and never -0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.metrics.target_misses import TargetCheck, open_intervals, with_target_columns
from sim.config import Scenario

DECIMALS = 9
_LABELS = ("day", "interval", "weekday", "interval_start", "open", "targets_missed")


def tidy_numbers(table: pd.DataFrame, decimals: int = DECIMALS) -> pd.DataFrame:
    """Float columns rounded to ``decimals`` places, with -0.0 turned into 0.0."""
    table = table.copy()
    for column in table.select_dtypes("float").columns:
        table[column] = np.round(table[column].to_numpy(float), decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    return table


def active_rows(table: pd.DataFrame) -> pd.Series:
    """True where any number other than the labels is non-zero (something happened)."""
    numbers = table.drop(columns=[column for column in _LABELS if column in table]).select_dtypes("number")
    return numbers.fillna(0).ne(0).any(axis=1)


def without_idle_closed(table: pd.DataFrame) -> pd.DataFrame:
    """Open rows, and closed rows in which something happened."""
    return table[table["open"].to_numpy(bool) | active_rows(table).to_numpy()].reset_index(drop=True)


def interval_table(scenario: Scenario, intervals: pd.DataFrame, checks: list[TargetCheck]) -> pd.DataFrame:
    """``intervals.csv``: the summarized intervals (all cells, in order) with ``open``, target CIs and misses."""
    table = with_target_columns(intervals, checks)
    table.insert(table.columns.get_loc("interval_start") + 1, "open", open_intervals(scenario)[: len(table)])
    return tidy_numbers(without_idle_closed(table))


def days_table(days: pd.DataFrame) -> pd.DataFrame:
    """``days.csv`` from :func:`analysis.metrics.target_misses.day_table`."""
    return tidy_numbers(without_idle_closed(days))
