"""Careful reads of folders and files that belong to other apps: discovery must never raise, so every
listing, stat and small settings file that cannot be read is passed over (an empty list or None)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path


def walk_files(root: Path, max_depth: int) -> Iterator[tuple[Path, tuple[str, ...]]]:
    """Files under `root`, at most `max_depth` folders down, each with its path relative to root.

    Linked folders are followed (people link model folders between apps), but each real folder is
    entered once, so a link loop ends; folders that cannot be read are passed over."""
    entered: set[tuple[int, int]] = set()
    pending: list[tuple[Path, tuple[str, ...]]] = [(root, ())]
    while pending:
        folder, relative = pending.pop()
        identity = _identity(folder)
        if identity is None or identity in entered:
            continue
        entered.add(identity)
        subfolders: list[os.DirEntry[str]] = []
        for entry in _entries(folder):
            try:
                if entry.is_dir():
                    subfolders.append(entry)
                elif entry.is_file():
                    yield Path(entry.path), (*relative, entry.name)
            except OSError:
                continue
        if len(relative) < max_depth:
            # Reversed so that popping visits the subfolders in name order.
            for entry in reversed(subfolders):
                pending.append((Path(entry.path), (*relative, entry.name)))


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as listing:
            return sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return []


def _identity(folder: Path) -> tuple[int, int] | None:
    try:
        status = folder.stat()
    except OSError:
        return None
    return status.st_dev, status.st_ino


def subfolders(folder: Path) -> Iterator[Path]:
    for entry in _entries(folder):
        try:
            if entry.is_dir():
                yield Path(entry.path)
        except OSError:
            continue


def real_path(path: Path) -> Path | None:
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):  # RuntimeError: a link loop on Python < 3.13
        return None
    return real if real.is_file() else None


def unique_folders(folders: Iterable[Path]) -> Iterator[Path]:
    seen: set[tuple[int, int]] = set()
    for folder in folders:
        identity = _identity(folder)
        if identity is not None and identity not in seen:
            seen.add(identity)
            yield folder


def absolute_folder(setting: object) -> Path | None:
    """A folder named in another app's settings file. A relative one would silently resolve against
    our working directory, not the app's, so it is ignored (Jan's default "./data" is one)."""
    if not isinstance(setting, str) or not setting.strip():
        return None
    folder = Path(setting.strip())
    return folder if folder.is_absolute() else None


def is_gguf_name(name: str) -> bool:
    return name.lower().endswith(".gguf")


_SMALL_FILE_BYTES = 1 << 20


def _read_small_text(path: Path) -> str | None:
    """A settings file's text; None when it is missing, unreadable or too big to be one."""
    try:
        with path.open("rb") as handle:
            data = handle.read(_SMALL_FILE_BYTES + 1)
    except OSError:
        return None
    if len(data) > _SMALL_FILE_BYTES:
        return None
    return data.decode("utf-8", errors="replace")


def read_json(path: Path) -> object:
    text = _read_small_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def first_line(path: Path) -> str | None:
    text = _read_small_text(path)
    lines = text.strip().splitlines() if text else []
    return lines[0].strip() if lines else None


def ini_value(path: Path, section: str, key: str) -> str | None:
    """One value of a Qt INI file (QSettings puts top-level keys in [General])."""
    text = _read_small_text(path)
    current = None
    for line in (text or "").splitlines():
        line = line.strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current == section and "=" in line:
            name, value = (part.strip() for part in line.split("=", 1))
            if name == key:
                return value[1:-1] if len(value) >= 2 and value[0] == value[-1] == '"' else value
    return None
