"""Design points of a sweep: one row per variant, one column per factor path.

Random designs (Latin hypercube, Sobol', Morris) draw from a numpy
Generator seeded from the sweep's seed, so the same sweep file always gives
the same variants. Sobol' and Morris rows keep SALib's sample order, which
their analyses rely on.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

from sim.config import Scenario, get_value

from .expressions import ExpressionError, parse_expression
from .spec import Factor, FactorValue, SweepSpec

VARIED = "varied"  # column of an oat design: the factor path moved away from the base
BASE_RUN = "(base)"  # VARIED of the oat design's base run
_DESIGN_STREAM = 0x5EED  # keeps design draws apart from the simulation's streams of the same seed


def design_rng(seed: int) -> np.random.Generator:
    """The Generator every design draw of a sweep with ``seed`` comes from."""
    return np.random.default_rng([seed, _DESIGN_STREAM])


def salib_problem(spec: SweepSpec) -> dict[str, Any]:
    """The problem definition SALib's samplers and analyses take (ranges of every factor)."""
    return {"num_vars": len(spec.factors), "names": spec.factor_paths,
            "bounds": [[factor.low, factor.high] for factor in spec.factors]}


def base_values(spec: SweepSpec, base: Scenario) -> dict[str, FactorValue]:
    """Each factor's value in the base scenario, or its ``base`` from the sweep file."""
    values = {}
    for factor in spec.factors:
        if factor.base is not None:
            values[factor.path] = factor.base
            continue
        try:
            values[factor.path] = get_value(base, factor.path)
        except (KeyError, ValueError):
            values[factor.path] = None  # only an oat design needs it; build_design says so then
    return values


def design_size(spec: SweepSpec) -> int:
    """How many variants :func:`build_design` makes, worked out without making them."""
    design, count = spec.design, len(spec.factors)
    levels = [len(factor.values) if factor.values is not None else (factor.steps or 2) for factor in spec.factors]
    if design.kind == "grid":
        return math.prod(levels)
    if design.kind == "oat":
        return 1 + sum(levels)
    if design.kind == "lhs":
        return design.samples
    if design.kind == "sobol":
        return design.base_samples * ((2 * count if design.second_order else count) + 2)
    return design.trajectories * (count + 1)


def build_design(spec: SweepSpec, base: Scenario) -> pd.DataFrame:
    """The variants of ``spec``: index ``variant`` (0, 1, ...), a column per factor path, then one per
    linked parameter (its expression of the factor's value)."""
    kind = spec.design.kind
    if kind == "grid":
        table = _frame(_grid(spec.factors), spec.factors)
    elif kind == "oat":
        table = _one_at_a_time(spec.factors, base_values(spec, base))
    elif kind == "lhs":
        table = _frame(_latin_hypercube(spec), spec.factors)
    elif kind == "sobol":
        table = _frame(_sobol(spec), spec.factors)
    else:
        table = _frame(_morris(spec), spec.factors)
    return with_linked_parameters(table, spec.factors)


def with_linked_parameters(table: pd.DataFrame, factors: list[Factor]) -> pd.DataFrame:
    """Add a column per linked parameter, computed from its factor's column (ValueError if it cannot be)."""
    table = table.copy()
    for factor in factors:
        for path, text in factor.sets.items():
            expression = parse_expression(text)
            try:
                table[path] = [expression.evaluate(float(value)) for value in table[factor.path]]
            except (ExpressionError, TypeError, ValueError) as error:
                raise ValueError(f"{factor.name}: linked parameter {path}: {error}") from None
    return table


def _frame(rows: list[list[FactorValue]] | np.ndarray, factors: list[Factor]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=[factor.path for factor in factors])
    for factor in factors:
        if factor.integer:
            table[factor.path] = np.rint(table[factor.path].astype(float)).astype(int)
    table.index.name = "variant"
    return table


def factor_levels(factor: Factor) -> list[FactorValue]:
    """The values a grid or oat design tries: the listed ones, or ``steps`` points from low to high."""
    if factor.values is not None:
        return list(factor.values)
    steps = factor.steps or 2
    return [float(value) for value in np.linspace(factor.low, factor.high, steps)]


def _grid(factors: list[Factor]) -> list[list[FactorValue]]:
    return [list(combination) for combination in itertools.product(*(factor_levels(f) for f in factors))]


def _one_at_a_time(factors: list[Factor], centre: dict[str, FactorValue]) -> pd.DataFrame:
    """Variant 0 is the base; then each factor alone at each of its levels, the others at the base."""
    missing = [factor.path for factor in factors if centre[factor.path] is None]
    if missing:
        raise ValueError("the oat design needs a base value for " + ", ".join(missing) +
                         " (the base scenario has none there): give `base = ...` in the factor")
    base_row = [centre[factor.path] for factor in factors]
    rows, varied = [base_row], [BASE_RUN]
    for position, factor in enumerate(factors):
        for level in factor_levels(factor):
            row = list(base_row)
            row[position] = level
            rows.append(row)
            varied.append(factor.path)
    table = _frame(rows, factors)
    table[VARIED] = varied
    return table


def _latin_hypercube(spec: SweepSpec) -> np.ndarray:
    sampler = qmc.LatinHypercube(d=len(spec.factors), rng=design_rng(spec.seed))
    unit = sampler.random(spec.design.samples)
    bounds = np.array([[factor.low, factor.high] for factor in spec.factors], dtype=float)
    return qmc.scale(unit, bounds[:, 0], bounds[:, 1])


def _sobol(spec: SweepSpec) -> np.ndarray:
    from SALib.sample import sobol

    return sobol.sample(salib_problem(spec), spec.design.base_samples,
                        calc_second_order=spec.design.second_order, seed=design_rng(spec.seed))


def _morris(spec: SweepSpec) -> np.ndarray:
    from SALib.sample import morris

    return morris.sample(salib_problem(spec), spec.design.trajectories, num_levels=spec.design.levels,
                         seed=design_rng(spec.seed))
