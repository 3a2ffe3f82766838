"""Compare scenarios on common random numbers: means, CIs and paired differences against the first.

Every scenario runs the same replication numbers with the same seed, so
replication ``r`` of each scenario sees the same customers wherever the
scenarios agree (``sim.run.simulate`` guarantees common random numbers).
The difference of a KPI between a scenario and the reference (the first)
is therefore estimated from the per-replication differences, with a paired
Student t interval; it is marked *not distinguishable from noise* when
that interval contains zero. Two identical scenarios differ by exactly 0.

Sequential procedure (``PrecisionTarget``): run ``n0`` replications; while
the widest 95% CI half-width of the chosen KPI (over every scenario's mean
and every paired difference) exceeds the target, run another batch of
replications (numbers ``n, n+1, ...``) and recompute, up to a maximum.
The result after ``n`` replications equals a fixed run of ``n``
replications. Stopping on an observed half-width slightly lowers the true
coverage of the final interval; a first stage of at least 5 replications
keeps that small.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from analysis.metrics.stats import Estimate, estimate, kpi_support
from analysis.outputs.files import write_csv, write_json
from analysis.outputs.plots import cost_breakdown_figure, save_png
from analysis.outputs.results import write_results
from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner
from analysis.studies.budget import cost_breakdown_table, cost_columns
from sim.config import Scenario

from .experiment import ExperimentResult, ReplicationOutput, ReplicationTask, run_replication


@dataclass(frozen=True)
class PrecisionTarget:
    """Add replications until the CI half-width of ``kpi`` is at most ``half_width``."""

    kpi: str
    half_width: float
    max_replications: int = 100
    batch: int = 5

    def __post_init__(self) -> None:
        if self.half_width <= 0 or self.batch < 1 or self.max_replications < 2:
            raise ValueError("half_width must be positive, batch at least 1 and max_replications at least 2")


def paired_difference(values: pd.Series, reference: pd.Series, confidence: float = 0.95) -> Estimate:
    """Mean and t interval of ``values - reference``, matched by replication (index)."""
    return estimate((values - reference).to_numpy(float), confidence)


@dataclass
class Comparison:
    """Replications of several scenarios on common random numbers; the first is the reference."""

    experiments: dict[str, ExperimentResult]
    seed: int
    precision: PrecisionTarget | None = None
    wall_seconds: float = 0.0
    history: list[tuple[int, float]] = field(default_factory=list)  # (replications, half-width) per stage

    @property
    def labels(self) -> list[str]:
        return list(self.experiments)

    @property
    def reference(self) -> str:
        return self.labels[0]

    @property
    def replications(self) -> int:
        return self.experiments[self.reference].replications

    def replication_table(self) -> pd.DataFrame:
        """One row per (scenario, replication): every KPI and the ``cost:`` breakdown columns."""
        rows = []
        for label, experiment in self.experiments.items():
            for output in experiment.outputs:
                rows.append({"scenario": label, "replication": output.replication, **output.kpis,
                             **cost_columns(output.costs)})
        return pd.DataFrame(rows)

    def comparison_table(self, confidence: float = 0.95) -> pd.DataFrame:
        """Per KPI and scenario: mean and CI, paired difference to the reference and its CI."""
        tables = {label: experiment.kpi_table() for label, experiment in self.experiments.items()}
        reference = tables[self.reference]
        rows = []
        for kpi in reference.columns:
            for label, table in tables.items():
                rows.append(_comparison_row(kpi, label, table[kpi], reference[kpi],
                                            label == self.reference, confidence,
                                            self.experiments[label].unit(kpi),
                                            self.experiments[label].units.get(kpi, "")))
        return pd.DataFrame(rows)

    def cost_breakdown(self) -> pd.DataFrame:
        return cost_breakdown_table(self.replication_table(), by="scenario")

    def widest_half_width(self, kpi: str, confidence: float = 0.95) -> float:
        """The widest CI half-width of ``kpi`` over scenario means and paired differences (NaN if any is undefined).

        The t half-width, before an interval is cut to the KPI's possible range: a cut interval looks
        narrower without being more precise."""
        tables = {label: experiment.kpi_table() for label, experiment in self.experiments.items()}
        reference = tables[self.reference]
        if kpi not in reference.columns:
            raise ValueError(f"unknown KPI {kpi!r}")
        widths = [estimate(table[kpi].to_numpy(float), confidence).t_half_width for table in tables.values()]
        widths += [paired_difference(table[kpi], reference[kpi], confidence).t_half_width
                   for label, table in tables.items() if label != self.reference]
        return math.nan if any(math.isnan(width) for width in widths) else float(max(widths))


def _comparison_row(kpi: str, label: str, values: pd.Series, reference: pd.Series, is_reference: bool,
                    confidence: float, unit: str, kind: str) -> dict:
    own = estimate(values.to_numpy(float), confidence, kpi_support(kpi, kind))
    row = {"kpi": kpi, "scenario": label, "unit": unit, "replications": own.count, "mean": own.mean,
           "ci_low": own.low, "ci_high": own.high,
           "diff": math.nan, "diff_low": math.nan, "diff_high": math.nan, "distinguishable": pd.NA}
    if not is_reference:
        diff = paired_difference(values, reference, confidence)
        row.update(diff=diff.mean, diff_low=diff.low, diff_high=diff.high,
                   distinguishable=pd.NA if math.isnan(diff.low) else not diff.contains(0.0))
    return row


def run_comparison(scenarios: Mapping[str, Scenario], replications: int = 10, seed: int = 0,
                   plan: ExecutionPlan = ExecutionPlan(), precision: PrecisionTarget | None = None,
                   show_progress: bool = True) -> Comparison:
    """Run every scenario on the same seed and replication numbers, the first being the reference.

    With ``precision``, ``replications`` is the first stage ``n0`` of the
    sequential procedure described in the module docstring.
    """
    if not scenarios:
        raise ValueError("nothing to compare")
    if replications < 1:
        raise ValueError("replications must be at least 1")
    started = time.perf_counter()
    outputs: dict[str, list[ReplicationOutput]] = {label: [] for label in scenarios}
    comparison = Comparison({}, seed, precision)
    stage = range(0, replications)
    expected = len(scenarios) * (precision.max_replications if precision else replications)
    with Runner(plan, "compare", show_progress=show_progress, expected_tasks=expected) as runner:
        while stage:
            runner.note(f"reps {stage.start}-{stage.stop - 1}")
            _run_stage(runner, scenarios, outputs, seed, stage)
            comparison.experiments = {label: ExperimentResult(scenario, seed, outputs[label])
                                      for label, scenario in scenarios.items()}
            stage = _next_stage(comparison, precision)
    comparison.wall_seconds = time.perf_counter() - started
    for experiment in comparison.experiments.values():
        experiment.wall_seconds = comparison.wall_seconds
    return comparison


def _next_stage(comparison: Comparison, precision: PrecisionTarget | None) -> range:
    """The replication numbers of the next batch (empty when precise enough or at the maximum)."""
    if precision is None:
        return range(0)
    done = comparison.replications
    width = comparison.widest_half_width(precision.kpi)
    comparison.history.append((done, width))
    if (not math.isnan(width) and width <= precision.half_width) or done >= precision.max_replications:
        return range(0)
    return range(done, min(done + precision.batch, precision.max_replications))


def _run_stage(runner: Runner, scenarios: Mapping[str, Scenario], outputs: dict[str, list[ReplicationOutput]],
               seed: int, stage: range) -> None:
    labels = list(scenarios)
    tasks = [ReplicationTask(scenarios[label], seed, replication, keep_contacts=replication == 0)
             for label in labels for replication in stage]
    for position, output in enumerate(runner.run_all(run_replication, tasks)):
        outputs[labels[position // len(stage)]].append(output)


# --- output -----------------------------------------------------------------------------------

def write_comparison(comparison: Comparison, directory: str | Path, command: list[str] | None = None) -> list[Path]:
    """Write per-scenario results (``<label>/summary.json`` etc.), ``replications.csv``,
    ``comparison.csv``, ``budget.csv``, ``budget.png`` and, last, ``comparison.json``."""
    directory = Path(directory)
    written: list[Path] = []
    for label, experiment in comparison.experiments.items():
        written.extend(write_results(experiment, directory / label, command))
    written.append(write_csv(directory / "replications.csv", comparison.replication_table()))
    written.append(write_csv(directory / "comparison.csv", comparison.comparison_table()))
    budget = comparison.cost_breakdown()
    written.append(write_csv(directory / "budget.csv", budget.reset_index()))
    written.append(save_png(cost_breakdown_figure(budget, "scenario"), directory / "budget.png"))
    written.append(write_json(directory / "comparison.json", {
        "reference": comparison.reference, "scenarios": comparison.labels, "seed": comparison.seed,
        "replications": comparison.replications, "run_seconds": round(comparison.wall_seconds, 3),
        "precision": None if comparison.precision is None else {
            **asdict(comparison.precision),
            "history": [{"replications": n, "half_width": width} for n, width in comparison.history]},
    }))
    return written


def comparison_text(comparison: Comparison, confidence: float = 0.95) -> str:
    """The console table: per KPI, each scenario's mean and CI and its paired difference to the reference
    (differences of shares in percentage points, pp)."""
    table = comparison.comparison_table(confidence)
    level = f"{confidence:.0%} CI"
    header = ("KPI / scenario", "mean", level, f"diff vs {comparison.reference}", level, "")
    rows = []
    for kpi, group in table.groupby("kpi", sort=False):
        rows.append((kpi, "", "", "", "", ""))
        for row in group.itertuples():
            unit = row.unit
            diff = "" if row.scenario == comparison.reference else _number(row.diff, unit, signed=True)
            diff_ci = "" if row.scenario == comparison.reference else _interval(row.diff_low, row.diff_high, unit, True)
            verdict = "" if row.scenario == comparison.reference else _verdict(row.diff, row.distinguishable)
            rows.append((f"  {row.scenario}", _number(row.mean, unit), _interval(row.ci_low, row.ci_high, unit),
                         diff, diff_ci, verdict))
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) if i in (0, 5) else cell.rjust(w)
                       for i, (cell, w) in enumerate(zip(row, widths))).rstrip() for row in [header, *rows]]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)


def _verdict(difference: float, distinguishable) -> str:
    if math.isnan(difference):
        return "(undefined)"
    if distinguishable is pd.NA or distinguishable is None:
        return "(CI needs 2+ replications)"
    return "" if distinguishable else "not distinguishable from noise"


def _number(value: float, unit: str, signed: bool = False) -> str:
    if value is None or math.isnan(value):
        return "-"
    sign = "+" if signed else ""
    if unit == "share":
        # A difference of two shares is in percentage points, not a percentage of anything.
        return f"{value * 100:+.2f} pp" if signed else f"{value * 100:.2f}%"
    if abs(value) >= 1000:
        return f"{value:{sign},.0f}"
    return f"{value:{sign}.4g}"


def _interval(low: float, high: float, unit: str, signed: bool = False) -> str:
    if math.isnan(low):
        return "-"
    return f"[{_number(low, unit, signed)}, {_number(high, unit, signed)}]"
