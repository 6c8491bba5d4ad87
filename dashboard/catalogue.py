"""Where the dashboard's scenario comes from: a shipped file, or an uploaded one.

A scenario is handed around as a :class:`ScenarioFile` (its text, the name errors are located
in, and the folder its sources resolve against), which is also the key of every cached
computation. An uploaded file is only ever decoded and given to `sim.api.load_text` (safe
YAML, then the schema); its sources resolve against the shipped `scenarios/` folder, so
`sources/NAME.txt` finds the shipped documents, unless source files are uploaded alongside
(then they are written to a new private folder, see :func:`source_folder`).
"""

from __future__ import annotations

import hashlib
import os
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

    The folder is made by :func:`tempfile.mkdtemp` (new, private: mode 0700), never at a fixed
    path where someone could have planted a symbolic link; the same upload maps to the same
    folder while the server runs (so to the same cache entries). Uploaded names are reduced to
    safe file names, and a file is never written through a symbolic link: one found where a
    file goes is refused (api.ScenarioError naming it), not followed.
    """
    digest = hashlib.sha256()
    for name, raw in sorted(sources.items()):
        if len(raw) > MAX_UPLOAD_BYTES:
            raise api.ScenarioError.at(
                name, f"file is {len(raw):,} bytes, more than the dashboard's {MAX_UPLOAD_BYTES:,}"
            )
        digest.update(name.encode() + b"\0" + raw + b"\0")
    key = digest.hexdigest()
    folder = _UPLOADS.get(key)
    if folder is None or folder.is_symlink() or not folder.is_dir():
        folder = Path(tempfile.mkdtemp(prefix="redlines-upload-"))
        (folder / "sources").mkdir(mode=0o700)
        _UPLOADS[key] = folder
    target = folder / "sources"
    files = {p.name: p.read_bytes() for p in SOURCES.iterdir() if p.is_file()}
    for name, raw in sources.items():
        files[_SAFE_NAME.sub("_", Path(name).name).lstrip(".") or "source.txt"] = raw
    for name, raw in files.items():
        _write_private(target, name, raw)
    return folder


_UPLOADS: dict[str, Path] = {}
"""Upload folders made by this server process, by the digest of their uploaded files."""


def _write_private(folder: Path, name: str, raw: bytes) -> None:
    """Write `folder/name` (mode 0600), refusing a symbolic link there or as the folder."""
    path = folder / name
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
    if folder.is_symlink() or path.is_symlink():
        raise api.ScenarioError.at(
            name, f"the upload folder holds a symbolic link at {path}: refused, not followed"
        )
    try:
        handle = os.open(path, flags, 0o600)
    except OSError as error:  # ELOOP: a link planted after the check
        raise api.ScenarioError.at(
            name, f"cannot write the uploaded file to {path} ({error.strerror}): refused"
        ) from None
    with os.fdopen(handle, "wb") as file:
        file.write(raw)


def source_text(folder: str, relative: str) -> str | None:
    """A source document's text, or None when it cannot be read (the loader said why)."""
    try:
        return api.read_source(api.resolve_source(Path(folder), relative))
    except (ValueError, OSError):
        return None
