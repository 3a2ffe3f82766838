"""Turn design rows into validated scenarios, reporting every bad path or value at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Problem, Scenario, ScenarioError, apply_overrides, load_scenario
from sim.limits import DEFAULT_MAX_CONTACTS, DEFAULT_MAX_VARIANTS, check_run, estimate_run

from .design import VARIED, build_design, design_size
from .spec import SweepFileError, SweepSpec

_MAX_VARIANTS_NAMED = 5


@dataclass(frozen=True)
class SweepLimits:
    """Refuse sweeps with more than ``max_variants`` variants, or a variant above ``max_contacts`` per
    replication or too big for memory with ``side_by_side`` replications at once (see :mod:`sim.limits`)."""

    max_variants: int = DEFAULT_MAX_VARIANTS
    max_contacts: float = DEFAULT_MAX_CONTACTS
    side_by_side: int = 1


def load_base(spec: SweepSpec) -> Scenario:
    """The base scenario with the sweep's fixed ``overrides`` applied."""
    try:
        scenario = load_scenario(spec.base)
    except ScenarioError as error:
        raise SweepFileError([Problem("base", str(error))], spec.name) from None
    if not spec.overrides:
        return scenario
    try:
        return apply_overrides(scenario, dict(spec.overrides))
    except ScenarioError as error:
        raise SweepFileError([Problem(f"overrides.{problem.path}", problem.message)
                              for problem in error.problems], spec.name) from None


def design_for(spec: SweepSpec, base: Scenario, limits: SweepLimits = SweepLimits()) -> pd.DataFrame:
    """The design table, with design-level problems (e.g. no base value for oat, too many variants)
    as a SweepFileError."""
    size = design_size(spec)
    if size > limits.max_variants:
        raise SweepFileError([Problem("design", f"the {spec.design.kind} design makes {size:,} variants, more than the "
                                                f"limit of {limits.max_variants:,}; if you mean it, raise the limit "
                                                "with --max-variants")], spec.name)
    try:
        return build_design(spec, base)
    except ValueError as error:
        raise SweepFileError([Problem("design", str(error))], spec.name) from None


def variant_overrides(design: pd.DataFrame, variant: int) -> dict[str, Any]:
    """The overrides of one design row, as plain Python values (TOML/JSON friendly)."""
    row = design.loc[variant].drop(labels=[VARIED], errors="ignore")
    return {path: _plain(value) for path, value in row.items()}


def build_variants(spec: SweepSpec, base: Scenario, design: pd.DataFrame) -> list[Scenario]:
    """Every variant as a validated scenario; raise one SweepFileError listing all problems found."""
    scenarios: list[Scenario] = []
    found: dict[str, list[int]] = {}
    for variant in design.index:
        overrides = variant_overrides(design, variant)
        try:
            scenarios.append(apply_overrides(base, overrides))
        except ScenarioError as error:
            for problem in error.problems:
                found.setdefault(_describe(problem, spec, overrides), []).append(int(variant))
    if found:
        raise SweepFileError([_with_variants(text, variants) for text, variants in found.items()], spec.name)
    return scenarios


def check_variant_sizes(spec: SweepSpec, design: pd.DataFrame, scenarios: list[Scenario],
                        limits: SweepLimits = SweepLimits()) -> None:
    """Refuse the sweep (:class:`~sim.limits.RunTooLarge`) if its largest variant is too big to run."""
    if not scenarios:
        return
    largest = max(range(len(scenarios)), key=lambda position: estimate_run(scenarios[position]).contacts)
    variant = int(design.index[largest])
    described = ", ".join(f"{path} = {value!r}" for path, value in variant_overrides(design, variant).items())
    check_run(scenarios[largest], limits.max_contacts, limits.side_by_side,
              f"{spec.name}, variant {variant} ({described})", records=0)


def _describe(problem: Problem, spec: SweepSpec, overrides: dict[str, Any]) -> str:
    """Name the factor when the path itself is bad, the scenario field and value otherwise."""
    if problem.path in overrides and problem.message.startswith("cannot override"):
        index = spec.factor_paths.index(problem.path)
        return f"factors[{index}].path: {problem.path!r} {problem.message}"
    return str(problem)


def _with_variants(text: str, variants: list[int]) -> Problem:
    if text.startswith("factors["):
        return Problem("", text)  # a bad path is bad in every variant: naming them adds nothing
    shown = ", ".join(map(str, variants[:_MAX_VARIANTS_NAMED]))
    more = f" and {len(variants) - _MAX_VARIANTS_NAMED} more" if len(variants) > _MAX_VARIANTS_NAMED else ""
    label = "variant" if len(variants) == 1 else "variants"
    return Problem("", f"{text} ({label} {shown}{more})")


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    return value
