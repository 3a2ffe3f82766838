"""How the report writes numbers: shares as percentages, differences of shares in percentage points,
money with the scenario's currency, times in seconds and hours.

The kind of a column comes from the KPI definitions (:data:`analysis.metrics.kpis.KPI_UNITS`),
else from its name (``..._rate``, ``..._cost``, ``..._seconds``, ...); CI columns
(``..._ci_low``, ``..._low``, ...) take the kind of the KPI they bound.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from analysis.metrics.kpis import KPI_UNITS

COST_COMPONENTS = frozenset({"wages", "overtime", "on_costs", "training", "ai", "vendors", "fixed", "total",
                             "labor_cost", "shift_cost", "cost_per_contact"})
_AFFIXES = re.compile(r"^(simulated_|predicted_|cost:)|(_ci_low|_ci_high|_low|_high|_mean)$")


def column_kind(name: str) -> str | None:
    """``share``, ``currency``, ``seconds``, ``hours``, ``contacts``, ``score``, ``ratio`` or None (as is)."""
    if str(name).startswith("cost:"):
        return "currency"
    base = str(name)
    for _ in range(2):
        base = _AFFIXES.sub("", base)
    if base in KPI_UNITS:
        return KPI_UNITS[base]
    if base in COST_COMPONENTS or base.endswith("_cost"):
        return "currency"
    if base.endswith(("_rate", "_share")) or base in ("service_level", "occupancy"):
        return "share"
    if base.endswith("_seconds"):
        return "seconds"
    if base.endswith("_hours"):
        return "hours"
    return None


def format_value(value, kind: str | None, currency: str = "", signed: bool = False) -> str:
    """One number as the report shows it; ``signed`` for differences (shares then in pp)."""
    if value is None or value is pd.NA:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return "-"
    sign = "+" if signed else ""
    if kind == "share":
        return f"{value * 100:+.1f} pp" if signed else f"{value:.1%}"
    if kind == "currency":
        number = f"{value:{sign},.0f}" if abs(value) >= 100 else f"{value:{sign},.2f}"
        return f"{number} {currency}".rstrip()
    if kind == "seconds":
        return f"{value:{sign},.1f} s"
    if kind == "hours":
        return f"{value:{sign},.1f} h"
    if kind == "score":
        return f"{value:{sign}.1f}"
    if isinstance(value, int) or float(value).is_integer() or abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.1f}" if abs(value) >= 10 else f"{value:{sign}.3g}"


def formatted(table: pd.DataFrame, currency: str = "", kinds: dict[str, str | None] | None = None,
              signed: tuple[str, ...] = ()) -> pd.DataFrame:
    """The table with every cell as text; ``kinds`` overrides the kind guessed from a column's name."""
    kinds = kinds or {}
    columns = {}
    for column in table.columns:
        kind = kinds.get(column, column_kind(column))
        columns[column] = [format_value(value, kind, currency, column in signed) for value in table[column]]
    return pd.DataFrame(columns, index=table.index)


def formatted_by_row(table: pd.DataFrame, unit_column: str, value_columns: list[str], currency: str = "",
                     signed: tuple[str, ...] = ()) -> pd.DataFrame:
    """Cells formatted by the unit named in each row (e.g. a KPI table with a ``unit`` column)."""
    result = table.copy().astype(object)
    for index, row in table.iterrows():
        unit = row[unit_column]
        kind = "currency" if unit == currency and currency else unit
        for column in value_columns:
            result.at[index, column] = format_value(row[column], kind, currency, column in signed)
    return result


def blank_missing(table: pd.DataFrame) -> pd.DataFrame:
    """Missing cells as empty text (e.g. a roster's absent breaks), other cells unchanged."""
    return table.astype(object).where(table.notna(), "")


def interval_text(low, high, kind: str | None, currency: str = "", signed: bool = False) -> str:
    """``[low, high]`` as the report shows it, or ``-`` where undefined."""
    if low is None or high is None or (isinstance(low, float) and math.isnan(low)):
        return "-"
    return f"[{format_value(low, kind, currency, signed)}, {format_value(high, kind, currency, signed)}]"
