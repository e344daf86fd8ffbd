"""Vault test helpers: the Argon2id floor rather than calibrated settings, so each unlock is quick
(the `kdf` fixture in tests/conftest.py gives it to any test), and the files a vault left on disk."""

from __future__ import annotations

import os
from pathlib import Path

from app.vault.keys import LANES, MIN_ITERATIONS, MIN_MEMORY_KIB, KdfParams


def floor_kdf() -> KdfParams:
    return KdfParams(MIN_MEMORY_KIB, MIN_ITERATIONS, LANES, os.urandom(16))


def files_under(*folders: Path) -> list[Path]:
    """Every file in these folders, to search for text that must never reach the disk."""
    return [p for folder in folders for p in folder.rglob("*") if p.is_file()]
