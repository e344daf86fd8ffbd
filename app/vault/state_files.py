"""Conversations' KV caches sealed on disk (issue 16), so that going back to a conversation after a
restart is as quick as going back within one run. A KV cache is the conversation's text in another
form: it is written only sealed, never in the clear, not even to a temporary file.

Each file holds one conversation's cache in AES-256-GCM pieces of at most CHUNK bytes, under a key
derived from the vault's data key for this one purpose (HKDF). Every piece is bound by its
associated data to the conversation, to `identity` (the model file and the load options that
shape a cache: a cache from another model or other options never opens), to its place in the file
and to whether it is the last, so a file cut short, reordered or spliced does not open either. A
file that does not open is deleted and the conversation evaluated as without it. The file's name
is a keyed hash of the conversation's id: the folder does not say which conversations there are.
What the folder may hold is bounded (`enforce`), the least recently used removed first."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import struct
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.vault.private_files import new_private_file

MAGIC = b"MGKV1\n"
CHUNK = 4 * 1024 * 1024
SUFFIX = ".kv"
_NONCE = 12
_LENGTH = struct.Struct("<I")


def state_key(data_key: bytes) -> bytes:
    """The key for state files, derived from the vault's data key: knowing it opens no row."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"mini-giants kv-state v1").derive(data_key)


class StateFiles:
    """The sealed state files in `folder`, opened with `key` (see state_key)."""

    def __init__(self, folder: Path, key: bytes) -> None:
        self.folder = folder
        self._key = key
        self._aead = AESGCM(key)

    def save(self, conversation: str, identity: str, header: dict[str, object],
             data: bytes) -> None:
        """Seal `header` (plain JSON values) and `data` for `conversation`, replacing its file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(conversation)
        pieces = [json.dumps(header).encode("utf-8")]
        pieces += [data[start:start + CHUNK] for start in range(0, len(data), CHUNK)]
        path.unlink(missing_ok=True)
        with new_private_file(path) as partial, open(partial, "wb") as out:
            out.write(MAGIC)
            for index, piece in enumerate(pieces):
                nonce = os.urandom(_NONCE)
                sealed = self._aead.encrypt(nonce, piece, _bound(
                    conversation, identity, index, index == len(pieces) - 1))
                out.write(_LENGTH.pack(len(sealed)) + nonce + sealed)

    def load(self, conversation: str, identity: str) -> tuple[dict[str, object], bytes] | None:
        """The header and data kept for `conversation`; None when there is none, or when it does
        not open as this conversation's for this `identity` (then it is deleted)."""
        path = self._path(conversation)
        try:
            raw = path.read_bytes()
        except OSError:  # none kept, or none that can be read: evaluated as without one
            return None
        opened = self._open(raw, conversation, identity)
        if opened is None:
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # used now: the last to be removed by enforce()
        header, *data = opened
        return json.loads(header), b"".join(data)

    def delete(self, conversation: str) -> None:
        self._path(conversation).unlink(missing_ok=True)

    def usage(self) -> int:
        return sum(path.stat().st_size for path in self._files())

    def enforce(self, budget: int) -> None:
        """Remove the least recently used files until the folder holds at most `budget` bytes."""
        files = sorted(self._files(), key=lambda path: path.stat().st_mtime)
        total = sum(path.stat().st_size for path in files)
        for path in files:
            if total <= budget:
                break
            total -= path.stat().st_size
            path.unlink(missing_ok=True)

    def clear(self) -> None:
        for path in self._files():
            path.unlink(missing_ok=True)

    def _files(self) -> list[Path]:
        return list(self.folder.glob(f"*{SUFFIX}")) if self.folder.is_dir() else []

    def _path(self, conversation: str) -> Path:
        name = hmac.new(self._key, conversation.encode("utf-8"), hashlib.sha256).hexdigest()
        return self.folder / f"{name[:32]}{SUFFIX}"

    def _open(self, raw: bytes, conversation: str, identity: str) -> list[bytes] | None:
        if not raw.startswith(MAGIC):
            return None
        pieces: list[bytes] = []
        at = len(MAGIC)
        while at < len(raw):
            if at + _LENGTH.size + _NONCE > len(raw):
                return None
            (length,) = _LENGTH.unpack_from(raw, at)
            nonce = raw[at + _LENGTH.size:at + _LENGTH.size + _NONCE]
            start = at + _LENGTH.size + _NONCE
            sealed = raw[start:start + length]
            at = start + length
            last = at >= len(raw)
            try:
                pieces.append(self._aead.decrypt(nonce, sealed, _bound(
                    conversation, identity, len(pieces), last)))
            except InvalidTag:
                return None
        return pieces or None


def _bound(conversation: str, identity: str, index: int, last: bool) -> bytes:
    """What a piece is sealed to: its conversation, the model and options, its place, the end."""
    return json.dumps([conversation, identity, index, last]).encode("utf-8")
