"""Every malformed scenario is refused: exit 2, located messages, no traceback, bounded time and
memory — through every command that reads a scenario file (issue 7, part 1).

A refusal is checked the same way wherever it comes from (:func:`check_refused`): exit code 2;
no "Traceback" anywhere; at least one line on stderr and every line of the form
`FILE:LINE:COL: message` with the file as given, 1 <= LINE <= the file's lines and
1 <= COL <= that line's length + 1; and, when the case says so, the reason in the message.

What runs where, to keep the whole module near a minute on two cores:

- In process (`sim.cli.main` with its argv set, stdout and stderr captured, under a 20 s
  alarm): every light hand-written case through `validate`, and every case whose index is a
  multiple of STRIDE through one of `run`, `explain` and `sweep --runs 10` in turn (every
  command loads the file through the same `sim.cli.load` before doing anything else, so one
  command per case shows that it goes through that gate); the hypothesis-generated cases
  (:mod:`tests.adversarial.generated`) through `validate`.
- Malformed `--set` arguments (OVERRIDES) in process through every command that takes
  them, on the minimal scenario: located as `--set:N:1:` (the N-th override).
- Paths that are not regular files (missing, a directory, a FIFO, /dev/zero, symlinks going
  nowhere) through every command, in process.
- Through the dashboard: every DASHBOARD_STRIDE-th light case uploaded on the Scenario page
  of one Streamlit AppTest (the app keeps running, shows an error, and the problems in its
  code block are located in the uploaded file's name).
- In subprocesses (`python -m sim.cli`, address space capped at 2 GiB with `ulimit -v`, a 20 s
  timeout, the child's peak memory read with `wait4`): every hand-written case, heavy ones
  included, through `validate`, many files per interpreter (each file's lines checked on
  their own; the interpreters start with the first in-process test and run beside them);
  and SUBSET, one case of each family, through `run`, `explain` and `sweep`, one
  interpreter per case.

`COMMANDS` lists the commands explicitly: a command joins when it has landed in git.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO

import pytest
from hypothesis import HealthCheck, given, note, settings
from streamlit.testing.v1 import AppTest

from sim.cli.app import main
from tests.adversarial.corpus import MINIMAL, OVERRIDES, Case, hand_written, write_case
from tests.adversarial.generated import Broken, broken_scenarios
from tests.builders import BASELINE, REPO, scenario_folder

COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "run": ["run"],
    "explain": ["explain"],
    "sweep": ["sweep", "--runs", "10"],
}
"""Every command that reads a scenario file, with the arguments it is given here."""

TIMEOUT = 20.0
"""Seconds any one case may take, in process or in a subprocess."""
MEMORY_LIMIT_KIB = 2 * 1024 * 1024
"""The address space a subprocess may map (ulimit -v); past it, allocations fail."""
PEAK_LIMIT_KIB = 1024 * 1024
"""The resident memory a subprocess may reach."""
STRIDE = 4
"""One light case in STRIDE also goes through run, explain or sweep in process."""
DASHBOARD_STRIDE = 3
"""One light case in DASHBOARD_STRIDE is uploaded to the dashboard."""
BATCHES = 2
"""Interpreters sharing the corpus in the `validate` subprocess test (started with the first
in-process test, so they run beside it on the second core)."""
SUBSET = ("billion_laughs", "source_path_etc_passwd", "range_trillion_steps")
"""One case for each gate a file passes late (YAML events, the source files, the size of the
outcome space), for the slow per-command subprocess test."""
GENERATED = max(settings().max_examples // 2, 10)
"""Hypothesis-generated cases per run: half the profile's count (100 with the `dev` and `ci`
profiles of tests/conftest.py; `HYPOTHESIS_PROFILE=long` runs 2,500)."""

CASES = hand_written()
LIGHT = [case for case in CASES if not case.heavy]
BY_NAME = {case.name: case for case in CASES}
LOCATED = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): \S")


# --- running a command ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What a command did with one invocation."""

    code: int | None
    """Exit code; None when it did not finish in time."""
    stdout: str
    stderr: str
    seconds: float
    peak_kib: int = 0
    """Peak resident memory of the subprocess (0 in process)."""


class Hang(BaseException):
    """Raised by the alarm in a command that runs too long (a BaseException, so no
    `except Exception` in the code under test can swallow it)."""


@contextlib.contextmanager
def alarm(seconds: float) -> Iterator[None]:
    """Interrupt the block with :class:`Hang` after `seconds`."""

    def ring(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def in_process(args: Sequence[str]) -> Outcome:
    """Run `redlines ARGS` through `sim.cli.main`, as the console script does."""
    out, err = io.StringIO(), io.StringIO()
    argv = sys.argv
    sys.argv = ["redlines", *args]
    start = time.perf_counter()
    code: int | None = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), alarm(TIMEOUT):
            try:
                main()
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else int(exit_.code is not None)
    except Hang:
        code = None
    finally:
        sys.argv = argv
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


@dataclass
class Started:
    """A subprocess on its way, its output going to temporary files."""

    process: subprocess.Popen[bytes]
    out: IO[bytes]
    err: IO[bytes]
    start: float
    timeout: float


def start(args: Sequence[str], timeout: float = TIMEOUT) -> Started:
    """Start `python -m sim.cli ARGS` in a fresh interpreter with its address space capped."""
    command = [sys.executable, "-m", "sim.cli", *args]
    shell = f"ulimit -v {MEMORY_LIMIT_KIB} && exec {shlex.join(command)}"  # exec: same pid
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by finish)
    err = tempfile.TemporaryFile()  # noqa: SIM115
    process = subprocess.Popen(["/bin/sh", "-c", shell], stdout=out, stderr=err, cwd=REPO, env=env)
    return Started(process, out, err, time.perf_counter(), timeout)


def finish(started: Started) -> Outcome:
    """Wait for a started subprocess (killing it at its deadline); its output and peak memory."""
    process = started.process
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            code: int | None = os.waitstatus_to_exitcode(status)
            break
        if time.perf_counter() > started.start + started.timeout:
            process.kill()
            _, _, usage = os.wait4(process.pid, 0)
            code = None
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - started.start
    process.returncode = code if code is not None else -9  # reaped here, not by Popen
    texts = []
    for stream in (started.out, started.err):
        stream.seek(0)
        texts.append(stream.read().decode(errors="replace"))
        stream.close()
    return Outcome(code, texts[0], texts[1], seconds, usage.ru_maxrss)


def in_subprocess(args: Sequence[str], timeout: float = TIMEOUT) -> Outcome:
    """Run `python -m sim.cli ARGS` in a fresh interpreter with bounded memory and time."""
    return finish(start(args, timeout))


# --- what a refusal looks like --------------------------------------------------------------


def check_refused(outcome: Outcome, path: Path, expect: str | None = None) -> list[str]:
    """Everything wrong with how `path` was refused (an empty list when all is well)."""
    wrong: list[str] = []
    if outcome.code is None:
        wrong.append(f"did not finish within {TIMEOUT} s")
    elif outcome.code != 2:
        wrong.append(f"exit code {outcome.code}, not 2")
    if "Traceback" in outcome.stderr or "Traceback" in outcome.stdout:
        wrong.append("a traceback")
    wrong.extend(check_lines(outcome.stderr.splitlines(), {str(path): path}))
    if expect is not None and expect.lower() not in outcome.stderr.lower():
        wrong.append(f"the message does not mention {expect!r}")
    if outcome.peak_kib > PEAK_LIMIT_KIB:
        wrong.append(f"peak memory {outcome.peak_kib // 1024} MiB")
    if wrong:
        wrong.append(f"stderr was:\n{outcome.stderr[:2000]}")
    return wrong


def check_lines(lines: Sequence[str], files: dict[str, Path | bytes]) -> list[str]:
    """Every line located in one of `files` (paths, or contents), within it; every file with a
    line of its own."""
    wrong: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if not line.strip():
            continue
        match = LOCATED.match(line)
        if match is None or match["file"] not in files:
            wrong.append(f"not a FILE:LINE:COL: line: {line[:200]!r}")
            continue
        seen.add(match["file"])
        wrong.extend(_within(files[match["file"]], int(match["line"]), int(match["col"]), line))
    missing = sorted(set(files) - seen)
    if missing:
        wrong.append(f"no located line for {', '.join(Path(m).name for m in missing)}")
    return wrong


def _within(file: Path | bytes, line: int, col: int, text: str) -> list[str]:
    """Whether LINE:COL points into the file (columns count characters, at most bytes)."""
    lines = (file if isinstance(file, bytes) else file.read_bytes()).split(b"\n")
    if not 1 <= line <= len(lines):
        return [f"line {line} outside the file's {len(lines)} lines: {text[:200]!r}"]
    if not 1 <= col <= len(lines[line - 1]) + 1:
        return [f"column {col} outside line {line}: {text[:200]!r}"]
    return []


# --- the corpus on disk ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every hand-written case written once, each in its own folder beside the sources."""
    root = tmp_path_factory.mktemp("corpus")
    for case in CASES:
        write_case(case, root)
    return root


def case_path(root: Path, case: Case) -> Path:
    return root / case.name / f"{case.name}.yaml"


Batch = tuple[list[Case], Started]


@pytest.fixture(scope="module")
def validate_batches(corpus_dir: Path) -> Iterator[list[Batch]]:
    """`validate` over the whole corpus in BATCHES subprocesses, started now, checked later."""
    batches = [CASES[k::BATCHES] for k in range(BATCHES)]
    started = []
    for batch in batches:
        timeout = 2 * TIMEOUT * (1 + sum(c.heavy for c in batch)) + 0.2 * len(batch)
        paths = [str(case_path(corpus_dir, c)) for c in batch]
        started.append((batch, start(["validate", *paths], timeout=timeout)))
    yield started
    for _, process in started:  # not waited for when the checking test was deselected
        if process.process.returncode is None:
            finish(process)


# --- the tests ------------------------------------------------------------------------------


def test_corpus_is_large_and_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 200
    assert len(set(names)) == len(names)
    assert set(SUBSET) <= set(names)


@pytest.mark.parametrize("text", [MINIMAL, None], ids=["minimal", "baseline"])
def test_bases_are_valid(tmp_path: Path, text: str | None) -> None:
    """The scenarios the cases mutate are valid, so each case is refused for its mutation."""
    folder = scenario_folder(tmp_path)
    path = folder / "base.yaml"
    path.write_text(text if text is not None else BASELINE.read_text(encoding="utf-8"))
    outcome = in_process(["validate", str(path)])
    assert (outcome.code, outcome.stderr) == (0, "")


def _in_process_params() -> Iterator[object]:
    others = [c for c in COMMANDS if c != "validate"]
    for index, case in enumerate(LIGHT):
        yield pytest.param("validate", case, id=f"validate-{case.name}")
        if index % STRIDE == 0:
            command = others[(index // STRIDE) % len(others)]
            yield pytest.param(command, case, id=f"{command}-{case.name}")


@pytest.mark.parametrize(("command", "case"), list(_in_process_params()))
@pytest.mark.usefixtures("validate_batches")  # start them beside these tests
def test_refused_in_process(corpus_dir: Path, command: str, case: Case) -> None:
    path = case_path(corpus_dir, case)
    outcome = in_process([*COMMANDS[command], str(path)])
    wrong = check_refused(outcome, path, case.expect)
    assert not wrong, f"{command} {case.name}:\n" + "\n".join(wrong)


def test_validate_refuses_every_case_in_subprocesses(
    corpus_dir: Path, validate_batches: list[Batch]
) -> None:
    """Every hand-written case, heavy ones included, through `python -m sim.cli validate`."""
    wrong: list[str] = []
    for batch, started in validate_batches:
        outcome = finish(started)
        paths: dict[str, Path | bytes] = {
            str(case_path(corpus_dir, c)): case_path(corpus_dir, c) for c in batch
        }
        if outcome.code != 2:
            wrong.append(f"exit code {outcome.code}, not 2")
        if "Traceback" in outcome.stderr:
            wrong.append("a traceback:\n" + outcome.stderr[outcome.stderr.index("Traceback") :])
        if outcome.peak_kib > PEAK_LIMIT_KIB:
            wrong.append(f"peak memory {outcome.peak_kib // 1024} MiB")
        wrong.extend(check_lines(outcome.stderr.splitlines(), paths))
        for case in batch:
            prefix = f"{case_path(corpus_dir, case)}:"
            lines = [line for line in outcome.stderr.splitlines() if line.startswith(prefix)]
            if case.expect is not None and not any(
                case.expect.lower() in line.lower() for line in lines
            ):
                wrong.append(f"{case.name}: the message does not mention {case.expect!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "validate"])
def test_each_command_refuses_a_subset_in_subprocesses(corpus_dir: Path, command: str) -> None:
    """SUBSET through `python -m sim.cli COMMAND`, one fresh interpreter per case."""
    cases = [BY_NAME[name] for name in SUBSET]

    def run(case: Case) -> list[str]:
        path = case_path(corpus_dir, case)
        wrong = check_refused(in_subprocess([*COMMANDS[command], str(path)]), path, case.expect)
        return [f"{command} {case.name}: {w}" for w in wrong]

    with ThreadPoolExecutor(max_workers=2) as pool:
        wrong = [w for found in pool.map(run, cases) for w in found]
    assert not wrong, "\n".join(wrong)


@settings(
    max_examples=GENERATED,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@pytest.mark.slow
@given(broken=broken_scenarios())
def test_generated_cases_are_refused(broken: Broken) -> None:
    note(broken.how)
    with tempfile.TemporaryDirectory() as tmp:
        path = scenario_folder(Path(tmp)) / "generated.yaml"
        path.write_bytes(broken.content)
        wrong = check_refused(in_process(["validate", str(path)]), path)
    assert not wrong, f"{broken.how}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("override", sorted(OVERRIDES))
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "validate"])
def test_bad_overrides_are_refused(tmp_path: Path, command: str, override: str) -> None:
    path = scenario_folder(tmp_path) / "minimal.yaml"
    path.write_text(MINIMAL)
    outcome = in_process([*COMMANDS[command], str(path), "--set", OVERRIDES[override]])
    wrong = [] if outcome.code == 2 else [f"exit code {outcome.code}, not 2"]
    if "Traceback" in outcome.stderr:
        wrong.append("a traceback")
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    if not lines:
        wrong.append("no message")
    wrong.extend(
        f"not located at --set:1:1: {line!r}"
        for line in lines
        if not line.startswith("--set:1:1: ")
    )
    assert not wrong, f"{command} --set {override}:\n" + "\n".join(wrong) + "\n" + outcome.stderr


@pytest.mark.slow
def test_dashboard_upload_refuses_a_stride_of_the_corpus() -> None:
    """The dashboard's upload runs the same loader: each upload is refused with located lines.

    Cases that need files beside them cannot be uploaded with them; their scenario still points
    at a source that is not shipped, so they are refused too, for another reason (their
    `expect` is not checked), as are the files over the dashboard's 1 MiB limit.
    """
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    wrong: list[str] = []
    for case in LIGHT[::DASHBOARD_STRIDE]:
        raw = case.build()
        name = f"{case.name}.yaml"
        at.file_uploader(key="scenario_uploader").set_value((name, raw, "application/x-yaml"))
        at.run()
        found = []
        if at.exception:
            found.append(f"exception: {at.exception[0].value}")
        if not any("not a valid scenario" in e.value for e in at.error):
            found.append("no error shown")
        shown = "\n".join(c.value for c in at.code)
        found.extend(check_lines(shown.splitlines(), {name: raw}))
        own = not (case.files or case.links or case.fifos) and len(raw) <= 1024 * 1024
        if own and case.expect is not None and case.expect.lower() not in shown.lower():
            found.append(f"the message does not mention {case.expect!r}")
        wrong.extend(f"{case.name}: {w}" for w in found)
    assert not wrong, "\n".join(wrong)


SPECIAL_PATHS = ("missing", "directory", "fifo", "dev_zero", "symlink_loop", "dangling_symlink")
"""Paths on the command line that are not regular files (reading /dev/zero or a FIFO would
never end)."""


def _special_path(folder: Path, kind: str) -> Path:
    path = folder / f"{kind}.yaml"
    if kind == "directory":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev_zero":
        return Path("/dev/zero")
    elif kind == "symlink_loop":
        path.symlink_to(path)
    elif kind == "dangling_symlink":
        path.symlink_to(folder / "nowhere.yaml")
    return path


@pytest.mark.parametrize("kind", SPECIAL_PATHS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_paths_that_are_not_files_are_refused(tmp_path: Path, command: str, kind: str) -> None:
    path = _special_path(tmp_path, kind)
    outcome = in_process([*COMMANDS[command], str(path)])
    assert outcome.code == 2, outcome
    assert "Traceback" not in outcome.stderr
    assert outcome.stderr.startswith(f"{path}:1:1: "), outcome.stderr
    assert len(outcome.stderr.splitlines()) == 1
