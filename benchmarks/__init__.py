"""Performance benchmarks of Red Lines (not timed tests): `python -m benchmarks` runs them all.

One script per concern, each runnable alone (`.venv/bin/python benchmarks/bench_engine.py`):
`bench_engine` (negotiations per second on one core), `bench_analysis` (the Pareto frontier of
10^6 outcomes), `bench_sweep` (Monte Carlo sweeps: time, memory, 2-worker speed-up),
`bench_dashboard` (a slider move on the Run page) and `bench_startup` (`redlines --help`
against a bare interpreter). `benchmarks/__main__.py` runs each in its own process and prints
one table of the figures against the targets the issues set; `benchmarks/README.md` keeps the
latest.
"""
