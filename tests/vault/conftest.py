"""Vault test settings: the Argon2id floor rather than calibrated settings, so each unlock is quick
(the `kdf` fixture in tests/conftest.py gives it to any test)."""

from __future__ import annotations

import os

from app.vault.keys import LANES, MIN_ITERATIONS, MIN_MEMORY_KIB, KdfParams


def floor_kdf() -> KdfParams:
    return KdfParams(MIN_MEMORY_KIB, MIN_ITERATIONS, LANES, os.urandom(16))
