"""The scenario language: what an analyst writes, read and checked into one frozen scenario.

`build` is the one path from a file, text or data to a checked scenario; every entry point
(the CLI, sweeps, sensitivity, discovery, the dashboard) goes through it.
"""
