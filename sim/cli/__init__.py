"""The `redlines` command line: a typer app over :mod:`sim.api`, and all text rendering."""

from sim.cli.app import app, main

__all__ = ["app", "main"]
