"""The fitted numbers of a calibration as tables (``fit_*.csv`` in the fit report folder), for
spreadsheets and the HTML report: arrivals per day type, handle time and patience per contact type."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from analysis.outputs.files import write_csv

from .fitting import CalibrationResult


def arrival_table(result: CalibrationResult) -> pd.DataFrame:
    arrivals = result.arrivals
    return pd.DataFrame([{"day_type": label, "days_observed": arrivals.days_observed.get(label, 0),
                          "expected_contacts_per_day": arrivals.expected_daily_total(label),
                          "busyness_cv": arrivals.busyness_cv}
                         for label in arrivals.day_types.labels])


def handle_time_table(result: CalibrationResult) -> pd.DataFrame:
    rows = []
    for label, fit in result.handle_time.items():
        best = fit.best
        rows.append({"contact_type": label, "calls_fitted": fit.sample_size, "short_left_out": fit.excluded_short,
                     "best_family": fit.best_family or "", "best_aic": best.aic if best else math.nan,
                     "ks_distance": best.ks_statistic if best else math.nan,
                     "recommended": fit.recommended.family, "mean_seconds": fit.recommended.mean()})
    return pd.DataFrame(rows)


def patience_table(result: CalibrationResult) -> pd.DataFrame:
    rows = []
    for label, estimate in result.patience.items():
        best = estimate.best
        rows.append({"contact_type": label, "queued": estimate.queued, "abandoned": estimate.abandoned,
                     "abandon_share": estimate.abandonment_share,
                     "kaplan_meier_median_seconds": estimate.kaplan_meier.median(),
                     "best_model": best.family if best else "", "mean_seconds": best.mean() if best else math.nan,
                     "naive_mean_seconds": estimate.naive_mean_seconds})
    return pd.DataFrame(rows)


def write_fit_tables(result: CalibrationResult, directory: str | Path) -> list[Path]:
    """``fit_arrivals.csv``, ``fit_handle_time.csv``, ``fit_patience.csv`` and (when it was fitted)
    ``fit_patience_by_queue.csv``, and ``fit_type_order.csv`` in ``directory``."""
    directory = Path(directory)
    written = [write_csv(directory / "fit_arrivals.csv", arrival_table(result)),
               write_csv(directory / "fit_handle_time.csv", handle_time_table(result)),
               write_csv(directory / "fit_patience.csv", patience_table(result))]
    queue = result.queue_patience
    if queue is not None:
        written.append(write_csv(directory / "fit_patience_by_queue.csv", queue.table.assign(
            within_seconds=queue.within_seconds, reference_below=queue.reference, p_value=queue.p_value,
            written=queue.significant)))
    if result.type_order is not None:
        written.append(write_csv(directory / "fit_type_order.csv", result.type_order.table()))
    return written
