"""Faults in a sweep directory: a second writer, damaged and foreign chunks, hand edits, a full
or read-only disk, interruption. After each, a resumed sweep's table is identical to the table
of a sweep nobody disturbed, and every refusal is a one-line message with exit 2."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from sim import api
from sim.cli.app import app
from sim.explore import bundle as bundle_module
from tests.builders import BASELINE, REPO

RUNS = 400  # four chunks of 100 (the default chunking)
REDLINES = [sys.executable, "-m", "sim.cli"]


def cli(*args: str) -> Result:
    """A `redlines` command in this process."""
    return CliRunner().invoke(app, list(args))


def sweep_into(out: Path, runs: int = RUNS, seed: int = 0) -> Result:
    return cli("sweep", str(BASELINE), "--runs", str(runs), "--seed", str(seed), "--workers", "1",
               "--out", str(out))  # fmt: skip


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """The table of a sweep nobody disturbed."""
    out = tmp_path_factory.mktemp("reference") / "sweep"
    api.sweep(BASELINE, RUNS, seed=0, workers=1, out=out, progress=False)
    return api.open_sweep(out).table


def chunk(out: Path, index: int) -> Path:
    return out / "chunks" / f"chunk-{index:06d}.parquet"


def assert_resumes_to(out: Path, reference: pd.DataFrame) -> Result:
    """Resume the sweep in `out`; its table must equal the undisturbed one."""
    again = sweep_into(out)
    assert again.exit_code == 0, again.stderr
    pd.testing.assert_frame_equal(api.open_sweep(out).table, reference)
    assert api.verify_sweep(out) == []
    return again


def no_traceback(result: Result | subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr


# --- one writer -----------------------------------------------------------------------------------


def _wait_for(predicate: object, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


@pytest.mark.slow
def test_a_second_writer_is_refused_at_once_naming_the_pid(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "sweep"
    first = subprocess.Popen(
        [*REDLINES, "sweep", str(BASELINE), "--runs", "100000", "--workers", "1", "--out",
         str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        _wait_for(lambda: chunk(out, 0).exists())  # the first is writing
        began = time.monotonic()
        second = subprocess.run(
            [*REDLINES, "sweep", str(BASELINE), "--runs", "100000", "--workers", "1", "--out",
             str(out)],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid}" in second.stderr and str(out) in second.stderr
        assert time.monotonic() - began < 15  # refused at once, not after running
        no_traceback(second)
        assert first.poll() is None  # the first goes on, undisturbed
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(60)
    assert first.returncode == 130, first.stderr
    assert "Traceback" not in first.stderr


def test_the_lock_is_held_for_the_life_of_a_sweep(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    plan = bundle_module.Plan("x", "0" * 64, 0, 10, 5)
    with (
        bundle_module.Bundle.open(out, plan, scenario_text="x", columns=["run"]),
        pytest.raises(api.SweepDirError, match=f"pid {os.getpid()}"),
    ):
        bundle_module.Bundle.open(out, plan, scenario_text="x", columns=["run"])
    bundle_module.Bundle.open(out, plan, scenario_text="x", columns=["run"]).close()  # released


# --- damaged and foreign chunks -------------------------------------------------------------------


def flip(file: Path, at: float, count: int = 4) -> None:
    """Flip `count` bytes starting at fraction `at` of the file."""
    data = bytearray(file.read_bytes())
    start = int(len(data) * at)
    for k in range(start, start + count):
        data[k] ^= 0xA5
    file.write_bytes(bytes(data))


def test_bit_flips_in_data_pages_are_quarantined_and_run_again(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    flip(chunk(out, 1), 0.3)
    checked = cli("sweep", "--verify", str(out))
    assert checked.exit_code == 2 and "chunk-000001.parquet" in checked.stderr
    again = assert_resumes_to(out, reference)
    assert "chunk-000001.parquet" in again.stderr and "quarantine" in again.stderr
    assert (out / "quarantine" / "chunk-000001.parquet").is_file()


def test_a_chunk_whose_hash_is_recomputed_still_fails_its_page_checksums(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    flip(chunk(out, 2), 0.3)
    manifest = json.loads((out / "manifest.json").read_text())
    import hashlib

    digest = hashlib.sha256(chunk(out, 2).read_bytes()).hexdigest()
    manifest["committed"]["chunk-000002.parquet"]["sha256"] = digest  # a forger's edit
    (out / "manifest.json").write_text(json.dumps(manifest))
    [finding] = api.verify_sweep(out)
    assert finding.file == chunk(out, 2) and finding.kind == "corrupt"


def test_corrupt_page_headers_are_named_by_verify_and_resume_runs_them_again(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    flip(chunk(out, 0), 0.0, count=64)  # the magic bytes and the first page header
    flip(chunk(out, 3), 0.97, count=16)  # the footer
    checked = cli("sweep", "--verify", str(out))
    assert checked.exit_code == 2
    assert "chunk-000000.parquet" in checked.stderr and "chunk-000003.parquet" in checked.stderr
    assert "thrift" not in checked.stderr.lower()
    found = cli("discover", str(out))
    assert found.exit_code == 2 and "chunk-000000.parquet" in found.stderr
    no_traceback(found)
    assert_resumes_to(out, reference)


def test_a_foreign_chunk_is_refused_never_mixed_in(tmp_path: Path, reference: pd.DataFrame) -> None:
    out, other = tmp_path / "seed0", tmp_path / "seed5"
    assert sweep_into(out).exit_code == 0
    assert sweep_into(other, seed=5).exit_code == 0
    chunk(out, 2).write_bytes(chunk(other, 2).read_bytes())
    [finding] = api.verify_sweep(out)
    assert finding.kind == "foreign" and "seed 5" in finding.problem
    again = assert_resumes_to(out, reference)
    assert "foreign" in again.stderr
    assert json.loads((out / "summary.json").read_text())["seed"] == 0


def test_a_chunk_from_another_place_of_the_same_sweep_is_foreign(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    chunk(out, 1).write_bytes(chunk(out, 3).read_bytes())
    [finding] = api.verify_sweep(out)
    assert finding.kind == "foreign" and "runs 300..400" in finding.problem


def test_read_only_commands_never_delete_or_rewrite(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    flip(chunk(out, 1), 0.5)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    found = cli("discover", str(out))
    assert found.exit_code == 2 and "chunk-000001.parquet" in found.stderr
    assert cli("sweep", "--verify", str(out)).exit_code == 2
    with pytest.raises(api.SweepDirError, match="chunk-000001"):
        _ = api.open_sweep(out).table
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_verify_says_ok_for_a_sound_directory(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    checked = cli("sweep", "--verify", str(out))
    assert checked.exit_code == 0 and "ok" in checked.stdout
    assert cli("sweep", "--verify", str(tmp_path / "nothing")).exit_code == 2
    assert cli("sweep", "--verify", str(out), str(BASELINE)).exit_code == 2


def test_a_chunk_written_but_never_committed_is_a_note_not_damage(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    """A sweep stopped between writing a chunk and committing it (a Ctrl-C can land there):
    the committed chunks are intact, and a resume runs that one again."""
    out = tmp_path / "sweep"
    assert sweep_into(out).exit_code == 0
    data = json.loads((out / "manifest.json").read_text())
    name = chunk(out, 2).name
    del data["committed"][name]
    (out / "manifest.json").write_text(json.dumps(data))
    checked = cli("sweep", "--verify", str(out))
    assert checked.exit_code == 0, checked.stderr
    assert "note:" in checked.stderr and name in checked.stderr
    assert "1 chunk still to run" in checked.stdout
    assert_resumes_to(out, reference)


# --- hand-edited directories ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        (lambda out: _manifest(out, chunk_size=0), "chunk_size"),
        (lambda out: _manifest(out, seed="zero"), "seed"),
        (lambda out: (out / "manifest.json").write_text("{not json"), "manifest.json"),
        (lambda out: (out / "scenario.yaml").unlink(), "scenario.yaml"),
        (lambda out: (out / "summary.json").write_text("[1, 2"), "summary.json"),
        (lambda out: (out / "summary.json").write_text('{"runs": 3}'), "summary.json"),
        (lambda out: (out / "scenario.yaml").write_text("id: other\n"), "scenario.yaml"),
    ],
    ids=["chunk_size-0", "seed-text", "manifest-garbage", "no-scenario", "summary-garbage",
         "summary-other", "scenario-other"],
)  # fmt: skip
def test_hand_edited_directories_are_refused_by_name(
    tmp_path: Path, edit: object, named: str
) -> None:
    out = tmp_path / "sweep"
    assert sweep_into(out, runs=100).exit_code == 0
    edit(out)  # type: ignore[operator]
    for result in (cli("discover", str(out)), sweep_into(out, runs=100)):
        if result.exit_code == 0:  # a resume may repair what it owns (never a wrong table)
            continue
        assert result.exit_code == 2, result.stderr
        assert named in result.stderr
        no_traceback(result)


def _manifest(out: Path, **changes: object) -> None:
    data = json.loads((out / "manifest.json").read_text())
    (out / "manifest.json").write_text(json.dumps({**data, **changes}))


# --- a full disk, a read-only directory -----------------------------------------------------------


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_a_failing_disk_is_a_message_and_the_sweep_resumes(
    tmp_path: Path, reference: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    out = tmp_path / "sweep"
    real = bundle_module.write_atomically
    writes = [0]

    def failing(path: Path, data: bytes) -> None:
        if path.suffix == ".parquet":
            writes[0] += 1
            if writes[0] == 3:  # the third chunk meets the fault
                raise OSError(code, os.strerror(code), str(path))
        real(path, data)

    monkeypatch.setattr(bundle_module, "write_atomically", failing)
    failed = sweep_into(out)
    assert failed.exit_code == 2, failed.stderr
    assert os.strerror(code) in failed.stderr and "chunk-000002.parquet" in failed.stderr
    assert "2 of 4 chunks are kept" in failed.stderr and "resume" in failed.stderr
    no_traceback(failed)
    monkeypatch.undo()
    assert_resumes_to(out, reference)


def test_a_sweep_directory_that_cannot_be_created_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refused)
    result = sweep_into(tmp_path / "new")
    assert result.exit_code == 2 and "Permission denied" in result.stderr
    no_traceback(result)


# --- interruption ---------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_an_interrupted_sweep_says_what_was_kept_and_how_to_resume(
    tmp_path: Path, how: signal.Signals
) -> None:
    out = tmp_path / "sweep"
    runs = "30000"
    command = [*REDLINES, "sweep", str(BASELINE), "--runs", runs, "--workers", "1", "--out",
               str(out)]  # fmt: skip
    running = subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    _wait_for(lambda: chunk(out, 1).exists())
    running.send_signal(how)
    _, stderr = running.communicate(timeout=60)
    assert running.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert f"of 30,000 runs are kept in {out}" in stderr
    assert "resume with: redlines sweep" in stderr and f"--out {out}" in stderr
    kept, asked = api.kept_runs(out)
    assert asked == 30000 and kept >= 200
    assert api.verify_sweep(out)  # chunks still to run: missing, none damaged
    assert all(f.kind == "missing" for f in api.verify_sweep(out))


# --- long paths -----------------------------------------------------------------------------------


def test_a_300_character_path_is_a_message(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 300)
    for result in (
        cli("validate", str(long)),
        cli("validate", str(long) + ".yaml"),
        cli("run", str(long)),
        cli("sweep", str(BASELINE), "--runs", "5", "--workers", "1", "--out", str(long)),
        cli("discover", str(long)),
        cli("sweep", "--verify", str(long)),
    ):
        assert result.exit_code == 2, result.stderr
        assert "x" * 40 in result.stderr and "too long" in result.stderr.lower()
        no_traceback(result)


@pytest.mark.slow
def test_a_sweep_killed_outright_resumes_to_the_undisturbed_table(tmp_path: Path) -> None:
    out, runs = tmp_path / "sweep", 3000
    running = subprocess.Popen(
        [*REDLINES, "sweep", str(BASELINE), "--runs", str(runs), "--workers", "1", "--out",
         str(out)],
        cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    _wait_for(lambda: chunk(out, 2).exists())
    running.kill()  # SIGKILL: no handler runs, a chunk may be half written
    running.wait(30)
    assert api.kept_runs(out)[0] < runs
    again = cli("sweep", str(BASELINE), "--runs", str(runs), "--workers", "1", "--out", str(out))
    assert again.exit_code == 0, again.stderr
    undisturbed = tmp_path / "undisturbed"
    api.sweep(BASELINE, runs, seed=0, workers=1, out=undisturbed, progress=False)
    pd.testing.assert_frame_equal(api.open_sweep(out).table, api.open_sweep(undisturbed).table)
    assert json.loads((out / "summary.json").read_text()) == json.loads(
        (undisturbed / "summary.json").read_text()
    )
