"""The partial file of a download, appended to and hashed in the same pass, so that checking a
multi-GB file at the end needs no second read of it."""

from __future__ import annotations

import hashlib
import queue
import threading
from pathlib import Path

from app.hub.library import sha256_of


class PartialDigest:
    """The SHA-256 of a partial file, kept current as bytes are appended to it, so that the check
    at the end costs no second pass over a multi-GB file. Bytes that were on disk before (a
    resumed download) are read once; anything unexpected (the file shrank, a rewind) falls back to
    hashing the file as it is. The hashing runs on a thread of its own (hashlib lets go of the
    interpreter while it works), beside the thread that reads the socket."""

    def __init__(self) -> None:
        self._digest = hashlib.sha256()
        self._length = 0
        self._trusted = True
        self._pending: queue.Queue[bytes | None] = queue.Queue(maxsize=64)  # bounded: reading waits for hashing
        self._hasher: threading.Thread | None = None

    def catch_up(self, path: Path) -> None:
        size = path.stat().st_size if path.exists() else 0
        if size < self._length:
            self._trusted = False
        if not self._trusted or not size:
            return
        with open(path, "rb") as file:
            file.seek(self._length)
            while chunk := file.read(1024 * 1024):
                self.update(chunk)

    def update(self, data: bytes) -> None:
        if self._hasher is None:
            self._hasher = threading.Thread(target=self._hash_pending, name="sha256", daemon=True)
            self._hasher.start()
        self._pending.put(data)
        self._length += len(data)

    def settle(self) -> None:
        """Waits until every byte handed over so far is in the digest."""
        if self._hasher is not None:
            self._pending.put(None)
            self._hasher.join()
            self._hasher = None

    def _hash_pending(self) -> None:
        while (data := self._pending.get()) is not None:
            self._digest.update(data)

    def distrust(self) -> None:
        self._trusted = False

    def of(self, path: Path) -> str:
        self.settle()
        if self._trusted and self._length == path.stat().st_size:
            return self._digest.hexdigest()
        return sha256_of(path)


class HashingAppender:
    """The partial file opened for appending, as huggingface-hub's http_get writes it, with every
    byte also fed to the digest."""

    def __init__(self, path: Path, digest: PartialDigest) -> None:
        digest.catch_up(path)
        self._file = open(path, "ab")
        self._digest = digest

    def write(self, data: bytes) -> int:
        written = self._file.write(data)
        self._digest.update(data)
        return written

    def tell(self) -> int:
        return self._file.tell()

    def seek(self, offset: int, whence: int = 0) -> int:
        self._digest.distrust()  # http_get rewinds only when a server ignored the Range
        return self._file.seek(offset, whence)

    def truncate(self, size: int | None = None) -> int:
        self._digest.distrust()
        return self._file.truncate(size)

    def __enter__(self) -> HashingAppender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._file.close()
        self._digest.settle()
