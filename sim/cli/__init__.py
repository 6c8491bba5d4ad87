"""The `redlines` command line and all text rendering.

- :mod:`sim.cli.app`: the typer app, a face over :mod:`sim.api` (the console script runs
  `sim.cli.app:main`);
- :mod:`sim.cli.story`, :mod:`sim.cli.briefing`, :mod:`sim.cli.tables`: results in words.
  They sit below the facade (which re-exports them for the dashboard); the app sits above it.

This file imports nothing, so the renderers load without the app.
"""
