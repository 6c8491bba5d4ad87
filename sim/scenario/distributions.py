"""Uncertain numbers: the distributions a scenario may give instead of a number, the value a
distribution stands for, its bounds, and draws from it.

Every draw takes an explicit :class:`numpy.random.Generator`; nothing here touches global
random state.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    Field,
    TypeAdapter,
    WrapValidator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.scenario.fields import Finite, Strict

# --- distributions -------------------------------------------------------------------------


class Uniform(Strict):
    """A number drawn uniformly between `low` and `high`."""

    dist: Literal["uniform"]
    """Names the distribution."""
    low: Finite
    """The smallest value."""
    high: Finite
    """The largest value (at least `low`; equal to it for a fixed number)."""
    nominal: Finite | None = None
    """The value used when one number is needed (default: the midpoint)."""

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        _check_bounds(self.low, self.high, self.nominal)
        return self


class Beta(Strict):
    """A beta(a, b) distribution stretched onto [`low`, `high`] (default [0, 1])."""

    dist: Literal["beta"]
    """Names the distribution."""
    a: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """First shape parameter (alpha > 0); the mean on [0, 1] is a / (a + b)."""
    b: Annotated[float, Field(gt=0, allow_inf_nan=False)]
    """Second shape parameter (beta > 0)."""
    low: Finite = 0.0
    """Where the beta's 0 lands."""
    high: Finite = 1.0
    """Where the beta's 1 lands."""
    nominal: Finite | None = None
    """The value used when one number is needed (default: the mean)."""

    @model_validator(mode="after")
    def _ordered(self) -> Beta:
        _check_bounds(self.low, self.high, self.nominal)
        return self


class Normal(Strict):
    """A normal distribution (mean `mean`, standard deviation `sd`) clipped to [low, high]."""

    dist: Literal["normal"]
    """Names the distribution."""
    mean: Finite
    """The mean before clipping."""
    sd: Annotated[float, Field(ge=0, allow_inf_nan=False)]
    """The standard deviation (0: always the mean, clipped to the bounds)."""
    low: Finite
    """A draw below it counts as `low` (clipped; the bounds are required)."""
    high: Finite
    """A draw above it counts as `high`."""
    nominal: Finite | None = None
    """The value used when one number is needed (default: the mean, clipped to the bounds)."""

    @model_validator(mode="after")
    def _ordered(self) -> Normal:
        _check_bounds(self.low, self.high, self.nominal)
        return self


class Choice(Strict):
    """One of a list of numbers, with optional weights (default: equally likely)."""

    dist: Literal["choice"]
    """Names the distribution."""
    values: Annotated[list[Finite], Field(min_length=1, max_length=10_000)]
    """The numbers to choose from."""
    weights: list[Annotated[float, Field(ge=0, allow_inf_nan=False)]] | None = None
    """Relative weights, one per value (not all zero; they need not add up to 1)."""
    nominal: Finite | None = None
    """The value used when one number is needed (default: the weighted mean)."""

    @model_validator(mode="after")
    def _weights_fit(self) -> Choice:
        if self.weights is not None:
            if len(self.weights) != len(self.values):
                raise ValueError(
                    f"weights has {len(self.weights)} entries but values has {len(self.values)}"
                )
            total = sum(self.weights)
            if total <= 0:
                raise ValueError("weights must not all be zero")
            if not math.isfinite(total):
                raise ValueError("weights add up to more than a float holds: use smaller weights")
        return self


def _check_bounds(low: float, high: float, nominal: float | None) -> None:
    if low > high:
        raise ValueError(f"low ({low}) is greater than high ({high})")
    if nominal is not None and not low <= nominal <= high:
        raise ValueError(f"nominal ({nominal}) lies outside [{low}, {high}]")


Distribution = Annotated[Uniform | Beta | Normal | Choice, Field(discriminator="dist")]
_DISTRIBUTION = TypeAdapter(Distribution)


def _number_or_distribution(value: Any, handler: Any) -> Any:
    """Accept a finite number or a distribution mapping, with one clear message otherwise."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "number_or_distribution", "expected a number or a distribution, got true/false"
        )
    if isinstance(value, int | float):
        try:
            number = float(value)
        except OverflowError:  # an integer beyond the float range, e.g. 10**400
            raise PydanticCustomError(
                "finite_number", "expected a finite number, got an integer too large for a float"
            ) from None
        if not math.isfinite(number):
            raise PydanticCustomError(
                "finite_number", "expected a finite number, got {value}", {"value": str(value)}
            )
        return number
    if isinstance(value, dict):
        return _DISTRIBUTION.validate_python(value)
    if isinstance(value, Uniform | Beta | Normal | Choice):
        return value
    raise PydanticCustomError(
        "number_or_distribution",
        "expected a number or a distribution (a mapping with dist: uniform, beta, normal or "
        "choice), got {kind}",
        {"kind": type(value).__name__},
    )


Number = Annotated[float | Distribution, WrapValidator(_number_or_distribution)]
"""A number, or a distribution of numbers for Monte Carlo sweeps."""


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
