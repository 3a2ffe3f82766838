"""End to end: a synthetic log written as CSV, loaded, calibrated, summarised and plotted.

The synthetic log (``analysis.calibration.synthetic``) has lognormal handle
times, exponential ("sales") and Weibull ("support") patience, lognormal bot
time and a known self-service share; each is checked within 4 standard
errors of its estimate for the sample at hand.
"""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from analysis.calibration import (
    ALL_CONTACT_TYPES,
    ANONYMOUS_BANK_DAY_TYPES,
    CalibrationSettings,
    DayTypes,
    calibrate,
    format_summary,
    load_anonymous_bank,
    load_contact_log,
    write_contact_log,
)
from analysis.calibration.plots import (
    plot_abandonment_hazard,
    plot_arrivals_by_hour,
    plot_handle_time,
    plot_patience_survival,
    plot_staffing,
)
from analysis.calibration.synthetic import SyntheticSpec, synthetic_contact_log

STANDARD_ERRORS = 4.0
SPEC = SyntheticSpec(days=21, self_service_share=0.25, busyness_cv=0.1)
EXCERPT = Path(__file__).parent / "data" / "anonymous_bank_1999-01_excerpt.tsv"


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipeline") / "log.csv"
    write_contact_log(synthetic_contact_log(np.random.default_rng(2024), SPEC), path)
    contacts, report = load_contact_log(path)
    settings = CalibrationSettings(interval_minutes=60, day_types=DayTypes.weekday_weekend(),
                                   short_handle_seconds=0.0)
    return calibrate(contacts, settings, report)


def test_handle_time_recovered(result):
    for contact_type, truth in SPEC.handle_time.items():
        fit = result.handle_time[contact_type]
        assert fit.best_family == "lognormal"
        sigma, n = truth.kwds["s"], fit.sample_size
        lognormal = fit.best.parameters
        assert lognormal["mu"] == pytest.approx(math.log(truth.kwds["scale"]),
                                                abs=STANDARD_ERRORS * sigma / math.sqrt(n))
        assert lognormal["sigma"] == pytest.approx(sigma, abs=STANDARD_ERRORS * sigma / math.sqrt(2 * n))


def test_patience_recovered(result):
    sales = result.patience["sales"].exponential
    assert sales.parameters["mean"] == pytest.approx(150.0, abs=STANDARD_ERRORS * sales.standard_errors["mean"])
    support = result.patience["support"].weibull
    for name, truth in (("shape", 1.4), ("scale", 240.0)):
        assert support.parameters[name] == pytest.approx(truth, abs=STANDARD_ERRORS * support.standard_errors[name])
    assert result.patience["support"].best.family == "weibull"
    assert ALL_CONTACT_TYPES in result.patience


def test_self_service_share_and_bot_time(result):
    share, n = SPEC.self_service_share, result.contacts
    assert result.bot_time.self_service_share == pytest.approx(share, abs=STANDARD_ERRORS * math.sqrt(
        share * (1 - share) / n))
    lognormal = result.bot_time.fit.candidates["lognormal"].parameters
    assert lognormal["mu"] == pytest.approx(math.log(30.0), abs=STANDARD_ERRORS * 0.5 / math.sqrt(n))


def test_result_shape_and_summary(result):
    assert result.contacts == sum(result.outcome_counts.values())
    assert set(result.contact_type_shares) == {"sales", "support"}
    assert result.contact_type_shares["support"] == pytest.approx(500 / 800, abs=0.02)
    assert result.staffing.per_day["agents_on_duty"].max() <= SPEC.agents
    assert result.arrivals.days_observed == {"weekday": 15, "weekend": 6}
    text = format_summary(result)
    assert "Handle time" in text and "Patience" in text and "Self-service share: 25" in text


def test_plots_render(result):
    figures = [plot_arrivals_by_hour(result.arrivals, "weekday"),
               plot_arrivals_by_hour(result.arrivals, "weekend", contact_type="sales"),
               plot_handle_time(result.handle_time["sales"]),
               plot_patience_survival(result.patience["support"]),
               plot_abandonment_hazard(result.patience["sales"]),
               plot_staffing(result.staffing, "weekday")]
    for figure in figures:
        assert isinstance(figure, Figure) and figure.axes
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        assert buffer.getvalue()[:4] == b"\x89PNG"


def test_calibrate_the_bank_excerpt():
    contacts, report = load_anonymous_bank(EXCERPT)
    result = calibrate(contacts, CalibrationSettings(day_types=ANONYMOUS_BANK_DAY_TYPES), report)
    assert result.bot_time.self_service_share is None
    assert "unknown" in format_summary(result)
    assert result.parse_report is report and result.contacts == 265


def test_outputs_fit_the_scenario_schema(result):
    """The scenario-shaped pieces validate against the engine's schema (phase 2 builds on them)."""
    from pydantic import TypeAdapter

    from sim.config import Distribution, HeadcountRow, VolumeRow

    adapter = TypeAdapter(Distribution)
    fits = [*result.handle_time["sales"].candidates.values(), result.patience["support"].weibull]
    empirical = result.handle_time["sales"].empirical.as_spec(points=50)
    expected_means = [(fit.as_spec(), fit.mean()) for fit in fits] + [(empirical, np.mean(empirical["values"]))]
    for spec, mean in expected_means:
        assert adapter.validate_python(spec).mean_seconds() == pytest.approx(mean, rel=1e-6)
    for row in result.arrivals.volume_rows()[:50]:
        VolumeRow(**row)
    for row in result.staffing.headcount_rows()[:50]:
        HeadcountRow(**row)
