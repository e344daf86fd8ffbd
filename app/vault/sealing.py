"""Seal one row's sensitive payload: AES-256-GCM with a fresh 96-bit nonce, its plaintext padded to
a size bucket, and associated data that binds it to its table, row, parent and key version, so a
ciphertext copied into another row or conversation fails to open."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.vault.errors import RowTampered

NONCE_BYTES = 12
_LENGTH = struct.Struct(">I")
_SMALLEST_BUCKET = 64
_LARGE_STEP = 4096


@dataclass(frozen=True)
class RowAddress:
    """Where a sealed payload belongs; part of what it is authenticated against."""

    table: str
    row_id: str
    parent_id: str | None
    key_version: int

    def associated_data(self) -> bytes:
        return json.dumps(
            ["mini-giants/row/v1", self.table, self.row_id, self.parent_id, self.key_version]
        ).encode("utf-8")


def bucket_size(length: int) -> int:
    """Padded size for `length` bytes: powers of two up to 4 KiB, then whole 4 KiB steps, so a
    stored size tells only roughly how long a text is."""
    if length <= _LARGE_STEP:
        return max(_SMALLEST_BUCKET, 1 << (length - 1).bit_length())
    return -(-length // _LARGE_STEP) * _LARGE_STEP


def _pad(data: bytes) -> bytes:
    framed = _LENGTH.pack(len(data)) + data
    return framed + bytes(bucket_size(len(framed)) - len(framed))


def _unpad(padded: bytes) -> bytes:
    (length,) = _LENGTH.unpack_from(padded)
    return padded[_LENGTH.size : _LENGTH.size + length]


def seal(key: bytes, payload: Mapping[str, object], address: RowAddress) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    plaintext = _pad(json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    return nonce + AESGCM(key).encrypt(nonce, plaintext, address.associated_data())


def open_sealed(key: bytes, sealed: bytes, address: RowAddress) -> dict[str, object]:
    try:
        plaintext = AESGCM(key).decrypt(
            sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], address.associated_data()
        )
    except (InvalidTag, ValueError):
        raise RowTampered(address.table, address.row_id) from None
    payload = json.loads(_unpad(plaintext).decode("utf-8"))
    if not isinstance(payload, dict):
        raise RowTampered(address.table, address.row_id)
    return payload
