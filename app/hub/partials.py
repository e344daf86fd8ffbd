"""Partial files of downloads that stopped with their bytes kept (paused, or the app ended): where
they live, the sidecar beside each that says what download() was asked and what the hub said, and
the list of them an app offers again after a restart."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.hub.hub_client import RemoteFile, split_parts
from app.hub.library import Library


@dataclass(frozen=True)
class KeptPartial:
    """A download that stopped with its partial file kept (paused, or the app ended meanwhile):
    what download() was asked, so that calling it again with the same resumes it, and how far it
    got."""

    repo: str
    filename: str  # as download() was asked for it; a split GGUF's parts count as one download
    revision: str
    expected_sha256: str | None  # the catalog's pinned hash, when it gave one
    done: int  # bytes on disk, every part together
    total: int | None  # None when the hub gave no size, or a later part has not begun yet


def discard_partial(library: Library, repo: str, filename: str) -> None:
    """Delete what a paused or failed download of `filename` (every part of a split GGUF) left
    behind: cancelling it while no transfer runs that could do so."""
    for part in split_parts(filename):
        discard(partial_path(library, repo, part))


def kept_partials(library: Library) -> list[KeptPartial]:
    """Every download whose partial file was kept, one entry per download() call (a split GGUF's
    parts together), in order of repository and file. It reads the partial folder: not a job for
    a GUI thread."""
    parts: dict[tuple[str, str], list[KeptPartial]] = {}
    for sidecar in sorted(library.partial_dir.rglob("*.part.json")):
        part = _kept_part(library, sidecar)
        if part is not None:
            parts.setdefault((part.repo, part.filename), []).append(part)
    return [_whole(group) for _, group in sorted(parts.items())]


def _kept_part(library: Library, sidecar: Path) -> KeptPartial | None:
    """One part's partial file as its sidecar describes it; None for a sidecar written before the
    sidecar said what download() was asked (the folder name cannot be turned back into the repo:
    "__" may be part of a name), one that belongs to no partial file (left by a crash after the
    file moved into the library), or one that is not ours."""
    partial = sidecar.with_suffix("")
    record = _read_sidecar(sidecar)
    repo, filename = record.get("repo"), record.get("filename")
    revision, expected, size = (record.get("revision", "main"), record.get("expected_sha256"),
                                record.get("size"))
    if not (isinstance(repo, str) and isinstance(filename, str) and isinstance(revision, str)
            and (expected is None or isinstance(expected, str)) and _is_size(size)):
        return None
    if partial not in (partial_path(library, repo, part) for part in split_parts(filename)):
        return None
    try:
        done = partial.stat().st_size
    except OSError:
        return None
    return KeptPartial(repo, filename, revision, expected, done, size)


def _is_size(value: object) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0)


def _whole(parts: list[KeptPartial]) -> KeptPartial:
    """A split GGUF's kept parts as one download. Its parts download one after another, and a
    part's size is recorded as it begins: the total is known once every part has begun."""
    sizes = [part.total for part in parts]
    every_part = len(parts) == len(split_parts(parts[0].filename)) and None not in sizes
    total = sum(size for size in sizes if size is not None) if every_part else None
    return replace(parts[0], done=sum(part.done for part in parts), total=total)


def write_sidecar(partial: Path, remote: RemoteFile, asked: Mapping[str, str | None]) -> None:
    """What download() was asked goes beside what the hub said, for kept_partials() after a
    restart; readers of the sidecar look only at the keys they know, so older and newer ones mix
    freely."""
    sidecar_of(partial).write_text(json.dumps({"sha256": remote.sha256, "size": remote.size,
                                               "commit": remote.commit, **asked}))


def discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    sidecar_of(partial).unlink(missing_ok=True)


def partial_path(library: Library, repo: str, filename: str) -> Path:
    return library.partial_dir / repo.replace("/", "__") / (filename + ".part")


def sidecar_of(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


def same_file(partial: Path, remote: RemoteFile) -> bool:
    """Whether the partial file holds the start of this very file (same hash and size)."""
    recorded = _read_sidecar(sidecar_of(partial))
    return bool(recorded and recorded.get("sha256") == remote.sha256
                and recorded.get("size") == remote.size)


def _read_sidecar(sidecar: Path) -> dict[str, Any]:
    """The sidecar's record; empty when it is missing, unreadable or not a JSON object."""
    try:
        recorded = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}
