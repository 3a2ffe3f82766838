"""Run the variants of a sweep, every replication as its own task, writing each variant as it finishes.

Replication ``r`` of every variant uses the same seed and replication
number, so variants are compared on common random numbers. Tasks are
(variant, replication) pairs run by one :class:`~analysis.runs.runner.Runner`
(serial, local processes kept for the whole sweep, or Dask); each variant's
scenario goes to a worker once, and results do not depend on where they ran.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.outputs.folders import ResultsFolder, active_folder
from analysis.outputs.results import package_version
from analysis.runs.execution import ExecutionPlan
from analysis.runs.experiment import ReplicationTask
from analysis.runs.runner import Runner
from sim.config import Scenario

from .design import VARIED
from .journal import SweepJournal, SweepMismatchError, fingerprint
from .restaff import check_restaff, restaff_variants
from .spec import SweepSpec
from .tasks import sweep_row
from .variants import SweepLimits, build_variants, check_variant_sizes, design_for, load_base, variant_overrides

KEY_COLUMNS = ("variant", "replication")


def evaluate_variants(runner: Runner, scenarios: Mapping[int, Scenario], seed: int,
                      replications: int) -> Iterator[tuple[int, pd.DataFrame]]:
    """Yield ``(variant, rows)`` as each variant's replications are all done.

    ``rows`` has ``variant``, ``replication`` and the KPI and cost columns,
    one row per replication in replication order.
    """
    variants = [variant for variant in scenarios for _ in range(replications)]
    tasks = [ReplicationTask(scenario, seed, replication)
             for scenario in scenarios.values() for replication in range(replications)]
    pending: dict[int, dict[int, dict[str, float]]] = {variant: {} for variant in scenarios}
    done = 0
    for index, row in runner.run(sweep_row, tasks):
        variant = variants[index]
        pending[variant][tasks[index].replication] = row
        if len(pending[variant]) == replications:
            done += 1
            runner.note(f"variants {done}/{len(scenarios)}")
            yield variant, _variant_rows(variant, pending.pop(variant))


def _variant_rows(variant: int, rows: dict[int, dict[str, float]]) -> pd.DataFrame:
    table = pd.DataFrame([rows[replication] for replication in sorted(rows)])
    table.insert(0, "replication", sorted(rows))
    table.insert(0, "variant", variant)
    return table


@dataclass
class SweepOutcome:
    """A finished sweep: its design and the table of every (variant, replication)."""

    spec: SweepSpec
    directory: Path
    base: Scenario
    design: pd.DataFrame
    results: pd.DataFrame
    ran: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    wall_seconds: float = 0.0
    damaged: list[int] = field(default_factory=list)  # variant files found damaged and run again

    @property
    def factor_paths(self) -> list[str]:
        return self.spec.factor_paths


def prepare_sweep(spec: SweepSpec, limits: SweepLimits = SweepLimits(),
                  ) -> tuple[Scenario, pd.DataFrame, list[Scenario]]:
    """Base scenario, design and every variant, validated and checked against ``limits`` before anything runs."""
    base = load_base(spec)
    check_restaff(spec, base)
    design = design_for(spec, base, limits)
    scenarios = build_variants(spec, base, design)
    check_variant_sizes(spec, design, scenarios, limits)
    return base, design, scenarios


def run_sweep(spec: SweepSpec, directory: str | Path, plan: ExecutionPlan = ExecutionPlan(),
              show_progress: bool = True, restart: bool = False,
              on_variant_done: Callable[[int], None] | None = None,
              prepared: tuple[Scenario, pd.DataFrame, list[Scenario]] | None = None) -> SweepOutcome:
    """Run every variant not finished yet in ``directory``, then assemble ``results.csv``.

    ``on_variant_done(variant)`` is called after each variant's file is
    written (progress reporting; tests use it to interrupt a sweep).
    ``prepared`` is :func:`prepare_sweep`'s result when the caller has it.
    The directory is opened as a results folder (one writer, no links, a
    record of the sweep) unless the caller already did (:func:`sweep_folder`).
    """
    started = time.perf_counter()
    base, design, scenarios = prepared or prepare_sweep(spec)
    metadata = _metadata(spec, base, design)
    opened = None if active_folder(directory) else sweep_folder(directory, metadata["fingerprint"], restart)
    with opened or contextlib.nullcontext():
        journal = SweepJournal(directory)
        journal.start(metadata, design, restart=restart)
        finished = journal.finished(spec.replications) & set(design.index)
        todo = {int(v): scenarios[position] for position, v in enumerate(design.index) if v not in finished}
        todo = restaff_variants(todo, spec, directory, plan, show_progress, restart)
        ran = []
        with Runner(plan, spec.name, show_progress=show_progress) as runner:
            for variant, rows in evaluate_variants(runner, todo, spec.seed, spec.replications):
                journal.record(variant, _with_factors(rows, design, variant))
                ran.append(variant)
                if on_variant_done is not None:
                    on_variant_done(variant)
        results = journal.assemble([int(v) for v in design.index], spec.replications)
        if opened is not None:
            opened.finish()
    return SweepOutcome(spec, Path(directory), base, design, results, sorted(ran), sorted(finished),
                        time.perf_counter() - started, sorted(journal.damaged))


def sweep_folder(directory: str | Path, sweep_fingerprint: str, restart: bool = False,
                 argv: list[str] | None = None) -> ResultsFolder:
    """The results folder of a sweep: a different sweep there is refused unless ``restart``."""
    mismatch = SweepMismatchError(
        f"{directory} holds results of a different sweep (design, base scenario, seed or replications changed); "
        "use another --out directory or --restart to discard them")
    return ResultsFolder(directory, "sweep", {"sweep": sweep_fingerprint}, overwrite=restart, argv=argv,
                         mismatch=mismatch)


def sweep_fingerprint(spec: SweepSpec, base: Scenario, design: pd.DataFrame) -> str:
    """The digest of everything that decides a sweep's numbers (its folder's identity)."""
    return _metadata(spec, base, design)["fingerprint"]


def _with_factors(rows: pd.DataFrame, design: pd.DataFrame, variant: int) -> pd.DataFrame:
    """Insert the variant's factor values (and the oat ``varied`` label) after the key columns."""
    factors = variant_overrides(design, variant)
    if VARIED in design.columns:
        factors = {VARIED: design.at[variant, VARIED], **factors}
    columns = {name: [value] * len(rows) for name, value in factors.items()}
    keys = rows[list(KEY_COLUMNS)]
    return pd.concat([keys, pd.DataFrame(columns, index=rows.index), rows.drop(columns=list(KEY_COLUMNS))], axis=1)


def _metadata(spec: SweepSpec, base: Scenario, design: pd.DataFrame) -> dict:
    content = {"base": base.model_dump(mode="json"), "design": design.reset_index().to_dict(orient="list"),
               "seed": spec.seed, "replications": spec.replications}
    if spec.restaff is not None:  # only then, so sweeps written before restaffing existed still resume
        content["restaff"] = spec.restaff
    return {"name": spec.name, "fingerprint": fingerprint(content), "variants": len(design),
            "replications": spec.replications, "seed": spec.seed, "version": package_version(),
            "restaff": spec.restaff, "spec": spec.model_dump(mode="json"), "base_scenario": content["base"]}
