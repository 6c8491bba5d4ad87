"""Uncertain numbers: the value a distribution stands for, its bounds, and draws from it.

Every draw takes an explicit :class:`numpy.random.Generator`; nothing here touches global
random state.
"""

from __future__ import annotations

import numpy as np

from sim.scenario import Beta, Choice, Normal, Uniform

Distribution = Uniform | Beta | Normal | Choice


def is_uncertain(value: object) -> bool:
    """Whether a scenario number is a distribution rather than a plain number."""
    return isinstance(value, Uniform | Beta | Normal | Choice)


def nominal(value: float | Distribution) -> float:
    """The one value a number stands for: itself, or the distribution's declared nominal.

    Without a declared nominal: the midpoint of a uniform, the mean of a beta, the mean of a
    normal clipped to its bounds, the weighted mean of a choice.

    >>> nominal(Uniform(dist="uniform", low=0.2, high=0.6))
    0.4
    """
    if isinstance(value, float | int):
        return float(value)
    if value.nominal is not None:
        return float(value.nominal)
    if isinstance(value, Uniform):
        return (value.low + value.high) / 2
    if isinstance(value, Beta):
        return value.low + (value.high - value.low) * value.a / (value.a + value.b)
    if isinstance(value, Normal):
        return float(min(max(value.mean, value.low), value.high))
    weights = np.asarray(value.weights if value.weights else [1.0] * len(value.values))
    return float(np.dot(weights, value.values) / weights.sum())


def bounds(value: float | Distribution) -> tuple[float, float]:
    """The smallest and largest value a number can take."""
    if isinstance(value, float | int):
        return float(value), float(value)
    if isinstance(value, Choice):
        return float(min(value.values)), float(max(value.values))
    return float(value.low), float(value.high)


def sample(value: float | Distribution, rng: np.random.Generator) -> float:
    """One draw of a number (a plain number is returned as it is, drawing nothing)."""
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, Uniform):
        if value.high <= value.low:  # a point (also 0.0 vs -0.0, which numpy refuses)
            return float(value.low)
        return float(rng.uniform(value.low, value.high))
    if isinstance(value, Beta):
        return float(value.low + (value.high - value.low) * rng.beta(value.a, value.b))
    if isinstance(value, Normal):
        return float(np.clip(rng.normal(value.mean, value.sd), value.low, value.high))
    if value.weights is None:
        return float(value.values[int(rng.integers(len(value.values)))])
    p = np.asarray(value.weights, dtype=float)
    return float(value.values[int(rng.choice(len(value.values), p=p / p.sum()))])
