"""Maximum-likelihood fits of duration distributions, with optional right-censoring.

Families and parameter names follow the scenario schema (all in seconds):
exponential ``mean``; lognormal ``mu``, ``sigma`` (of the log); gamma
``shape``, ``scale``; weibull ``shape``, ``scale``. :meth:`FittedDistribution.as_spec`
gives the dict a scenario file takes. Censored fits (exponential, Weibull)
serve patience, where answered contacts only tell us patience exceeded the wait.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize, special, stats

PARAMETRIC_FAMILIES: tuple[str, ...] = ("lognormal", "gamma", "weibull", "exponential")
PARAMETER_COUNT: dict[str, int] = {"exponential": 1, "lognormal": 2, "gamma": 2, "weibull": 2}


@dataclass(frozen=True)
class FittedDistribution:
    """A parametric duration distribution fitted by maximum likelihood.

    ``ks_statistic`` is the Kolmogorov-Smirnov distance between the data and
    the fit (for censored data: the largest gap to the Kaplan-Meier curve);
    its p-value is optimistic because the parameters came from the same data
    and is NaN for censored fits. ``standard_errors`` come from the observed
    (or Fisher) information.
    """

    family: str
    parameters: dict[str, float]
    sample_size: int
    log_likelihood: float
    standard_errors: dict[str, float] = field(default_factory=dict)
    ks_statistic: float = math.nan
    ks_pvalue: float = math.nan
    events: int | None = None  # observed (uncensored) values when censoring was involved

    @property
    def aic(self) -> float:
        """Akaike information criterion, 2k - 2 log L (lower is better)."""
        return 2.0 * PARAMETER_COUNT[self.family] - 2.0 * self.log_likelihood

    def frozen(self) -> Any:
        """The scipy frozen distribution with these parameters (scipy has no public type for it)."""
        p = self.parameters
        if self.family == "exponential":
            return stats.expon(scale=p["mean"])
        if self.family == "lognormal":
            return stats.lognorm(s=p["sigma"], scale=math.exp(p["mu"]))
        if self.family == "gamma":
            return stats.gamma(a=p["shape"], scale=p["scale"])
        if self.family == "weibull":
            return stats.weibull_min(c=p["shape"], scale=p["scale"])
        raise ValueError(f"unknown family {self.family!r}")

    def mean(self) -> float:
        return float(self.frozen().mean())

    def pdf(self, x: np.ndarray) -> np.ndarray:
        return self.frozen().pdf(x)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return self.frozen().cdf(x)

    def survival(self, x: np.ndarray) -> np.ndarray:
        return self.frozen().sf(x)

    def scaled(self, factor: float) -> "FittedDistribution":
        """The same family and shape with every duration multiplied by ``factor`` (fit statistics kept)."""
        parameters = dict(self.parameters)
        if self.family == "lognormal":
            parameters["mu"] += math.log(factor)
        else:
            parameters["mean" if self.family == "exponential" else "scale"] *= factor
        return dataclasses.replace(self, parameters=parameters)

    def as_spec(self) -> dict[str, float | str]:
        """Scenario-file form: ``{"dist": family, "unit": "s", <parameters>}``."""
        return {"dist": self.family, "unit": "s", **{k: float(v) for k, v in self.parameters.items()}}


def _ks(values: np.ndarray, fitted: FittedDistribution) -> FittedDistribution:
    """The same fit with its Kolmogorov-Smirnov distance to ``values``."""
    result = stats.kstest(values, fitted.cdf)
    return dataclasses.replace(fitted, ks_statistic=float(result.statistic), ks_pvalue=float(result.pvalue))


def fit_lognormal(values: np.ndarray) -> FittedDistribution:
    """Closed-form MLE: mean and (n-denominator) standard deviation of the logs."""
    logs = np.log(values)
    n = len(values)
    mu, sigma = float(logs.mean()), float(logs.std())
    log_likelihood = float(stats.norm.logpdf(logs, mu, sigma).sum() - logs.sum())
    errors = {"mu": sigma / math.sqrt(n), "sigma": sigma / math.sqrt(2 * n)}
    return _ks(values, FittedDistribution("lognormal", {"mu": mu, "sigma": sigma}, n, log_likelihood, errors))


def fit_gamma(values: np.ndarray) -> FittedDistribution:
    """MLE: the shape solves log k - digamma(k) = log(mean) - mean(log x); scale = mean / k."""
    n = len(values)
    mean = float(values.mean())
    gap = math.log(mean) - float(np.log(values).mean())
    if gap <= 0:  # all values equal: no spread to fit
        raise ValueError("gamma fit needs values that are not all equal")
    # Minka's approximation brackets the root tightly.
    start = (3 - gap + math.sqrt((gap - 3) ** 2 + 24 * gap)) / (12 * gap)
    shape = optimize.brentq(lambda k: math.log(k) - special.digamma(k) - gap, start / 10, start * 10)
    scale = mean / shape
    log_likelihood = float(stats.gamma.logpdf(values, shape, scale=scale).sum())
    # Inverse Fisher information of (shape, scale).
    information = n * np.array([[special.polygamma(1, shape), 1 / scale], [1 / scale, shape / scale**2]])
    covariance = np.linalg.inv(information)
    errors = {"shape": float(math.sqrt(covariance[0, 0])), "scale": float(math.sqrt(covariance[1, 1]))}
    fitted = FittedDistribution("gamma", {"shape": float(shape), "scale": float(scale)}, n, log_likelihood, errors)
    return _ks(values, fitted)


def exponential_censored(times: np.ndarray, observed: np.ndarray) -> FittedDistribution:
    """Exponential MLE with right-censoring: rate = events / total time at risk.

    With no censoring this is the sample mean. SE(mean) = mean / sqrt(events).
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    events = int(observed.sum())
    exposure = float(times.sum())
    if events == 0 or exposure <= 0:
        raise ValueError("exponential fit needs at least one observed (uncensored) value")
    rate = events / exposure
    log_likelihood = events * math.log(rate) - rate * exposure
    mean = 1.0 / rate
    return FittedDistribution("exponential", {"mean": mean}, len(times), log_likelihood,
                              {"mean": mean / math.sqrt(events)}, events=events)


def _weibull_log_likelihood(log_shape: float, log_scale: float, times: np.ndarray, observed: np.ndarray) -> float:
    shape = math.exp(log_shape)
    event_times = times[observed]
    return float(observed.sum() * (log_shape - shape * log_scale)
                 + (shape - 1) * np.log(event_times).sum()
                 - np.exp(shape * (np.log(times) - log_scale)).sum())


def _weibull_profile_scale(shape: float, log_times: np.ndarray, events: int) -> float:
    """log of the scale that maximises the likelihood for a given shape: (sum t^k / d)^(1/k)."""
    return float((special.logsumexp(shape * log_times) - math.log(events)) / shape)


def weibull_censored(times: np.ndarray, observed: np.ndarray) -> FittedDistribution:
    """Weibull MLE with right-censoring.

    For a fixed shape k the best scale is (sum t^k / d)^(1/k) (d = events), so
    only the profile likelihood in k is maximised numerically. Standard errors
    come from a numerical Hessian of the full log-likelihood in (log k, log scale).
    Times must be positive (shift zero event times before calling).
    """
    times = np.asarray(times, dtype=float)
    observed = np.asarray(observed, dtype=bool)
    events = int(observed.sum())
    if events == 0:
        raise ValueError("Weibull fit needs at least one observed (uncensored) value")
    if np.any(times <= 0):
        raise ValueError("Weibull fit needs positive times")
    log_times = np.log(times)

    def negative_profile(log_shape: float) -> float:
        log_scale = _weibull_profile_scale(math.exp(log_shape), log_times, events)
        return -_weibull_log_likelihood(log_shape, log_scale, times, observed)

    best = optimize.minimize_scalar(negative_profile, bounds=(math.log(0.02), math.log(50.0)), method="bounded",
                                    options={"xatol": 1e-8})
    log_shape = float(best.x)
    log_scale = _weibull_profile_scale(math.exp(log_shape), log_times, events)
    shape, scale = math.exp(log_shape), math.exp(log_scale)
    errors = _delta_method_errors(
        lambda point: _weibull_log_likelihood(point[0], point[1], times, observed),
        np.array([log_shape, log_scale]), np.array([shape, scale]))
    return FittedDistribution("weibull", {"shape": shape, "scale": scale}, len(times), -float(best.fun),
                              {"shape": errors[0], "scale": errors[1]}, events=events)


def fit_weibull(values: np.ndarray) -> FittedDistribution:
    """Weibull MLE for fully observed values (the censored fit with no censoring)."""
    fitted = weibull_censored(values, np.ones(len(values), dtype=bool))
    return _ks(values, dataclasses.replace(fitted, events=None))


def fit_exponential(values: np.ndarray) -> FittedDistribution:
    """Exponential MLE for fully observed values (the mean)."""
    fitted = exponential_censored(values, np.ones(len(values), dtype=bool))
    return _ks(values, dataclasses.replace(fitted, events=None))


FITTERS = {"lognormal": fit_lognormal, "gamma": fit_gamma, "weibull": fit_weibull, "exponential": fit_exponential}


def _numerical_hessian(function, point: np.ndarray, step: float = 1e-4) -> np.ndarray:
    """Central-difference Hessian; steps are in log-parameters so one step size suits all."""
    size = len(point)
    hessian = np.empty((size, size))
    for i in range(size):
        for j in range(size):
            shifts = np.zeros((4, size))
            shifts[:, i] += np.array([1, 1, -1, -1]) * step
            shifts[:, j] += np.array([1, -1, 1, -1]) * step
            values = [function(point + shift) for shift in shifts]
            hessian[i, j] = (values[0] - values[1] - values[2] + values[3]) / (4 * step * step)
    return hessian


def _delta_method_errors(log_likelihood, log_point: np.ndarray, point: np.ndarray) -> list[float]:
    """Standard errors of exp(log_point) from the observed information in log space."""
    information = -_numerical_hessian(log_likelihood, log_point)
    try:
        covariance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return [math.nan] * len(point)
    variances = np.diag(covariance)
    return [float(value * math.sqrt(var)) if var > 0 else math.nan for value, var in zip(point, variances)]


@dataclass(frozen=True)
class EmpiricalDistribution:
    """The observed values themselves, for resampling when no family fits well."""

    values: np.ndarray  # sorted
    family = "empirical"  # not a field: the same for every instance, read like FittedDistribution.family

    @classmethod
    def of(cls, values: np.ndarray) -> "EmpiricalDistribution":
        return cls(np.sort(np.asarray(values, dtype=float)))

    @property
    def sample_size(self) -> int:
        return len(self.values)

    def mean(self) -> float:
        return float(self.values.mean())

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.values, x, side="right") / len(self.values)

    def scaled(self, factor: float) -> "EmpiricalDistribution":
        return EmpiricalDistribution(self.values * factor)

    def quantiles(self, points: int) -> np.ndarray:
        """``points`` equally spaced quantiles: a compact stand-in for the sample."""
        return np.quantile(self.values, (np.arange(points) + 0.5) / points)

    def as_spec(self, points: int = 200) -> dict[str, object]:
        """Scenario-file form, compressed to ``points`` quantiles (equal weights)."""
        values = self.values if len(self.values) <= points else self.quantiles(points)
        return {"dist": "empirical", "unit": "s", "values": [float(v) for v in values]}
