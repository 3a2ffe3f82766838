"""Distribution specifications for durations (handle time, after-call work, patience, delays).

Every specification names its unit explicitly (``unit = "s" | "min" | "h"``);
``in_seconds()`` returns the same distribution with parameters in seconds,
which is the only form the engine sees.
"""

from __future__ import annotations

import math
from typing import Annotated, Literal, Union

from pydantic import Field, NonNegativeFloat, PositiveFloat, model_validator

from .types import SECONDS_PER_UNIT, StrictModel, TimeUnit


class _Duration(StrictModel):
    unit: TimeUnit = Field(description="Unit of every time parameter: s, min or h.")

    @property
    def _scale(self) -> float:
        return SECONDS_PER_UNIT[self.unit]

    def in_seconds(self) -> "Distribution":
        """The same distribution expressed in seconds."""
        raise NotImplementedError

    def mean_seconds(self) -> float:
        """Expected value in seconds (``inf`` where the mean does not exist)."""
        raise NotImplementedError


class Exponential(_Duration):
    dist: Literal["exponential"]
    mean: PositiveFloat

    def in_seconds(self) -> "Exponential":
        return Exponential(dist="exponential", mean=self.mean * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.mean * self._scale


class Lognormal(_Duration):
    """Lognormal given either by its own ``mean`` and ``sd`` or by ``mu``/``sigma`` of the log."""

    dist: Literal["lognormal"]
    mean: PositiveFloat | None = None
    sd: PositiveFloat | None = None
    mu: float | None = None
    sigma: PositiveFloat | None = None

    @model_validator(mode="after")
    def _one_parameterisation(self) -> "Lognormal":
        by_moments = self.mean is not None and self.sd is not None
        by_log = self.mu is not None and self.sigma is not None
        given = [k for k in ("mean", "sd", "mu", "sigma") if getattr(self, k) is not None]
        if by_moments == by_log or len(given) != 2:
            raise ValueError(
                f"lognormal takes either mean and sd or mu and sigma, got {', '.join(given) or 'none'}"
            )
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
        return Lognormal(dist="lognormal", mu=mu + math.log(self._scale), sigma=sigma, unit="s")

    def mean_seconds(self) -> float:
        mu, sigma = self.in_seconds().log_parameters()
        return math.exp(mu + sigma**2 / 2.0)


class Gamma(_Duration):
    """Gamma given by ``shape`` and ``scale`` or by ``mean`` and ``sd``."""

    dist: Literal["gamma"]
    shape: PositiveFloat | None = None
    scale: PositiveFloat | None = None
    mean: PositiveFloat | None = None
    sd: PositiveFloat | None = None

    @model_validator(mode="after")
    def _one_parameterisation(self) -> "Gamma":
        by_shape = self.shape is not None and self.scale is not None
        by_moments = self.mean is not None and self.sd is not None
        given = [k for k in ("shape", "scale", "mean", "sd") if getattr(self, k) is not None]
        if by_shape == by_moments or len(given) != 2:
            raise ValueError(
                f"gamma takes either shape and scale or mean and sd, got {', '.join(given) or 'none'}"
            )
        return self

    def shape_scale(self) -> tuple[float, float]:
        if self.shape is not None and self.scale is not None:
            return self.shape, self.scale
        assert self.mean is not None and self.sd is not None
        shape = (self.mean / self.sd) ** 2
        return shape, self.mean / shape

    def in_seconds(self) -> "Gamma":
        shape, scale = self.shape_scale()
        return Gamma(dist="gamma", shape=shape, scale=scale * self._scale, unit="s")

    def mean_seconds(self) -> float:
        shape, scale = self.shape_scale()
        return shape * scale * self._scale


class Weibull(_Duration):
    dist: Literal["weibull"]
    shape: PositiveFloat
    scale: PositiveFloat

    def in_seconds(self) -> "Weibull":
        return Weibull(dist="weibull", shape=self.shape, scale=self.scale * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.scale * self._scale * math.gamma(1.0 + 1.0 / self.shape)


class Deterministic(_Duration):
    dist: Literal["deterministic"]
    value: NonNegativeFloat

    def in_seconds(self) -> "Deterministic":
        return Deterministic(dist="deterministic", value=self.value * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return self.value * self._scale


class Uniform(_Duration):
    dist: Literal["uniform"]
    low: NonNegativeFloat
    high: NonNegativeFloat

    @model_validator(mode="after")
    def _ordered(self) -> "Uniform":
        if self.high < self.low:
            raise ValueError(f"high ({self.high}) must not be below low ({self.low})")
        return self

    def in_seconds(self) -> "Uniform":
        return Uniform(dist="uniform", low=self.low * self._scale, high=self.high * self._scale, unit="s")

    def mean_seconds(self) -> float:
        return (self.low + self.high) / 2.0 * self._scale


class Empirical(_Duration):
    """Resampling of observed durations, listed inline or read from a CSV file.

    ``file`` is relative to the scenario file; the loader reads it into
    ``values`` before the run, so a resolved scenario is self-contained.
    """

    dist: Literal["empirical"]
    values: list[NonNegativeFloat] | None = None
    weights: list[NonNegativeFloat] | None = None
    file: str | None = None
    column: str | None = Field(default=None, description="CSV column to read (default: the first).")

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
        return self

    def in_seconds(self) -> "Empirical":
        if self.values is None:
            raise ValueError("empirical file must be loaded before use")
        return Empirical(
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


class MixtureComponent(StrictModel):
    weight: PositiveFloat
    distribution: "Distribution"


class Mixture(StrictModel):
    """A weighted mix of distributions, e.g. a share of very short calls plus a lognormal body.

    Each component names its own unit; weights are relative (normalised to 1).
    """

    dist: Literal["mixture"]
    components: list[MixtureComponent] = Field(min_length=1)

    def in_seconds(self) -> "Mixture":
        return Mixture(dist="mixture", components=[
            MixtureComponent(weight=c.weight, distribution=c.distribution.in_seconds()) for c in self.components])

    def mean_seconds(self) -> float:
        total = sum(c.weight for c in self.components)
        return sum(c.weight * c.distribution.mean_seconds() for c in self.components) / total


Distribution = Annotated[
    Union[Exponential, Lognormal, Gamma, Weibull, Deterministic, Uniform, Empirical, Mixture],
    Field(discriminator="dist"),
]
"""A duration distribution; the ``dist`` key selects the family."""

MixtureComponent.model_rebuild()
Mixture.model_rebuild()
