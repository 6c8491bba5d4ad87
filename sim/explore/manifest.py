"""A sweep directory's manifest: what the sweep is, its shape, and the one writer's lock.

The manifest (`DIR/manifest.json`) says what was asked (scenario hash, seed, runs, chunking),
the table's columns, and every committed chunk; :func:`read_manifest` refuses one that is not
a sweep's or that a hand edit broke (`chunk_size: 0`), naming the file and the field. The lock
(`DIR/.lock`, an flock held for a sweep's whole life) lets one sweep write a directory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

FORMAT = "redlines-sweep"
VERSION = 2
MANIFEST = "manifest.json"
SCENARIO = "scenario.yaml"
SUMMARY = "summary.json"
CHUNKS = "chunks"
QUARANTINE = "quarantine"
LOCK = ".lock"


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


class Committed(BaseModel):
    """What the manifest records of a committed chunk."""

    model_config = ConfigDict(extra="forbid")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    start: int = Field(ge=0)
    stop: int = Field(ge=1)
    scenario_sha256: str
    seed: int = Field(ge=0)
    overrides: list[str] = []


class Manifest(BaseModel):
    """The manifest's shape: a hand-edited one that breaks it is refused, located."""

    model_config = ConfigDict(extra="allow")
    format: str
    version: int
    scenario: str
    scenario_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    seed: int = Field(ge=0)
    runs: int = Field(ge=1)
    chunk_size: int = Field(ge=1)
    scenario_file: str = SCENARIO
    columns: list[str]
    complete: bool
    overrides: list[str] = []
    committed: dict[str, Committed] = {}


def write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that it either exists whole or not at all."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def os_message(path: Path, doing: str, error: OSError) -> str:
    reason = error.strerror or str(error)
    return f"{path}: cannot {doing}: {reason}"


def take_lock(path: Path) -> IO[str]:
    """The directory's writer lock (flock on `.lock`), or :class:`SweepDirError` if held."""
    import fcntl

    file = path / LOCK
    try:
        handle = open(file, "a+", encoding="utf-8")  # noqa: SIM115 - held until close()
    except OSError as error:
        raise SweepDirError(os_message(path, "write the sweep there", error)) from None
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SweepDirError(
            f"{path}: another sweep (pid {holder}) is writing this directory; wait for it to "
            "finish or give another --out"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    return handle


def read_manifest(path: str | Path) -> dict[str, Any] | None:
    """The manifest of a sweep directory, None when there is none.

    Raises :class:`SweepDirError` when the manifest is not a sweep's, or is malformed.
    """
    file = Path(path) / MANIFEST
    try:
        if not file.is_file():
            return None
        manifest = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise SweepDirError(f"{file}: cannot read the manifest: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise SweepDirError(f"{file}: not a Red Lines sweep manifest")
    if manifest.get("version") != VERSION:
        raise SweepDirError(
            f"{file}: sweep format version {manifest.get('version')}, this program reads "
            f"version {VERSION}; run the sweep again in a new directory"
        )
    try:
        Manifest.model_validate(manifest)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        raise SweepDirError(f"{file}: {where}: {first['msg']}") from None
    return manifest


def check_same(path: Path, manifest: Mapping[str, Any], plan: Plan) -> None:
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


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
