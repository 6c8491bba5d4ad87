"""The result directory of a sweep: Parquet chunks, a manifest, the scenario and the summary.

```
DIR/manifest.json         what was asked (scenario hash, seed, runs, chunking) and the columns
DIR/scenario.yaml         the exact scenario after overrides; its sha256 is in the manifest
DIR/sources/...           the documents its quotes come from, so the bundle can be re-run
DIR/chunks/chunk-NNNNNN.parquet   runs [N*chunk_size, (N+1)*chunk_size), one row per run
DIR/summary.json          written once every chunk is there
```

A chunk is written to a temporary file and renamed into place, so a chunk file that exists is
whole: a sweep killed at any moment resumes by running only the chunks that are missing. A
directory that holds a different sweep (another scenario, seed or number of runs) is refused
rather than mixed.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

FORMAT = "redlines-sweep"
VERSION = 1
MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"
SUMMARY = "summary.json"
CHUNKS = "chunks"


class SweepDirError(ValueError):
    """An output directory that cannot hold this sweep (a user error: exit 2)."""


@dataclass(frozen=True)
class Plan:
    """What a sweep is: the scenario (by hash), the root seed, the runs and their chunking."""

    scenario: str
    """The scenario's id."""
    scenario_sha256: str
    seed: int
    runs: int
    chunk_size: int

    @property
    def chunks(self) -> int:
        """How many chunks the runs make."""
        return -(-self.runs // self.chunk_size)

    def chunk_range(self, index: int) -> tuple[int, int]:
        """The runs of a chunk: `start` included, `stop` excluded."""
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.runs)


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that it either exists whole or not at all."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


class Bundle:
    """A sweep's directory, opened for a plan (created, or checked against it to resume)."""

    def __init__(self, path: Path, plan: Plan, manifest: dict[str, Any]) -> None:
        self.path = path
        self.plan = plan
        self.manifest = manifest

    @classmethod
    def open(
        cls,
        path: str | Path,
        plan: Plan,
        *,
        scenario_text: str,
        columns: Sequence[str],
        sources: Sequence[tuple[Path, str]] = (),
    ) -> Bundle:
        """Open `path` for `plan`: create it, or check that it holds this same sweep.

        `sources` are (file, path relative to the bundle) pairs copied beside the scenario.
        Raises :class:`SweepDirError` when the directory holds something else.
        """
        path = Path(path)
        existing = read_manifest(path)
        if existing is not None:
            _check_same(path, existing, plan)
            kept = Plan(**{k: existing[k] for k in asdict(plan)})
            bundle = cls(path, kept, existing)
            bundle._remove_temporaries()
            return bundle
        if path.exists() and not path.is_dir():
            raise SweepDirError(f"{path}: exists and is not a directory")
        if path.is_dir() and any(path.iterdir()):
            raise SweepDirError(
                f"{path}: the directory is not empty and holds no sweep ({MANIFEST} missing); "
                "give a new or empty directory to --out"
            )
        try:
            (path / CHUNKS).mkdir(parents=True, exist_ok=True)
            for source, relative in sources:
                target = path / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
            write_atomically(path / SCENARIO, scenario_text.encode("utf-8"))
        except OSError as error:
            raise SweepDirError(f"{path}: cannot write the sweep there: {error.strerror}") from None
        manifest = {
            "format": FORMAT,
            "version": VERSION,
            **asdict(plan),
            "chunks": plan.chunks,
            "scenario_file": SCENARIO,
            "seeds": (
                "run i is seeded with the first 64-bit word of "
                "numpy.random.SeedSequence(seed).spawn(runs)[i].generate_state, shifted right "
                "by one bit (a non-negative int64)"
            ),
            "columns": list(columns),
            "complete": False,
        }
        write_atomically(path / MANIFEST, _json(manifest))
        return cls(path, plan, manifest)

    @classmethod
    def existing(cls, path: str | Path) -> Bundle:
        """The sweep directory at `path`, as its manifest describes it."""
        manifest = read_manifest(path)
        if manifest is None:
            raise SweepDirError(f"{path}: not a sweep directory ({MANIFEST} missing)")
        plan = Plan(**{name: manifest[name] for name in Plan.__dataclass_fields__})
        return cls(Path(path), plan, manifest)

    def chunk_path(self, index: int) -> Path:
        """Where chunk `index` is stored."""
        return self.path / CHUNKS / f"chunk-{index:06d}.parquet"

    def finished(self) -> list[int]:
        """Indices of the chunks already written whole (a damaged one is removed)."""
        import pyarrow.parquet as pq

        done = []
        for index in range(self.plan.chunks):
            file = self.chunk_path(index)
            if not file.exists():
                continue
            start, stop = self.plan.chunk_range(index)
            try:
                whole = pq.read_metadata(file).num_rows == stop - start
            except (OSError, ValueError):
                whole = False
            if whole:
                done.append(index)
            else:
                file.unlink()
        return done

    def write_chunk(self, index: int, table: pd.DataFrame) -> None:
        """Store one chunk (atomically)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        final = self.chunk_path(index)
        temporary = final.with_name(f".{final.name}.{os.getpid()}.tmp")
        pq.write_table(pa.Table.from_pandas(table, preserve_index=False), temporary)
        os.replace(temporary, final)

    def read_chunk(self, index: int) -> pd.DataFrame:
        """One stored chunk as a DataFrame."""
        return pd.read_parquet(self.chunk_path(index))

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Every stored chunk, in run order, one at a time."""
        for index in range(self.plan.chunks):
            yield self.read_chunk(index)

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Write the summary and mark the sweep complete."""
        write_atomically(self.path / SUMMARY, _json(summary))
        self.manifest = {**self.manifest, "complete": True}
        write_atomically(self.path / MANIFEST, _json(self.manifest))

    def _remove_temporaries(self) -> None:
        for folder in (self.path, self.path / CHUNKS):
            for leftover in folder.glob(".*.tmp"):
                leftover.unlink(missing_ok=True)


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The manifest of a sweep directory, None when there is none.

    Raises :class:`SweepDirError` when the manifest is not a sweep's.
    """
    file = Path(path) / MANIFEST
    if not file.is_file():
        return None
    try:
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SweepDirError(f"{file}: cannot read the manifest: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SweepDirError(f"{file}: not a Red Lines sweep manifest")
    if manifest.get("version") != VERSION:
        raise SweepDirError(
            f"{file}: sweep format version {manifest.get('version')}, this program reads "
            f"version {VERSION}"
        )
    return manifest


def _check_same(path: Path, manifest: Mapping[str, Any], plan: Plan) -> None:
    differences = []
    if manifest.get("scenario_sha256") != plan.scenario_sha256:
        there = str(manifest.get("scenario_sha256"))[:12]
        differences.append(
            f"scenario {manifest.get('scenario')} sha256 {there} there, "
            f"{plan.scenario} sha256 {plan.scenario_sha256[:12]} now"
        )
    for name in ("seed", "runs"):
        if manifest.get(name) != getattr(plan, name):
            differences.append(f"{name} {manifest.get(name)} there, {getattr(plan, name)} now")
    if differences:
        raise SweepDirError(
            f"{path}: holds a different sweep ({'; '.join(differences)}). Run the same command "
            "to resume it, or give another --out directory."
        )


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
