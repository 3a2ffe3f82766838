"""Distribution specifications for durations (handle time, after-call work, patience, delays).

Every specification names its unit explicitly (``unit = "s" | "min" | "h"``);
``in_seconds()`` returns the same distribution with parameters in seconds,
which is the only form the engine sees.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .types import (
    MAX_MAGNITUDE,
    SECONDS_PER_UNIT,
    FileReference,
    Label,
    NonNegativeReal,
    PositiveReal,
    Real,
    StrictModel,
    TimeUnit,
)

_EXP_LIMIT = 709.0  # math.exp overflows a float just above this


def _exp(exponent: float) -> float:
    return math.exp(exponent) if exponent < _EXP_LIMIT else math.inf


def check_moments(distribution: "_Duration | Mixture", formula: str) -> None:
    """Raise unless the mean and standard deviation in seconds are finite and at most ``MAX_MAGNITUDE``.

    ``formula`` says how the moments follow from the parameters, for the message.
    """
    mean, variance = distribution.moments_seconds()
    for moment, value in (("mean", mean), ("standard deviation", math.sqrt(max(variance, 0.0))
                                           if not math.isnan(variance) else math.nan)):
        if not value <= MAX_MAGNITUDE:  # also catches NaN
            shown = "too large to compute" if not math.isfinite(value) else f"{value:.3g} s"
            raise ValueError(f"{distribution.dist} has {moment} {shown} ({formula}); a duration's mean and "
                             f"standard deviation must be finite and at most {MAX_MAGNITUDE:g} s")


class _Duration(StrictModel):
    unit: TimeUnit = Field(description="Unit of every time parameter: s, min or h.")

    @property
    def _scale(self) -> float:
        return SECONDS_PER_UNIT[self.unit]

    def in_seconds(self) -> "Distribution":
        """The same distribution expressed in seconds.

        Built without validating again: this one was validated, and values in seconds (or a gamma shape
        derived from mean and sd) may lie beyond the bounds that apply to what a scenario file states.
        """
        raise NotImplementedError

    def mean_seconds(self) -> float:
        """Expected value in seconds (the engine's arithmetic: routing and planning rely on these exact values)."""
        raise NotImplementedError

    def moments_seconds(self) -> tuple[float, float]:
        """Mean and variance in seconds, for validation (``inf`` where too large for a float)."""
        raise NotImplementedError


class Exponential(_Duration):
    dist: Literal["exponential"]
    mean: PositiveReal

    @model_validator(mode="after")
    def _finite_moments(self) -> "Exponential":
        check_moments(self, "sd = mean")
        return self

    def in_seconds(self) -> "Exponential":
        return Exponential.model_construct(dist="exponential", mean=self.mean * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.mean * self._scale

    def moments_seconds(self) -> tuple[float, float]:
        mean = self.mean * self._scale
        return mean, mean * mean


class Lognormal(_Duration):
    """Lognormal given either by its own ``mean`` and ``sd`` or by ``mu``/``sigma`` of the log."""

    dist: Literal["lognormal"]
    mean: PositiveReal | None = None
    sd: PositiveReal | None = None
    mu: Real | None = None
    sigma: PositiveReal | None = None

    @model_validator(mode="after")
    def _one_parameterisation(self) -> "Lognormal":
        by_moments = self.mean is not None and self.sd is not None
        by_log = self.mu is not None and self.sigma is not None
        given = [k for k in ("mean", "sd", "mu", "sigma") if getattr(self, k) is not None]
        if by_moments == by_log or len(given) != 2:
            raise ValueError(
                f"lognormal takes either mean and sd or mu and sigma, got {', '.join(given) or 'none'}"
            )
        check_moments(self, "mean = exp(mu + sigma^2/2), variance = (exp(sigma^2) - 1) mean^2")
        return self

    def log_parameters(self) -> tuple[float, float]:
        """(mu, sigma) of the log of the duration in this spec's unit."""
        if self.mu is not None and self.sigma is not None:
            return self.mu, self.sigma
        assert self.mean is not None and self.sd is not None
        sigma_squared = math.log1p((self.sd / self.mean) ** 2)
        return math.log(self.mean) - sigma_squared / 2.0, math.sqrt(sigma_squared)

    def in_seconds(self) -> "Lognormal":
        mu, sigma = self.log_parameters()
        return Lognormal.model_construct(dist="lognormal", mu=mu + math.log(self._scale), sigma=sigma, unit="s")

    def mean_seconds(self) -> float:
        mu, sigma = self.in_seconds().log_parameters()
        return math.exp(mu + sigma**2 / 2.0)

    def moments_seconds(self) -> tuple[float, float]:
        if self.mean is not None and self.sd is not None:
            return self.mean * self._scale, (self.sd * self._scale) ** 2
        mu, sigma = self.log_parameters()
        log_mean = mu + math.log(self._scale) + sigma**2 / 2.0
        # variance = (exp(sigma^2) - 1) mean^2, in logs so large values overflow to inf instead of raising
        log_excess = math.log(math.expm1(sigma**2)) if sigma**2 < _EXP_LIMIT else sigma**2
        return _exp(log_mean), _exp(2.0 * log_mean + log_excess)


class Gamma(_Duration):
    """Gamma given by ``shape`` and ``scale`` or by ``mean`` and ``sd``."""

    dist: Literal["gamma"]
    shape: PositiveReal | None = None
    scale: PositiveReal | None = None
    mean: PositiveReal | None = None
    sd: PositiveReal | None = None

    @model_validator(mode="after")
    def _one_parameterisation(self) -> "Gamma":
        by_shape = self.shape is not None and self.scale is not None
        by_moments = self.mean is not None and self.sd is not None
        given = [k for k in ("shape", "scale", "mean", "sd") if getattr(self, k) is not None]
        if by_shape == by_moments or len(given) != 2:
            raise ValueError(
                f"gamma takes either shape and scale or mean and sd, got {', '.join(given) or 'none'}"
            )
        if self.mean is not None and self.sd is not None:
            ratio = self.mean / self.sd
            shape = ratio * ratio  # not ** 2, which raises OverflowError instead of giving inf
            if not (0 < shape < math.inf and self.mean / shape > 0):
                raise ValueError(f"gamma with mean {self.mean:g} and sd {self.sd:g} has shape (mean/sd)^2 = "
                                 f"{shape:.3g}, which cannot be sampled; mean and sd are too far apart")
        check_moments(self, "mean = shape x scale, variance = shape x scale^2")
        return self

    def shape_scale(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        assert self.mean is not None and self.sd is not None
        shape = (self.mean / self.sd) ** 2
        return shape, self.mean / shape

    def in_seconds(self) -> "Gamma":
        shape, scale = self.shape_scale()
        return Gamma.model_construct(dist="gamma", shape=shape, scale=scale * self._scale, unit="s")

    def mean_seconds(self) -> float:
        shape, scale = self.shape_scale()
        return shape * scale * self._scale

    def moments_seconds(self) -> tuple[float, float]:
        if self.mean is not None and self.sd is not None:
            return self.mean * self._scale, (self.sd * self._scale) ** 2
        shape, scale = self.shape_scale()
        scale *= self._scale
        return shape * scale, shape * scale * scale


class Weibull(_Duration):
    dist: Literal["weibull"]
    shape: PositiveReal
    scale: PositiveReal

    @model_validator(mode="after")
    def _finite_moments(self) -> "Weibull":
        check_moments(self, "mean = scale x Gamma(1 + 1/shape); a small shape makes it explode")
        return self

    def in_seconds(self) -> "Weibull":
        return Weibull.model_construct(dist="weibull", shape=self.shape, scale=self.scale * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.scale * self._scale * math.gamma(1.0 + 1.0 / self.shape)

    def moments_seconds(self) -> tuple[float, float]:
        # In logs: Gamma(1 + 1/shape) overflows a float for shapes below about 0.006.
        log_scale = math.log(self.scale * self._scale)
        mean = _exp(log_scale + math.lgamma(1.0 + 1.0 / self.shape))
        second = _exp(2.0 * log_scale + math.lgamma(1.0 + 2.0 / self.shape))
        return mean, (second - mean * mean if math.isfinite(second) else math.inf)


class Deterministic(_Duration):
    dist: Literal["deterministic"]
    value: NonNegativeReal

    @model_validator(mode="after")
    def _finite_moments(self) -> "Deterministic":
        check_moments(self, "mean = value")
        return self

    def in_seconds(self) -> "Deterministic":
        return Deterministic.model_construct(dist="deterministic", value=self.value * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.value * self._scale

    def moments_seconds(self) -> tuple[float, float]:
        return self.value * self._scale, 0.0


class Uniform(_Duration):
    dist: Literal["uniform"]
    low: NonNegativeReal
    high: NonNegativeReal

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low})")
        check_moments(self, "mean = (low + high)/2")
        return self

    def in_seconds(self) -> "Uniform":
        return Uniform.model_construct(dist="uniform", low=self.low * self._scale, high=self.high * self._scale,
                                       unit="s")

    def mean_seconds(self) -> float:
        return (self.low + self.high) / 2.0 * self._scale

    def moments_seconds(self) -> tuple[float, float]:
        return (self.low + self.high) / 2.0 * self._scale, ((self.high - self.low) * self._scale) ** 2 / 12.0


class Empirical(_Duration):
    """Resampling of observed durations, listed inline or read from a CSV file.

    ``file`` is relative to the scenario file; the loader reads it into
    ``values`` before the run, so a resolved scenario is self-contained.
    """

    dist: Literal["empirical"]
    values: list[NonNegativeReal] | None = None
    weights: list[NonNegativeReal] | None = None
    file: FileReference | None = None
    column: Label | None = Field(default=None, description="CSV column to read (default: the first).")

    @model_validator(mode="after")
    def _one_source(self) -> "Empirical":
        if (self.values is None) == (self.file is None):
            raise ValueError("empirical takes exactly one of values (a list) or file (a CSV path)")
        if self.values is not None and len(self.values) == 0:
            raise ValueError("empirical values must not be empty")
        if self.weights is not None:
            if self.values is None or len(self.weights) != len(self.values):
                raise ValueError("empirical weights must have one entry per value")
            if sum(self.weights) <= 0:
                raise ValueError("empirical weights must not all be zero")
        if self.values is not None:
            check_moments(self, "weighted mean and variance of the values")
        return self

    def in_seconds(self) -> "Empirical":
        if self.values is None:
            raise ValueError("empirical file must be loaded before use")
        return Empirical.model_construct(
            dist="empirical",
            values=[v * self._scale for v in self.values],
            weights=self.weights,
            unit="s",
        )

    def mean_seconds(self) -> float:
        if self.values is None:
            raise ValueError("empirical file must be loaded before use")
        weights = self.weights or [1.0] * len(self.values)
        return sum(v * w for v, w in zip(self.values, weights)) / sum(weights) * self._scale

    def moments_seconds(self) -> tuple[float, float]:
        if self.values is None:
            raise ValueError("empirical file must be loaded before use")
        weights = self.weights or [1.0] * len(self.values)
        total = math.fsum(weights)
        mean = math.fsum(v * w for v, w in zip(self.values, weights)) / total
        variance = math.fsum(w * (v - mean) ** 2 for v, w in zip(self.values, weights)) / total
        return mean * self._scale, variance * self._scale**2


class MixtureComponent(StrictModel):
    weight: PositiveReal
    distribution: "Distribution"


class Mixture(StrictModel):
    """A weighted mix of distributions, e.g. a share of very short calls plus a lognormal body.

    Each component names its own unit; weights are relative (normalised to 1).
    """

    dist: Literal["mixture"]
    components: list[MixtureComponent] = Field(min_length=1)

    def in_seconds(self) -> "Mixture":
        return Mixture.model_construct(dist="mixture", components=[
            MixtureComponent.model_construct(weight=c.weight, distribution=c.distribution.in_seconds())
            for c in self.components])

    @model_validator(mode="after")
    def _finite_moments(self) -> "Mixture":
        check_moments(self, "weighted over the components")
        return self

    def mean_seconds(self) -> float:
        total = sum(c.weight for c in self.components)
        return sum(c.weight * c.distribution.mean_seconds() for c in self.components) / total

    def moments_seconds(self) -> tuple[float, float]:
        total = math.fsum(c.weight for c in self.components)
        moments = [(c.weight / total, *c.distribution.moments_seconds()) for c in self.components]
        mean = math.fsum(share * m for share, m, _ in moments)
        second = math.fsum(share * (v + m * m) for share, m, v in moments)
        return mean, max(second - mean * mean, 0.0)


Distribution = Annotated[
    Union[Exponential, Lognormal, Gamma, Weibull, Deterministic, Uniform, Empirical, Mixture],
    Field(discriminator="dist"),
]
"""A duration distribution; the ``dist`` key selects the family."""

MixtureComponent.model_rebuild()
Mixture.model_rebuild()
