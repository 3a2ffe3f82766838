"""Vectorised samplers for the duration distributions of a scenario (in seconds)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .config import distributions as spec

Sampler = Callable[[np.random.Generator, int], np.ndarray]


def sampler_for(distribution: spec.Distribution | None) -> Sampler:
    """A function ``(generator, n) -> n draws in seconds``; ``None`` means never (infinite)."""
    if distribution is None:
        return lambda generator, size: np.full(size, np.inf)
    seconds = distribution.in_seconds()
    if isinstance(seconds, spec.Exponential):
        mean = seconds.mean
        return lambda generator, size: generator.exponential(mean, size)
    if isinstance(seconds, spec.Lognormal):
        mu, sigma = seconds.log_parameters()
        return lambda generator, size: generator.lognormal(mu, sigma, size)
    if isinstance(seconds, spec.Gamma):
        shape, scale = seconds.shape_scale()
        return lambda generator, size: generator.gamma(shape, scale, size)
    if isinstance(seconds, spec.Weibull):
        shape, scale = seconds.shape, seconds.scale
        return lambda generator, size: scale * generator.weibull(shape, size)
    if isinstance(seconds, spec.Deterministic):
        value = seconds.value
        return lambda generator, size: np.full(size, value)
    if isinstance(seconds, spec.Uniform):
        low, high = seconds.low, seconds.high
        return lambda generator, size: generator.uniform(low, high, size)
    if isinstance(seconds, spec.Empirical):
        return _empirical_sampler(seconds)
    if isinstance(seconds, spec.Mixture):
        return _mixture_sampler(seconds)
    raise TypeError(f"no sampler for {type(distribution).__name__}")


def _empirical_sampler(distribution: spec.Empirical) -> Sampler:
    values = np.asarray(distribution.values, dtype=float)
    if distribution.weights is None:
        return lambda generator, size: values[generator.integers(0, len(values), size)]
    cumulative = np.cumsum(distribution.weights, dtype=float)
    cumulative /= cumulative[-1]
    return lambda generator, size: values[np.searchsorted(cumulative, generator.random(size), side="right")]


def _mixture_sampler(distribution: spec.Mixture) -> Sampler:
    weights = np.array([component.weight for component in distribution.components], dtype=float)
    weights /= weights.sum()
    samplers = [sampler_for(component.distribution) for component in distribution.components]

    def sample(generator: np.random.Generator, size: int) -> np.ndarray:
        # Component labels first, then each component's draws in a fixed order: reproducible.
        labels = generator.choice(len(samplers), size=size, p=weights)
        values = np.empty(size)
        for index, sampler in enumerate(samplers):
            chosen = labels == index
            values[chosen] = sampler(generator, int(chosen.sum()))
        return values

    return sample
