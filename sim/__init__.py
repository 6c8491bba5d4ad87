"""Red Lines: a scenario simulator of negotiation conditions.

`sim.api` is the facade for Python users and the dashboard; the CLI (`sim.cli`) is a face over
it. The layers, each importing only those before it: `sim.errors` <- `sim.scenario` (the
language) <- `sim.engine` (arrays and the mesa model) <- `sim.analysis` (the bargaining
space) <- `sim.explore` (many runs) <- `sim.api` <- `sim.cli`.
"""
