"""Where the dashboard's scenario comes from: a shipped file, or an uploaded one.

A scenario is handed around as a :class:`ScenarioFile` (its text, the name errors are located
in, and the folder its sources resolve against), which is also the key of every cached
computation. An uploaded file is only ever decoded and given to `sim.api.load_text` (safe
YAML, then the schema); its sources resolve against the shipped `scenarios/` folder, so
`sources/NAME.txt` finds the shipped documents, unless source files are uploaded alongside.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sim import api

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SOURCES = SCENARIOS / "sources"
MAX_UPLOAD_BYTES = 1024 * 1024
"""The largest scenario or source file the dashboard accepts (a scenario is a few KB)."""
UPLOAD_PREFIX = "uploaded: "
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class ScenarioFile:
    """Scenario text with the name its errors are reported under and its sources' folder."""

    name: str
    text: str
    folder: str

    @property
    def key(self) -> str:
        """A short fingerprint of the file and its folder (what adjustments belong to)."""
        digest = hashlib.sha256(f"{self.name}\0{self.folder}\0{self.text}".encode()).hexdigest()
        return digest[:16]

    @property
    def label(self) -> str:
        """The file's name as the user knows it."""
        return Path(self.name).name


def shipped() -> list[str]:
    """File names of the shipped scenarios, in order."""
    return sorted(p.name for p in SCENARIOS.glob("*.yaml"))


def shipped_file(name: str) -> ScenarioFile:
    """A shipped scenario (raises api.ScenarioError if it cannot be read)."""
    path = SCENARIOS / Path(name).name
    return ScenarioFile(
        name=f"scenarios/{path.name}", text=api.read_text(path), folder=str(SCENARIOS)
    )


def uploaded_file(
    name: str, raw: bytes, sources: Mapping[str, bytes] | None = None
) -> ScenarioFile:
    """An uploaded scenario, decoded and size-checked (raises api.ScenarioError, located).

    Source files uploaded with it join the shipped ones in a private folder, so the
    scenario's `sources/NAME.txt` paths find them.
    """
    name = Path(name).name or "upload.yaml"
    if len(raw) > MAX_UPLOAD_BYTES:
        raise api.ScenarioError.at(
            name, f"file is {len(raw):,} bytes, more than the dashboard's {MAX_UPLOAD_BYTES:,}"
        )
    text = api.decode(raw, name)
    folder = source_folder(sources) if sources else SCENARIOS
    return ScenarioFile(name=name, text=text, folder=str(folder))


def source_folder(sources: Mapping[str, bytes]) -> Path:
    """A folder whose `sources/` holds the shipped documents plus the uploaded ones.

    The folder is named after its contents, so the same upload maps to the same folder (and
    the same cache entries). Uploaded names are reduced to safe file names.
    """
    digest = hashlib.sha256()
    for name, raw in sorted(sources.items()):
        if len(raw) > MAX_UPLOAD_BYTES:
            raise api.ScenarioError.at(
                name, f"file is {len(raw):,} bytes, more than the dashboard's {MAX_UPLOAD_BYTES:,}"
            )
        digest.update(name.encode() + b"\0" + raw + b"\0")
    folder = Path(tempfile.gettempdir()) / "redlines-dashboard" / digest.hexdigest()[:16]
    target = folder / "sources"
    target.mkdir(parents=True, exist_ok=True)
    for shipped_source in SOURCES.iterdir():
        if shipped_source.is_file():
            (target / shipped_source.name).write_bytes(shipped_source.read_bytes())
    for name, raw in sources.items():
        safe = _SAFE_NAME.sub("_", Path(name).name).lstrip(".") or "source.txt"
        (target / safe).write_bytes(raw)
    return folder


def source_text(folder: str, relative: str) -> str | None:
    """A source document's text, or None when it cannot be read (the loader said why)."""
    try:
        return api.read_source(api.resolve_source(Path(folder), relative))
    except (ValueError, OSError):
        return None
