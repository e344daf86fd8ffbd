"""The key hierarchy: one random 256-bit data key encrypts every row; it is stored only wrapped
(AES-256-GCM) under a key derived from the passphrase with Argon2id, and optionally under a
recovery key as well.

No passphrase hash is stored: a passphrase is right exactly when the unwrap authenticates. The KDF
settings and the wrap's purpose are bound into its associated data, so editing them in the file
makes the unwrap fail, and settings below the floor are refused before any passphrase is tried."""

from __future__ import annotations

import base64
import json
import math
import os
import secrets
import time
import unicodedata
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.vault.errors import KeySettingsTampered, WrongPassphrase, WrongRecoveryKey

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
MIN_MEMORY_KIB = 64 * 1024  # never below 64 MiB ...
MIN_ITERATIONS = 3  # ... and 3 passes
MAX_MEMORY_KIB = 512 * 1024  # unlocking must still work on an 8 GB laptop
LANES = 4  # RFC 9106's recommended parallelism
TARGET_SECONDS = 0.5
PASSPHRASE = "passphrase"
RECOVERY = "recovery"
_RECOVERY_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
_RECOVERY_GROUPS, _RECOVERY_GROUP_LENGTH = 8, 4  # 32 characters of 5 bits: 160 bits


@dataclass(frozen=True)
class KdfParams:
    memory_kib: int
    iterations: int
    lanes: int
    salt: bytes

    def check_floor(self) -> None:
        if self.memory_kib < MIN_MEMORY_KIB or self.iterations < MIN_ITERATIONS or self.lanes < 1:
            raise KeySettingsTampered(
                f"{self.memory_kib // 1024} MiB, {self.iterations} passes is below the minimum"
            )

    def derive(self, secret: bytes) -> bytes:
        return Argon2id(
            salt=self.salt,
            length=KEY_BYTES,
            iterations=self.iterations,
            lanes=self.lanes,
            memory_cost=self.memory_kib,
        ).derive(secret)

    def with_new_salt(self) -> KdfParams:
        return KdfParams(self.memory_kib, self.iterations, self.lanes, os.urandom(SALT_BYTES))


def calibrate(target_seconds: float = TARGET_SECONDS) -> KdfParams:
    """Settings that take about `target_seconds` here, never below the floor: more memory first
    (what makes guessing expensive on GPUs), then more passes. Time grows with memory x passes."""
    floor = KdfParams(MIN_MEMORY_KIB, MIN_ITERATIONS, LANES, os.urandom(SALT_BYTES))
    started = time.perf_counter()
    floor.derive(b"calibration")
    factor = max(target_seconds / (time.perf_counter() - started), 1.0)
    memory_factor = min(2 ** int(math.log2(factor)), MAX_MEMORY_KIB // MIN_MEMORY_KIB)
    iterations = max(MIN_ITERATIONS, round(MIN_ITERATIONS * factor / memory_factor))
    return KdfParams(MIN_MEMORY_KIB * memory_factor, iterations, LANES, os.urandom(SALT_BYTES))


@dataclass(frozen=True)
class WrappedKey:
    """The data key sealed under a key derived from a passphrase or a recovery key."""

    purpose: str  # PASSPHRASE or RECOVERY
    kdf: KdfParams
    nonce: bytes
    ciphertext: bytes
    key_version: int

    def associated_data(self) -> bytes:
        return _associated_data(self.purpose, self.kdf, self.key_version)

    def to_json(self) -> str:
        return json.dumps(
            {
                "purpose": self.purpose,
                "memory_kib": self.kdf.memory_kib,
                "iterations": self.kdf.iterations,
                "lanes": self.kdf.lanes,
                "salt": _b64(self.kdf.salt),
                "nonce": _b64(self.nonce),
                "ciphertext": _b64(self.ciphertext),
                "key_version": self.key_version,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> WrappedKey:
        data = json.loads(text)
        kdf = KdfParams(
            int(data["memory_kib"]), int(data["iterations"]), int(data["lanes"]), _unb64(data["salt"])
        )
        return cls(
            str(data["purpose"]), kdf, _unb64(data["nonce"]), _unb64(data["ciphertext"]),
            int(data["key_version"]),
        )


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=8 * KEY_BYTES)


def wrap(data_key: bytes, secret: str, kdf: KdfParams, *, purpose: str, key_version: int) -> WrappedKey:
    kdf.check_floor()
    nonce = os.urandom(NONCE_BYTES)
    wrapping_key = kdf.derive(_normalise(secret, purpose))
    ciphertext = AESGCM(wrapping_key).encrypt(
        nonce, data_key, _associated_data(purpose, kdf, key_version)
    )
    return WrappedKey(purpose, kdf, nonce, ciphertext, key_version)


def unwrap(wrapped: WrappedKey, secret: str) -> bytes:
    """The data key, or WrongPassphrase / WrongRecoveryKey / KeySettingsTampered."""
    wrapped.kdf.check_floor()
    wrapping_key = wrapped.kdf.derive(_normalise(secret, wrapped.purpose))
    try:
        return AESGCM(wrapping_key).decrypt(wrapped.nonce, wrapped.ciphertext, wrapped.associated_data())
    except InvalidTag:
        raise (WrongRecoveryKey() if wrapped.purpose == RECOVERY else WrongPassphrase()) from None


def new_recovery_key() -> str:
    """A code to write down, e.g. 'K7QM-...' (160 random bits), shown to the person once."""
    characters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(
        _RECOVERY_GROUPS * _RECOVERY_GROUP_LENGTH))
    return "-".join(
        characters[i : i + _RECOVERY_GROUP_LENGTH]
        for i in range(0, len(characters), _RECOVERY_GROUP_LENGTH)
    )


def _normalise(secret: str, purpose: str) -> bytes:
    if purpose == RECOVERY:  # typed back by a person: dashes, spaces and case do not matter
        secret = "".join(c for c in secret.upper() if c.isalnum())
    # The same passphrase may arrive composed or decomposed, depending on the keyboard and system.
    return unicodedata.normalize("NFC", secret).encode("utf-8")


def _associated_data(purpose: str, kdf: KdfParams, key_version: int) -> bytes:
    return json.dumps(
        ["mini-giants/wrap/v1", purpose, kdf.memory_kib, kdf.iterations, kdf.lanes,
         _b64(kdf.salt), key_version]
    ).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
