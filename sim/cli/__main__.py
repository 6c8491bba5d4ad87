"""`python -m sim.cli`: the `redlines` command."""

from sim.cli.app import main

main()
