"""README.md's tour shows the commands' real output: each `console` block is rerun.

A block starts with `$ redlines ...`; its other lines are excerpts of what the command prints
at 80 columns, `...` standing for lines left out. Each run of lines between two `...` must
appear, in order and contiguous, in the output (trailing spaces aside).
"""

from __future__ import annotations

import re
import shlex

import pytest
from typer.testing import CliRunner

from sim.cli.app import app
from tests.builders import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```console\n(.*?)```", README, re.S)


def excerpts(block: str) -> tuple[list[str], list[list[str]]]:
    """The command's arguments, and the runs of lines between `...` markers."""
    first, *lines = block.rstrip("\n").split("\n")
    assert first.startswith("$ redlines "), first
    pieces: list[list[str]] = [[]]
    for line in lines:
        if line == "...":
            pieces.append([])
        else:
            pieces[-1].append(line.rstrip())
    return shlex.split(first[2:])[1:], [p for p in pieces if p]


def contains_in_order(output: list[str], pieces: list[list[str]]) -> bool:
    start = 0
    for piece in pieces:
        for at in range(start, len(output) - len(piece) + 1):
            if output[at : at + len(piece)] == piece:
                start = at + len(piece)
                break
        else:
            return False
    return True


def test_the_tour_has_a_run_an_explanation_and_a_sweep() -> None:
    commands = [excerpts(b)[0][0] for b in BLOCKS]
    assert commands == ["run", "run", "explain", "sweep"]


@pytest.mark.parametrize("block", BLOCKS, ids=lambda b: b.split("\n", 1)[0][2:])
def test_the_tour_output_is_real(block: str) -> None:
    args, pieces = excerpts(block)
    assert sum(len(p) for p in pieces) >= 5, "an excerpt worth showing"
    done = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    assert done.exit_code == 0, done.stderr
    output = [line.rstrip() for line in done.stdout.splitlines()]
    assert contains_in_order(output, pieces), "\n".join(output)


def test_the_excerpt_check_can_fail() -> None:
    output = ["a", "b", "c", "d"]
    assert contains_in_order(output, [["a", "b"], ["d"]])
    assert not contains_in_order(output, [["a", "c"]])
    assert not contains_in_order(output, [["c"], ["b"]])
