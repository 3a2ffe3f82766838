"""Replications of one scenario: run them (in parallel when asked), keep small summaries.

Each replication returns only its KPIs, per-interval sums and cost
breakdown (plus the contact records of the first one, for ``contacts.csv``),
so parallel workers send little data back.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pandas as pd

from analysis.metrics.cost_to_serve import run_cost_to_serve
from analysis.metrics.costs import cost_breakdown
from analysis.metrics.intervals import interval_sums, summarize_intervals
from analysis.metrics.kpis import KPI_UNITS, compute_kpis
from analysis.metrics.stats import Estimate, kpi_estimates
from analysis.runs.execution import ExecutionPlan
from analysis.runs.runner import Runner
from sim.config import Scenario
from sim.run import simulate


@dataclass(frozen=True)
class ReplicationTask:
    scenario: Scenario
    seed: int
    replication: int
    keep_contacts: bool = False


@dataclass(frozen=True)
class ReplicationOutput:
    replication: int
    kpis: dict[str, float]
    costs: dict[str, float]
    interval_sums: pd.DataFrame
    contacts: pd.DataFrame | None = None
    cost_to_serve: pd.DataFrame | None = None  # analysis.metrics.cost_to_serve.run_cost_to_serve


def run_replication(task: ReplicationTask, progress=None) -> ReplicationOutput:
    """Simulate one replication and reduce it to what the experiment keeps."""
    result = simulate(task.scenario, seed=task.seed, replication=task.replication, progress=progress,
                      records=task.keep_contacts)
    contacts = None
    if task.keep_contacts:
        contacts = result.measured_contacts().drop(columns=["warmup"]).reset_index(drop=True)
    costs = cost_breakdown(result, task.scenario)
    return ReplicationOutput(
        replication=task.replication,
        kpis=compute_kpis(result, task.scenario, costs),
        costs=costs,
        interval_sums=interval_sums(result),
        contacts=contacts,
        cost_to_serve=run_cost_to_serve(result, task.scenario),
    )


@dataclass
class ExperimentResult:
    """All replications of a scenario, and the estimates they support."""

    scenario: Scenario
    seed: int
    outputs: list[ReplicationOutput]
    wall_seconds: float = 0.0
    units: dict[str, str] = field(default_factory=lambda: KPI_UNITS.copy())

    @property
    def replications(self) -> int:
        return len(self.outputs)

    def kpi_table(self) -> pd.DataFrame:
        """One row per replication, one column per KPI."""
        return pd.DataFrame([output.kpis for output in self.outputs],
                            index=pd.Index([o.replication for o in self.outputs], name="replication"))

    def estimates(self, confidence: float = 0.95) -> dict[str, Estimate]:
        return kpi_estimates(self.kpi_table(), self.units, confidence)

    def kpi_summary(self, confidence: float = 0.95) -> pd.DataFrame:
        """One row per KPI: mean, the CI bounds (``ci_low``, ``ci_high``) over replications, and the unit."""
        rows = {name: {"mean": value.mean, "ci_low": value.low, "ci_high": value.high, "unit": self.unit(name)}
                for name, value in self.estimates(confidence).items()}
        return pd.DataFrame.from_dict(rows, orient="index").rename_axis("kpi")

    def unit(self, name: str) -> str:
        unit = self.units.get(name, "")
        return self.scenario.currency if unit == "currency" else unit

    def intervals(self) -> pd.DataFrame:
        return summarize_intervals([o.interval_sums for o in self.outputs],
                                   self.scenario.horizon.interval_minutes * 60,
                                   self.scenario.horizon.start_weekday)

    def cost_table(self) -> pd.DataFrame:
        return pd.DataFrame([output.costs for output in self.outputs])

    @property
    def first_contacts(self) -> pd.DataFrame | None:
        return self.outputs[0].contacts if self.outputs else None

    def contacts(self) -> pd.DataFrame | None:
        """Every kept contact record (the first replication, or all of them with a ``replication`` column);
        None when no replication kept them."""
        kept = [output for output in self.outputs if output.contacts is not None]
        if not kept:
            return None
        if len(kept) == 1 and kept[0].replication == 0 and len(self.outputs) > 1:
            return kept[0].contacts
        return pd.concat([output.contacts.assign(replication=output.replication) for output in kept],
                         ignore_index=True)


CONTACT_RECORDS = ("first", "all", "none")


def run_experiment(scenario: Scenario, replications: int = 5, seed: int = 0, workers: int | None = None,
                   show_progress: bool = True, keep_contacts: bool = True, scheduler: str | None = None,
                   plan: ExecutionPlan | None = None, contacts: str | None = None) -> ExperimentResult:
    """Run ``replications`` independent replications on ``workers`` local processes (default: one
    per core) or a Dask ``scheduler`` (or as ``plan`` says); results do not depend on where they run.

    ``contacts``: which replications keep every contact record: ``"first"``, ``"all"`` or ``"none"``
    (default: ``"first"``, or ``"none"`` with ``keep_contacts=False``). KPIs never need them; a
    replication without records uses memory that does not grow with its contacts.

    Safe to call from a plain script without a ``__main__`` guard, and from a notebook.
    """
    if replications < 1:
        raise ValueError("replications must be at least 1")
    contacts = contacts or ("first" if keep_contacts else "none")
    if contacts not in CONTACT_RECORDS:
        raise ValueError(f"contacts must be one of {', '.join(CONTACT_RECORDS)}, got {contacts!r}")
    plan = plan or ExecutionPlan(workers=workers, scheduler=scheduler)
    tasks = [ReplicationTask(scenario, seed, index, contacts == "all" or (contacts == "first" and index == 0))
             for index in range(replications)]
    started = time.perf_counter()
    with Runner(plan, scenario.name, show_progress=show_progress) as runner:
        outputs = runner.run_all(run_replication, tasks)
    return ExperimentResult(scenario, seed, outputs, time.perf_counter() - started)
