"""From slider positions to `--set PATH=VALUE` overrides, and back to starting positions.

The Adjust page changes nothing itself: each widget yields an override string in the form
`redlines run --set` takes, and :func:`sim.api.apply_overrides` makes the adjusted
scenario. A number is shown as a range (low, high): a plain number is a range of width zero;
a uniform, beta or normal distribution has its bounds moved (its shape kept); a range of
width zero written back is a plain number, a wider range around a plain number a uniform.
"""

from __future__ import annotations

import json
import math
import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from sim import api
from sim.api import Beta, Choice, Normal, Uniform

DIGITS = 4
"""Values are rounded to this many decimals before they are written (slider steps drift)."""
WIDGET_PREFIX = "adjust_w_"
_BARE = re.compile(r"^[a-z][a-z0-9_]*$")
_YAML_WORDS = {"null", "true", "false", "yes", "no", "on", "off", "y", "n", "nan", "inf"}


def widget_key(path: str, part: str = "") -> str:
    """The Adjust page's widget key of a scenario path (page-prefixed, stable)."""
    return WIDGET_PREFIX + path.replace(".", "__") + (f"__{part}" if part else "")


def as_range(number: Any) -> tuple[float, float] | None:
    """A number as (low, high); None for a choice of values (edited in the file).

    >>> as_range(0.4), as_range(Uniform(dist="uniform", low=0.2, high=0.6))
    ((0.4, 0.4), (0.2, 0.6))
    """
    if isinstance(number, Choice):
        return None
    if isinstance(number, Uniform | Beta | Normal):
        return (float(number.low), float(number.high))
    value = float(number)
    return (value, value)


def same_range(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Whether two ranges are equal once rounded as they would be written."""
    if a is None or b is None:
        return a is b
    return all(math.isclose(round(x, DIGITS), round(y, DIGITS)) for x, y in zip(a, b, strict=True))


def from_range(base: Any, low: float, high: float) -> Any:
    """The value to write for a range chosen on a slider, keeping the base's shape.

    >>> from_range(0.5, 0.3, 0.3)
    0.3
    >>> from_range(0.5, 0.2, 0.8)
    {'dist': 'uniform', 'low': 0.2, 'high': 0.8}
    >>> from_range(Beta(dist="beta", a=2, b=5), 0.1, 0.6)
    {'dist': 'beta', 'a': 2.0, 'b': 5.0, 'low': 0.1, 'high': 0.6}
    """
    low, high = round(min(low, high), DIGITS), round(max(low, high), DIGITS)
    if math.isclose(low, high):
        return low
    if not api.is_uncertain(base):
        return {"dist": "uniform", "low": low, "high": high}
    data = base.model_dump(exclude_none=True)
    data["low"], data["high"] = low, high
    if "nominal" in data and not low <= data["nominal"] <= high:
        del data["nominal"]
    return data


def yaml_flow(value: Any) -> str:
    """A value as one line of YAML flow style, as typed after `--set PATH=`.

    >>> yaml_flow({"dist": "uniform", "low": 0.2, "high": 0.8})
    '{dist: uniform, low: 0.2, high: 0.8}'
    >>> yaml_flow(["russia", "null"])
    '[russia, "null"]'
    """
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{yaml_flow(k)}: {yaml_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_flow(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(round(value, DIGITS))
    text = str(value)
    if _BARE.match(text) and text not in _YAML_WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)


def override(path: str, value: Any) -> str:
    """`PATH=VALUE`, the `--set` form."""
    return f"{path}={yaml_flow(value)}"


def range_override(path: str, base: Any, chosen: tuple[float, float] | None) -> str | None:
    """The override for a range slider, or None when it sits on the base value."""
    if chosen is None or same_range(as_range(base), tuple(chosen)):  # type: ignore[arg-type]
        return None
    return override(path, from_range(base, chosen[0], chosen[1]))


TIME_BASED = ("boulware", "linear", "conceder")


def exponent_range(kind: str, exponent: Any) -> tuple[float, float] | None:
    """A time-based strategy's exponent as a range (its kind's default when not given)."""
    if kind not in TIME_BASED:
        return None
    if exponent is None:
        return (api.DEFAULT_EXPONENTS[kind], api.DEFAULT_EXPONENTS[kind])
    return as_range(exponent)


def strategy_override(
    path: str, base_kind: str, base_exponent: Any, kind: str, exponent: tuple[float, float] | None
) -> str | None:
    """One override for an actor's whole strategy (an exponent only fits time-based kinds).

    >>> strategy_override("s", "linear", None, "linear", (1.0, 1.0)) is None
    True
    >>> strategy_override("s", "boulware", 0.3, "hardliner", None)
    's={kind: hardliner}'
    >>> strategy_override("s", "linear", None, "linear", (2.0, 2.0))
    's={kind: linear, exponent: 2.0}'
    """
    chosen = exponent if kind in TIME_BASED else None
    if kind == base_kind and same_range(chosen, exponent_range(base_kind, base_exponent)):
        return None
    strategy: dict[str, Any] = {"kind": kind}
    if chosen is not None:
        strategy["exponent"] = from_range(
            base_exponent if base_exponent is not None else chosen[0], *chosen
        )
    return override(path, strategy)


def allowed_span(
    allowed: api.Range, practical: tuple[float, float] | None = None
) -> tuple[float, float]:
    """A slider's bounds from the table of parameters: the range the checks allow, narrowed
    to a practical window where one is given (a weight has no upper bound, and a drift of
    one per round ends any negotiation at once).

    >>> allowed_span(api.RANGES["batna"])
    (0.0, 1.0)
    >>> allowed_span(api.RANGES["drift"], (-0.05, 0.05))
    (-0.05, 0.05)
    >>> allowed_span(api.RANGES["weight"], (0.0, 1.0))
    (0.0, 1.0)
    """
    low, high = allowed.low, allowed.high
    if practical is not None:
        low, high = max(low, practical[0]), min(high, practical[1])
    return float(low), float(high)


def slider_span(low: float, high: float, values: Iterable[float]) -> tuple[float, float]:
    """Slider bounds: [low, high] widened to hold every value shown on it."""
    shown = list(values)
    return (min([low, *shown]), max([high, *shown]))


def command_line(file_name: str, overrides: Iterable[str], seed: int | None = None) -> str:
    """The `redlines run` command that runs the adjusted scenario from the shipped file."""
    parts = [f"redlines run {file_name}"]
    if seed is not None:
        parts[0] += f" --seed {seed}"
    parts += [f"  --set {shlex.quote(o)}" for o in overrides]
    return " \\\n".join(parts)
