"""The result directory of a sweep: Parquet chunks, a manifest, the scenario and the summary.

```
DIR/manifest.json         what was asked (scenario hash, seed, runs, chunking), the columns,
                          and every committed chunk: its sha256, its runs, the scenario hash,
                          seed and overrides that made it
DIR/scenario.yaml         the exact scenario after overrides; its sha256 is in the manifest
DIR/sources/...           the documents its quotes come from, so the bundle can be re-run
DIR/chunks/chunk-NNNNNN.parquet   runs [N*chunk_size, (N+1)*chunk_size), one row per run
DIR/quarantine/...        chunks a resume found damaged or foreign, moved aside
DIR/summary.json          written once every chunk is there
DIR/.lock                 held (flock) by the one sweep writing the directory; names its pid
```

One writer: a sweep holds an OS lock on `DIR/.lock` for its whole life, and a second writer
is refused at once, naming the pid that holds it. Readers (`discover`, the dashboard,
`--verify`) take no lock and never delete or rewrite anything.

Chunks prove what they are. A chunk is written with Parquet page checksums to a temporary
file, renamed into place, then committed: its sha256 and provenance go into the manifest, and
the same provenance into the chunk's own key-value metadata. A resume verifies every chunk
(sha256, page checksums, rows, provenance); one that fails is moved to `quarantine/` and run
again, and one made by another sweep (another seed or scenario) is never mixed in.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import pandas as pd

from sim.explore.manifest import (
    CHUNKS,
    FORMAT,
    LOCK,
    MANIFEST,
    QUARANTINE,
    SCENARIO,
    SUMMARY,
    VERSION,
    Plan,
    SweepDirError,
    check_same,
    json_bytes,
    os_message,
    read_manifest,
    take_lock,
    write_atomically,
)

__all__ = ["SUMMARY", "Bundle", "Finding", "Plan", "SweepDirError", "SweepWarning", "read_manifest"]

METADATA_KEY = b"redlines"
"""The key of a chunk's Parquet key-value metadata that holds its provenance (JSON)."""


class SweepWarning(UserWarning):
    """Something a sweep did that its user should know (a chunk quarantined and run again)."""


@dataclass(frozen=True)
class Finding:
    """What verifying one chunk found wrong (nothing wrong: no finding)."""

    index: int
    file: Path
    problem: str
    kind: str = "corrupt"
    """`missing`, `uncommitted` (written whole, not yet in the manifest: a sweep stopped between
    the two), `foreign` (another sweep's) or `corrupt`."""

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


class Bundle:
    """A sweep's directory: opened for a plan to write (under its lock), or to read."""

    def __init__(
        self, path: Path, plan: Plan, manifest: dict[str, Any], lock: IO[str] | None = None
    ) -> None:
        self.path = path
        self.plan = plan
        self.manifest = manifest
        self._lock = lock

    # --- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: str | Path,
        plan: Plan,
        *,
        scenario_text: str,
        columns: Sequence[str],
        sources: Sequence[tuple[Path, str]] = (),
        overrides: Sequence[str] = (),
    ) -> Bundle:
        """Open `path` to write `plan`: create it, or check that it holds this same sweep.

        Takes the directory's lock (released by :meth:`close`). `sources` are (file, path
        relative to the bundle) pairs copied beside the scenario. Raises
        :class:`SweepDirError` when the directory holds something else, another sweep is
        writing it, or it cannot be written.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise SweepDirError(f"{path}: exists and is not a directory")
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise SweepDirError(os_message(path, "write the sweep there", error)) from None
        lock = take_lock(path)
        try:
            return cls._open_locked(
                path, plan, lock, scenario_text, columns, sources, list(overrides)
            )
        except BaseException:
            lock.close()
            raise

    @classmethod
    def _open_locked(
        cls,
        path: Path,
        plan: Plan,
        lock: IO[str],
        scenario_text: str,
        columns: Sequence[str],
        sources: Sequence[tuple[Path, str]],
        overrides: list[str],
    ) -> Bundle:
        existing = read_manifest(path)
        if existing is not None:
            check_same(path, existing, plan)
            kept = Plan(**{k: existing[k] for k in asdict(plan)})
            bundle = cls(path, kept, existing, lock)
            bundle._remove_temporaries()
            return bundle
        if any(entry.name != LOCK for entry in path.iterdir()):
            raise SweepDirError(
                f"{path}: the directory is not empty and holds no sweep ({MANIFEST} missing); "
                "give a new or empty directory to --out"
            )
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            **asdict(plan),
            "chunks": plan.chunks,
            "scenario_file": SCENARIO,
            "overrides": overrides,
            "seeds": (
                "run i is seeded with the first 64-bit word of "
                "numpy.random.SeedSequence(seed).spawn(runs)[i].generate_state, shifted right "
                "by one bit (a non-negative int64)"
            ),
            "columns": list(columns),
            "complete": False,
            "committed": {},
        }
        try:
            (path / CHUNKS).mkdir(exist_ok=True)
            for source, relative in sources:
                target = path / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            write_atomically(path / SCENARIO, scenario_text.encode("utf-8"))
            write_atomically(path / MANIFEST, json_bytes(manifest))
        except OSError as error:
            raise SweepDirError(os_message(path, "write the sweep there", error)) from None
        return cls(path, plan, manifest, lock)

    @classmethod
    def existing(cls, path: str | Path) -> Bundle:
        """The sweep directory at `path`, as its manifest describes it, to read (no lock)."""
        manifest = read_manifest(path)
        if manifest is None:
            raise SweepDirError(f"{path}: not a sweep directory ({MANIFEST} missing)")
        plan = Plan(**{name: manifest[name] for name in Plan.__dataclass_fields__})
        return cls(Path(path), plan, manifest)

    def close(self) -> None:
        """Release the directory's lock (a bundle opened to read holds none)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def __enter__(self) -> Bundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- chunks ----------------------------------------------------------------------------------

    def chunk_path(self, index: int) -> Path:
        """Where chunk `index` is stored."""
        return self.path / CHUNKS / f"chunk-{index:06d}.parquet"

    def provenance(self, index: int) -> dict[str, Any]:
        """What made chunk `index`: its runs, the scenario hash, the seed and the overrides."""
        start, stop = self.plan.chunk_range(index)
        return {
            "start": start,
            "stop": stop,
            "scenario_sha256": self.plan.scenario_sha256,
            "seed": self.plan.seed,
            "overrides": list(self.manifest.get("overrides", [])),
        }

    def inspect(self, index: int) -> tuple[Finding | None, pd.DataFrame | None]:
        """Verify chunk `index` without changing anything: (what is wrong, its table if sound).

        Checks, in order: the file is there, it is this sweep's (its own metadata and the
        manifest's record), its sha256 is the one committed, every page's checksum, its rows.
        """
        file = self.chunk_path(index)
        record = self.manifest.get("committed", {}).get(file.name)
        try:
            data = file.read_bytes()
        except FileNotFoundError:
            return Finding(index, file, "missing", "missing"), None
        except OSError as error:
            return Finding(index, file, f"cannot be read: {error.strerror}"), None
        expected = self.provenance(index)
        embedded = _embedded(data)
        foreign = _foreign(embedded, expected) if embedded is not None else None
        if foreign is not None:
            return Finding(index, file, f"foreign chunk: {foreign}", "foreign"), None
        if record is None:
            return Finding(index, file, "not committed to the manifest", "uncommitted"), None
        if record.get("sha256") != hashlib.sha256(data).hexdigest():
            return Finding(index, file, "corrupt: its sha256 is not the one committed"), None
        if embedded is None:
            return Finding(index, file, "corrupt: its provenance metadata is unreadable"), None
        import pyarrow.parquet as pq

        try:
            table = pq.read_table(io.BytesIO(data), page_checksum_verification=True).to_pandas()
        except (OSError, ValueError) as error:
            return Finding(index, file, f"corrupt: {str(error).splitlines()[0]}"), None
        start, stop = expected["start"], expected["stop"]
        if len(table) != stop - start or (
            "run" in table and table["run"].tolist() != list(range(start, stop))
        ):
            return Finding(index, file, f"corrupt: its rows are not runs {start}..{stop - 1}"), None
        return None, table

    def verify(self) -> list[Finding]:
        """Every chunk's finding (missing ones included), reading only."""
        return [f for i in range(self.plan.chunks) if (f := self.inspect(i)[0]) is not None]

    def quarantine(self, finding: Finding) -> Path:
        """Move a damaged or foreign chunk out of the way; return where it went."""
        folder = self.path / QUARANTINE
        folder.mkdir(exist_ok=True)
        target = folder / finding.file.name
        n = 1
        while target.exists():
            n += 1
            target = folder / f"{finding.file.name}.{n}"
        os.replace(finding.file, target)
        self._forget(finding.file.name)
        return target

    def write_chunk(self, index: int, table: pd.DataFrame) -> None:
        """Store one chunk (atomically, with page checksums) and commit it to the manifest."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        provenance = self.provenance(index)
        arrow = pa.Table.from_pandas(table, preserve_index=False)
        metadata = {**(arrow.schema.metadata or {}), METADATA_KEY: json.dumps(provenance).encode()}
        buffer = io.BytesIO()
        pq.write_table(arrow.replace_schema_metadata(metadata), buffer, write_page_checksum=True)
        data = buffer.getvalue()
        final = self.chunk_path(index)
        try:
            write_atomically(final, data)
            committed = dict(self.manifest.get("committed", {}))
            committed[final.name] = {"sha256": hashlib.sha256(data).hexdigest(), **provenance}
            self._write_manifest({**self.manifest, "committed": committed})
        except OSError as error:
            raise SweepDirError(self._kept_message(final, error)) from None

    def kept(self) -> int:
        """How many chunks are committed."""
        return len(self.manifest.get("committed", {}))

    def _kept_message(self, file: Path, error: OSError) -> str:
        return (
            f"{os_message(file, 'write the chunk', error)}; {self.kept()} of "
            f"{self.plan.chunks} chunks are kept in {self.path}: make room, then run the same "
            "command to resume"
        )

    def read_chunk(self, index: int) -> pd.DataFrame:
        """One stored chunk, verified (:class:`SweepDirError` naming the file if it fails)."""
        finding, table = self.inspect(index)
        if finding is not None:
            hint = "run the sweep again to redo it"
            raise SweepDirError(f"{finding}; {hint} (redlines sweep --verify {self.path})")
        assert table is not None
        return table

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Every stored chunk, verified, in run order, one at a time."""
        for index in range(self.plan.chunks):
            yield self.read_chunk(index)

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Write the summary and mark the sweep complete."""
        try:
            write_atomically(self.path / SUMMARY, json_bytes(summary))
            self._write_manifest({**self.manifest, "complete": True})
        except OSError as error:
            raise SweepDirError(os_message(self.path, "write the summary", error)) from None

    def _forget(self, name: str) -> None:
        committed = dict(self.manifest.get("committed", {}))
        if committed.pop(name, None) is not None:
            self._write_manifest({**self.manifest, "committed": committed, "complete": False})

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        write_atomically(self.path / MANIFEST, json_bytes(manifest))
        self.manifest = manifest

    def _remove_temporaries(self) -> None:
        for folder in (self.path, self.path / CHUNKS):
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def _embedded(data: bytes) -> dict[str, Any] | None:
    """A chunk's own provenance (its Parquet key-value metadata), None when unreadable."""
    import pyarrow.parquet as pq

    try:
        raw = (pq.read_metadata(io.BytesIO(data)).metadata or {}).get(METADATA_KEY)
        found = json.loads(raw) if raw is not None else None
    except (OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


def _foreign(embedded: Mapping[str, Any], expected: Mapping[str, Any]) -> str | None:
    """How a chunk's provenance differs from this sweep's (None: it is this sweep's)."""
    differences = []
    if embedded.get("seed") != expected["seed"]:
        differences.append(
            f"made with seed {embedded.get('seed')}, this sweep's is {expected['seed']}"
        )
    if embedded.get("scenario_sha256") != expected["scenario_sha256"]:
        there = str(embedded.get("scenario_sha256"))[:12]
        differences.append(
            f"made from scenario sha256 {there}, this sweep's is {expected['scenario_sha256'][:12]}"
        )
    if (embedded.get("start"), embedded.get("stop")) != (expected["start"], expected["stop"]):
        differences.append(
            f"holds runs {embedded.get('start')}..{embedded.get('stop')}, this place is for "
            f"runs {expected['start']}..{expected['stop']}"
        )
    return "; ".join(differences) or None
