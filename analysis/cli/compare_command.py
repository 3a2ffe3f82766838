"""``ccsim compare``: run scenarios on common random numbers and print paired differences (or JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .common import (
    MAX_REPLICATIONS,
    add_output_options,
    add_run_options,
    command_line,
    default_results_folder,
    execution_plan,
    finite_float,
    load_with_options,
    output_folder,
    positive_int,
    replications,
    results_folder,
)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "compare", help="compare scenarios on common random numbers (paired differences against the first)",
        description="Run every scenario with the same seed and replication numbers (common random numbers) "
                    "and print, per KPI, each scenario's mean and 95%% CI and the paired difference against "
                    "the first scenario. With --half-width, replications are added in batches until the CI "
                    "half-width of --target-kpi (every scenario's mean and every paired difference) is at "
                    "most the target, or --max-reps is reached; --reps is then the first stage.")
    parser.add_argument("scenarios", nargs="+", help="scenario TOML files; the first is the reference")
    add_output_options(parser, "results/compare_<first scenario file name without .toml>")
    parser.add_argument("--json", action="store_true",
                        help="print the comparison table as JSON on standard output (messages go to standard error)")
    add_run_options(parser)
    precision = parser.add_argument_group("sequential procedure")
    precision.add_argument("--target-kpi", default="service_level", help="KPI whose CI must be narrow enough")
    precision.add_argument("--half-width", type=_positive_float,
                           help="target 95%% CI half-width of --target-kpi (in the KPI's own units, "
                                "e.g. 0.01 for one point of service level)")
    precision.add_argument("--max-reps", type=replications, default=100,
                           help=f"stop here even if not precise (default 100, at most {MAX_REPLICATIONS:,})")
    precision.add_argument("--batch", type=positive_int, default=5, help="replications added per stage (default 5)")
    parser.set_defaults(handler=_compare)


def _positive_float(text: str) -> float:
    value = finite_float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not a positive number")
    return value


def scenario_labels(paths: list[str]) -> list[str]:
    """File stems, made unique with a suffix where two files share a stem.

    Each label names a results folder inside --out, so a stem that would lead elsewhere or hide the
    folder (``...toml`` has the stem ``..``) gets a ``scenario`` prefix.
    """
    labels: list[str] = []
    for path in paths:
        stem = Path(path).stem
        stem = f"scenario{stem}" if stem.startswith(".") or not stem else stem
        label, count = stem, 1
        while label in labels:
            count += 1
            label = f"{stem}_{count}"
        labels.append(label)
    return labels


def _compare(args) -> int:
    from analysis.metrics.kpis import KPI_UNITS
    from analysis.metrics.stats import precision_warnings
    from analysis.outputs.folders import scenario_digest
    from analysis.runs.compare import PrecisionTarget, comparison_text, run_comparison, write_comparison

    if args.half_width is not None and args.target_kpi not in KPI_UNITS:
        print(f"error: --target-kpi {args.target_kpi!r} is not a KPI (known: {', '.join(KPI_UNITS)})",
              file=sys.stderr)
        return 2
    scenarios = {label: load_with_options(path, args)
                 for label, path in zip(scenario_labels(args.scenarios), args.scenarios)}
    precision = None
    if args.half_width is not None:
        precision = PrecisionTarget(args.target_kpi, args.half_width, args.max_reps, args.batch)
    out = output_folder(args, default_results_folder(f"compare_{next(iter(scenarios))}"))
    inputs = {"scenarios": {label: scenario_digest(scenario) for label, scenario in scenarios.items()},
              "seed": args.seed, "replications": args.reps,
              "precision": None if precision is None else [precision.kpi, precision.half_width,
                                                           precision.max_replications, precision.batch]}
    messages = sys.stderr if args.json else sys.stdout
    with results_folder(out, "compare", inputs, args) as folder:
        comparison = run_comparison(scenarios, args.reps, args.seed, execution_plan(args), precision,
                                    show_progress=not args.quiet)
        write_comparison(comparison, out, command=command_line(args))
        folder.finish()
    print(f"{len(scenarios)} scenario(s), {comparison.replications} replication(s) each on common random "
          f"numbers, seed {args.seed}, {comparison.wall_seconds:.1f} s", file=messages)
    if precision is not None:
        stages = ", ".join(f"{n} reps: {width:.4g}" for n, width in comparison.history)
        print(f"widest 95% CI half-width of {precision.kpi} by stage: {stages} (target {precision.half_width:g})",
              file=messages)
    if args.json:
        print(json.dumps(comparison_json(comparison), indent=2))
    else:
        print(comparison_text(comparison))
    for label, experiment in comparison.experiments.items():
        for warning in precision_warnings(experiment.kpi_table()):
            print(f"warning: {label}: {warning.text()}", file=messages)
    print(f"results written to {out}/", file=messages)
    return 0


def comparison_json(comparison) -> dict:
    """Reference, replications and, per KPI, each scenario's mean, CI and paired difference (nulls where undefined)."""
    import pandas as pd

    from analysis.outputs.files import json_safe

    table = comparison.comparison_table()
    kpis: dict[str, dict] = {}
    for row in table.to_dict(orient="records"):
        entry = {"mean": row["mean"], "ci95": [row["ci_low"], row["ci_high"]], "unit": row["unit"]}
        if row["scenario"] != comparison.reference:
            distinguishable = row["distinguishable"]
            entry.update(diff=row["diff"], diff_ci95=[row["diff_low"], row["diff_high"]],
                         distinguishable=None if pd.isna(distinguishable) else bool(distinguishable))
        kpis.setdefault(row["kpi"], {})[row["scenario"]] = entry
    return json_safe({"reference": comparison.reference, "scenarios": comparison.labels, "seed": comparison.seed,
                      "replications": comparison.replications, "kpis": kpis})
