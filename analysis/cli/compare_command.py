"""``ccsim compare``: run scenarios on common random numbers and print paired differences."""

from __future__ import annotations

import sys
from pathlib import Path

from analysis.metrics.kpis import KPI_UNITS
from analysis.metrics.stats import precision_warnings
from analysis.runs.compare import PrecisionTarget, comparison_text, run_comparison, write_comparison
from analysis.runs.execution import ExecutionPlan

from .common import add_run_options, load_with_options, positive_int


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare scenarios on common random numbers (paired differences against the first)",
        description="Run every scenario with the same seed and replication numbers (common random numbers) "
                    "and print, per KPI, each scenario's mean and 95%% CI and the paired difference against "
                    "the first scenario. With --half-width, replications are added in batches until the CI "
                    "half-width of --target-kpi (every scenario's mean and every paired difference) is at "
                    "most the target, or --max-reps is reached; --reps is then the first stage.")
    parser.add_argument("scenarios", nargs="+", help="scenario TOML files; the first is the reference")
    parser.add_argument("--out", help="results directory (default results/compare_<first scenario>)")
    add_run_options(parser)
    precision = parser.add_argument_group("sequential procedure")
    precision.add_argument("--target-kpi", default="service_level", help="KPI whose CI must be narrow enough")
    precision.add_argument("--half-width", type=float,
                           help="target 95%% CI half-width of --target-kpi (in the KPI's own units, "
                                "e.g. 0.01 for one point of service level)")
    precision.add_argument("--max-reps", type=positive_int, default=100,
                           help="stop here even if not precise (default 100)")
    precision.add_argument("--batch", type=positive_int, default=5, help="replications added per stage (default 5)")
    parser.set_defaults(handler=_compare)


def scenario_labels(paths: list[str]) -> list[str]:
    """File stems, made unique with a suffix where two files share a stem."""
    labels: list[str] = []
    for path in paths:
        stem, label, count = Path(path).stem, Path(path).stem, 1
        while label in labels:
            count += 1
            label = f"{stem}_{count}"
        labels.append(label)
    return labels


def _compare(args) -> int:
    if args.half_width is not None and args.target_kpi not in KPI_UNITS:
        print(f"error: --target-kpi {args.target_kpi!r} is not a KPI (known: {', '.join(KPI_UNITS)})",
              file=sys.stderr)
        return 2
    scenarios = {label: load_with_options(path, args)
                 for label, path in zip(scenario_labels(args.scenarios), args.scenarios)}
    precision = None
    if args.half_width is not None:
        precision = PrecisionTarget(args.target_kpi, args.half_width, args.max_reps, args.batch)
    plan = ExecutionPlan(workers=args.workers, scheduler=args.scheduler)
    comparison = run_comparison(scenarios, args.reps, args.seed, plan, precision, show_progress=not args.quiet)
    print(f"{len(scenarios)} scenario(s), {comparison.replications} replication(s) each on common random "
          f"numbers, seed {args.seed}, {comparison.wall_seconds:.1f} s")
    if precision is not None:
        stages = ", ".join(f"{n} reps: {width:.4g}" for n, width in comparison.history)
        print(f"widest 95% CI half-width of {precision.kpi} by stage: {stages} (target {precision.half_width:g})")
    print(comparison_text(comparison))
    for label, experiment in comparison.experiments.items():
        for warning in precision_warnings(experiment.kpi_table()):
            print(f"warning: {label}: {warning.text()}")
    out = Path(args.out) if args.out else Path("results") / f"compare_{next(iter(scenarios))}"
    write_comparison(comparison, out, command=["ccsim", *sys.argv[1:]])
    print(f"results written to {out}/")
    return 0
