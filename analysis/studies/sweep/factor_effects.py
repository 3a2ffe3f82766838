"""How the headline KPIs move with each factor of a sweep, and where they cross their targets.

A *line* is a set of variants along which only one factor moves: a design
with one factor is one line; a grid gives one line per combination of the
other factors' values; a one-at-a-time design gives the factor's own
variants plus the base. Random designs (lhs, sobol, morris) move every
factor at once: their points are drawn, but no crossing is read off them.

A *crossing* is where a line's mean KPI passes its target, by linear
interpolation between the two neighbouring variants on either side.
``band_low`` .. ``band_high`` is where the 95% CI limits of the KPI pass
it: the factor values between which the crossing may lie given the
simulation noise (empty where a limit does not cross within the grid).
Targets are the base scenario's ``[service_level]`` (service level at
least, abandonment and ASA at most).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .design import BASE_RUN, VARIED

FACTOR_KPIS = ("service_level", "abandon_rate", "asa_seconds", "occupancy", "labor_cost", "total_cost",
               "complaint_rate", "value_kept")
_TARGET_FIELDS = {"target": "service_level", "max_abandon_rate": "abandon_rate", "max_asa_seconds": "asa_seconds"}


@dataclass(frozen=True)
class Line:
    """Variants along which one factor moves: x (factor values, ascending), the KPI table rows, a label."""

    label: str
    rows: pd.DataFrame
    path: str

    @property
    def x(self) -> np.ndarray:
        return self.rows[self.path].to_numpy(float)

    def kpi(self, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Mean, CI low and CI high of ``name`` along the line (NaN bounds where not written)."""
        mean = self.rows[name].to_numpy(float)
        low = self.rows.get(f"{name}_ci_low", pd.Series(np.nan, index=self.rows.index)).to_numpy(float)
        high = self.rows.get(f"{name}_ci_high", pd.Series(np.nan, index=self.rows.index)).to_numpy(float)
        return mean, low, high


def targets_of(service_level: Mapping[str, object] | None) -> dict[str, float]:
    """KPI targets from a scenario's ``service_level`` table (as in ``sweep.json``)."""
    service_level = service_level or {}
    return {kpi: float(service_level[field]) for field, kpi in _TARGET_FIELDS.items()
            if service_level.get(field) is not None}


def is_numeric(values: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)


def factor_lines(variants: pd.DataFrame, factor_paths: Sequence[str], path: str, design_kind: str) -> list[Line]:
    """The lines along ``path`` (see the module docstring); empty for random designs or non-numeric factors."""
    if path not in variants or not is_numeric(variants[path]) or variants[path].nunique() < 2:
        return []
    if design_kind == "oat" and VARIED in variants:
        rows = variants[variants[VARIED].isin([path, BASE_RUN])]
        return [Line("", rows.sort_values(path).drop_duplicates(path), path)]
    if design_kind != "grid" and len(factor_paths) > 1:
        return []
    others = [other for other in factor_paths if other != path and other in variants]
    if not others:
        return [Line("", variants.sort_values(path), path)]
    lines = []
    for key, rows in variants.groupby(others, sort=True):
        values = key if isinstance(key, tuple) else (key,)
        label = ", ".join(f"{other.rsplit('.', 1)[-1]} {value:g}" if isinstance(value, (int, float))
                          else f"{other.rsplit('.', 1)[-1]} {value}" for other, value in zip(others, values))
        lines.append(Line(label, rows.sort_values(path), path))
    return lines


def _crossings_of(x: np.ndarray, y: np.ndarray, target: float) -> list[tuple[float, float, float]]:
    """(crossing, x before, x after) wherever y passes ``target`` between neighbouring points."""
    found = []
    for index in range(len(x) - 1):
        a, b = y[index] - target, y[index + 1] - target
        if np.isnan(a) or np.isnan(b) or a * b > 0 or (a == 0 and b == 0):
            continue
        if a == 0 and index > 0:
            continue  # counted as the end of the previous pair
        position = x[index] + (x[index + 1] - x[index]) * (-a) / (b - a)
        found.append((float(position), float(x[index]), float(x[index + 1])))
    return found


def crossing_table(variants: pd.DataFrame, factors: Sequence[tuple[str, str]], design_kind: str,
                   targets: Mapping[str, float]) -> pd.DataFrame:
    """One row per crossing of a KPI's target along a factor (``factors``: (path, label) pairs)."""
    paths = [path for path, _ in factors]
    rows = []
    for path, label in factors:
        for line in factor_lines(variants, paths, path, design_kind):
            for kpi, target in targets.items():
                if kpi not in line.rows:
                    continue
                mean, low, high = line.kpi(kpi)
                band = [point for curve in (low, high) for point, _, _ in _crossings_of(line.x, curve, target)]
                for value, before, after in _crossings_of(line.x, mean, target):
                    rows.append({"factor": label, "path": path, "line": line.label, "kpi": kpi, "target": target,
                                 "value": value, "between": f"{before:g} .. {after:g}",
                                 "band_low": min(band) if band else np.nan, "band_high": max(band) if band else np.nan,
                                 "direction": _direction(mean, line.x, value)})
    columns = ["factor", "path", "line", "kpi", "target", "value", "between", "band_low", "band_high", "direction"]
    return pd.DataFrame(rows, columns=columns)


def _direction(mean: np.ndarray, x: np.ndarray, value: float) -> str:
    before = mean[x <= value]
    after = mean[x > value]
    if len(before) and len(after):
        return "rising" if after[0] > before[-1] else "falling"
    return ""


def crossing_text(crossings: pd.DataFrame) -> list[str]:
    """Console lines, e.g. ``service_level reaches its target 0.8 at containment = 0.43 (band 0.38 .. 0.47)``."""
    lines = []
    for row in crossings.itertuples(index=False):
        band = "" if np.isnan(row.band_low) else f"; with the 95% CI: {row.band_low:.4g} .. {row.band_high:.4g}"
        where = f" ({row.line})" if row.line else ""
        lines.append(f"  {row.kpi} crosses its target {row.target:g} at {row.factor} = {row.value:.4g}{where}, "
                     f"{row.direction} (between variants at {row.between}{band})")
    return lines
