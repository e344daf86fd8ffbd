"""The portable encrypted backup (`.mgbackup`): every row of a vault, decrypted and sealed again
under a key of the backup's own, wrapped with a backup passphrase (Argon2id, its own salt), so the
file can be kept anywhere and restored into any vault.

Layout, version 1: the magic line, a 4-byte big-endian header length, the JSON header (format
version and the wrapped file key), then a 12-byte nonce and the AES-256-GCM ciphertext of the
zlib-compressed JSON rows. The magic and header are the ciphertext's associated data, so neither can
be changed without the restore failing."""

from __future__ import annotations

import json
import os
import struct
import zlib
from dataclasses import asdict
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.vault.errors import BackupUnreadable, WrongBackupPassphrase, WrongPassphrase
from app.vault.keys import (
    NONCE_BYTES,
    KdfParams,
    WrappedKey,
    calibrate,
    new_data_key,
    unwrap,
    wrap,
)
from app.vault.private_files import write_private
from app.vault.records import PlainRow

MAGIC = b"MINI-GIANTS BACKUP\n"
FORMAT_VERSION = 1
SUFFIX = ".mgbackup"
BACKUP = "backup"  # the purpose bound into the file key's wrap
_LENGTH = struct.Struct(">I")


def is_backup_file(path: Path) -> bool:
    with open(path, "rb") as file:
        return file.read(len(MAGIC)) == MAGIC


def write_backup(path: Path, rows: list[PlainRow], passphrase: str, *,
                 kdf: KdfParams | None = None) -> None:
    file_key = new_data_key()
    wrapped = wrap(file_key, passphrase, kdf or calibrate(), purpose=BACKUP, key_version=1)
    header = json.dumps({"format_version": FORMAT_VERSION, "key": json.loads(wrapped.to_json())},
                        sort_keys=True).encode("utf-8")
    preamble = MAGIC + _LENGTH.pack(len(header)) + header
    body = zlib.compress(json.dumps([asdict(row) for row in rows], ensure_ascii=False).encode("utf-8"))
    nonce = os.urandom(NONCE_BYTES)
    write_private(path, preamble + nonce + AESGCM(file_key).encrypt(nonce, body, preamble))


def read_backup(path: Path, passphrase: str) -> list[PlainRow]:
    """The rows of a backup; WrongBackupPassphrase, or BackupUnreadable with the reason."""
    data = path.read_bytes()
    if not data.startswith(MAGIC):
        raise BackupUnreadable(path, "it is not a Mini-Giants backup")
    try:
        (length,) = _LENGTH.unpack_from(data, len(MAGIC))
        header_end = len(MAGIC) + _LENGTH.size + length
        header = json.loads(data[len(MAGIC) + _LENGTH.size : header_end])
        version = int(header["format_version"])
        wrapped = WrappedKey.from_json(json.dumps(header["key"]))
    except (struct.error, ValueError, KeyError, TypeError):
        raise BackupUnreadable(path, "its header is damaged") from None
    if version > FORMAT_VERSION:
        raise BackupUnreadable(path, "it was made by a newer Mini-Giants")
    if wrapped.purpose != BACKUP:
        raise BackupUnreadable(path, "its header is damaged")
    try:
        file_key = unwrap(wrapped, passphrase)
    except WrongPassphrase:
        raise WrongBackupPassphrase() from None
    nonce = data[header_end : header_end + NONCE_BYTES]
    try:
        body = AESGCM(file_key).decrypt(nonce, data[header_end + NONCE_BYTES :], data[:header_end])
    except (InvalidTag, ValueError):
        raise BackupUnreadable(path, "it is incomplete or was changed after it was made") from None
    return [PlainRow(**row) for row in json.loads(zlib.decompress(body))]
