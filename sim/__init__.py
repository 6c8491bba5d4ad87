"""Red Lines: a scenario simulator of negotiation conditions.

The package is importable without a browser; the CLI (`sim.cli`) and the dashboard are two
thin faces over the same functions. Heavy modules load on first use, so importing `sim`
(and starting `redlines --help`) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "load_scenario": "sim.loader",
    "compile_scenario": "sim.space",
    "run": "sim.model",
    "simulate": "sim.model",
    "analyse": "sim.analysis",
    "sweep": "sim.sweep",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
