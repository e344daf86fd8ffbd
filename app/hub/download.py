"""Downloading a model into the library: free-space check first, bytes through huggingface-hub's
own `http_get` (Range requests, its retries on dropped connections), into a partial file that
survives pauses, cancellations of the app and crashes; then SHA-256 against the hub's LFS hash
(and the catalog's when it pins one), a GGUF check, and an atomic move into the library.

Pause keeps the partial file; a later download of the same file continues from it, also after a
restart, unless the file changed on the hub meanwhile. Cancel deletes it. `kept_partials` lists the
kept ones, so that an app can offer them again after a restart."""

from __future__ import annotations

import hashlib
import json
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, NoReturn, cast

import httpx2
from filelock import FileLock, Timeout
from huggingface_hub import constants
from huggingface_hub.file_download import http_get
from huggingface_hub.utils import build_hf_headers

from app.engine.errors import EngineError
from app.engine.gguf_file import inspect_gguf
from app.hub.errors import (
    ChecksumMismatch,
    DownloadInProgress,
    DownloadStopped,
    HubUnreachable,
    InsufficientDiskSpace,
)
from app.hub.hub_client import Hub, RemoteFile, split_parts
from app.hub.library import DOWNLOAD, Library, LibraryModel, sha256_of

SPACE_MARGIN = 512 * 1024**2  # the disk must keep this much free after the download
# huggingface-hub reads the body in pieces of DOWNLOAD_CHUNK_SIZE (10 MiB), which httpx assembles
# by joining what each socket read returned, a cost that grows with the piece: over loopback
# 10 MiB pieces ran at ~210 MiB/s, 1 MiB at ~250, 128 KiB at ~580 (curl: ~600-1000). Small pieces
# also make a pause take effect sooner.
constants.DOWNLOAD_CHUNK_SIZE = 128 * 1024
RETRIES = 5  # after huggingface-hub's own retries gave up: 1, 2, 4, 8, 16 s apart
PROGRESS_EVERY = 0.25  # seconds between progress reports


@dataclass(frozen=True)
class Progress:
    filename: str
    done: int  # bytes on disk, resumed ones included
    total: int | None
    speed: float  # bytes per second over this run
    eta: float | None  # seconds

    @property
    def fraction(self) -> float | None:
        return self.done / self.total if self.total else None


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


class DownloadControl:
    """Pause or cancel a download from another thread (the GUI's, or a signal handler)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.keep_partial = True

    def pause(self) -> None:
        self.keep_partial = True
        self._stop.set()

    def cancel(self) -> None:
        self.keep_partial = False
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep (before a retry), waking early when stopped; True when stopped."""
        return self._stop.wait(seconds)


class _Stop(Exception):
    """Raised inside http_get's loop (from the progress hook) to end the transfer."""


def download(hub: Hub, library: Library, repo: str, filename: str, *, revision: str = "main",
             expected_sha256: str | None = None,
             progress: Callable[[Progress], None] | None = None,
             control: DownloadControl | None = None,
             free_space: Callable[[Path], int] = lambda path: shutil.disk_usage(path).free,
             ) -> LibraryModel:
    """Download `filename` (every part, for a split GGUF) from `repo` into the library and return
    its record; a file already in the library is returned as it is."""
    existing = library.find(repo, filename)
    if existing is not None:
        return existing
    control = control or DownloadControl()
    remotes = [hub.remote_file(repo, part, revision) for part in split_parts(filename)]
    _check_space(library, remotes, free_space)
    asked = {"repo": repo, "filename": filename, "revision": revision,
             "expected_sha256": expected_sha256}
    finished = []  # (partial file, its SHA-256)
    for remote in remotes:
        expected = expected_sha256 if remote.filename == filename else None
        finished.append(_download_one(hub, library, remote, expected, asked, progress, control))
    try:
        facts = inspect_gguf(finished[0][0])
    except EngineError:  # a file llama.cpp would reject never enters the library, nor stays
        for partial, _ in finished:
            _discard(partial)
        raise
    targets = [library.download_path(repo, remote.filename) for remote in remotes]
    for (partial, _), target in zip(finished, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        _sidecar(partial).unlink(missing_ok=True)
    return library.add(targets[0], facts, source=DOWNLOAD, sha256=finished[0][1], repo=repo,
                       revision=remotes[0].commit)


def discard_partial(library: Library, repo: str, filename: str) -> None:
    """Delete what a paused or failed download of `filename` (every part of a split GGUF) left
    behind: cancelling it while no transfer runs that could do so."""
    for part in split_parts(filename):
        _discard(_partial_path(library, repo, part))


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
    if partial not in (_partial_path(library, repo, part) for part in split_parts(filename)):
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


def _check_space(library: Library, remotes: list[RemoteFile],
                 free_space: Callable[[Path], int]) -> None:
    library.partial_dir.mkdir(parents=True, exist_ok=True)
    still_needed = 0
    for remote in remotes:
        partial = _partial_path(library, remote.repo, remote.filename)
        have = partial.stat().st_size if partial.exists() and _same_file(partial, remote) else 0
        still_needed += max((remote.size or 0) - have, 0)
    free = free_space(library.partial_dir)
    if still_needed + SPACE_MARGIN > free:
        raise InsufficientDiskSpace(library.root, still_needed + SPACE_MARGIN, free)


def _download_one(hub: Hub, library: Library, remote: RemoteFile, expected_sha256: str | None,
                  asked: dict[str, str | None], progress: Callable[[Progress], None] | None,
                  control: DownloadControl) -> tuple[Path, str]:
    """One writer per partial file: a second window or a `minigiants models download` of the
    same file at the same time is refused instead of interleaving bytes."""
    partial = _partial_path(library, remote.repo, remote.filename)
    partial.parent.mkdir(parents=True, exist_ok=True)
    lock = Path(str(partial) + ".lock")
    try:
        with FileLock(str(lock), timeout=0):
            try:
                return _fetch(hub, remote, partial, expected_sha256, asked, progress, control)
            finally:
                # Removed while still held and after the last write: a writer arriving from now
                # on locks a new file, and this one has nothing left to write.
                lock.unlink(missing_ok=True)
    except Timeout:
        raise DownloadInProgress(Path(remote.filename).name) from None


def _fetch(hub: Hub, remote: RemoteFile, partial: Path, expected_sha256: str | None,
           asked: dict[str, str | None], progress: Callable[[Progress], None] | None,
           control: DownloadControl) -> tuple[Path, str]:
    if partial.exists() and not _same_file(partial, remote):
        partial.unlink()  # the file changed on the hub since: its old bytes are useless
    # What download() was asked goes beside what the hub said, for kept_partials() after a restart;
    # readers of the sidecar look only at the keys they know, so older and newer ones mix freely.
    _sidecar(partial).write_text(json.dumps({"sha256": remote.sha256, "size": remote.size,
                                             "commit": remote.commit, **asked}))
    reporter = _Reporter(Path(remote.filename).name, remote.size, progress, control)
    headers = build_hf_headers(token=hub.token)
    digest = _PartialDigest()
    attempt = 0
    while True:
        done = partial.stat().st_size if partial.exists() else 0
        reporter.start(done)
        try:
            with _HashingAppender(partial, digest) as file, hub.errors(remote.repo, remote.filename):
                http_get(remote.url, cast(BinaryIO, file), resume_size=done, headers=headers,
                         expected_size=remote.size, tqdm_class=reporter.bar)  # type: ignore[arg-type]
            break
        except _Stop:
            _stopped(partial, remote, control)
        except (HubUnreachable, httpx2.TransportError, OSError) as error:
            # huggingface-hub already retried a dropped connection five times, 1 s apart; a longer
            # outage gets a few more tries, further apart, each resuming where the file ends.
            retryable = not isinstance(error, OSError) or "Consistency check" in str(error)
            attempt += 1
            if not retryable or attempt > RETRIES:
                if isinstance(error, httpx2.TransportError):
                    raise HubUnreachable(hub.endpoint) from error
                raise
            if control.wait(2 ** (attempt - 1)):
                _stopped(partial, remote, control)
    # Also without a hub hash (a file not in LFS) the record gets one, for `verify` later.
    actual = digest.of(partial)
    _verify(partial, remote, expected_sha256, actual)
    return partial, actual


def _stopped(partial: Path, remote: RemoteFile, control: DownloadControl) -> NoReturn:
    if not control.keep_partial:
        _discard(partial)
    raise DownloadStopped(Path(remote.filename).name, kept=control.keep_partial)


def _verify(partial: Path, remote: RemoteFile, expected_sha256: str | None, actual: str) -> None:
    wanted = [h.lower() for h in (remote.sha256, expected_sha256) if h]
    for expected in wanted:
        if actual != expected:
            _discard(partial)
            raise ChecksumMismatch(Path(remote.filename).name, expected, actual)


def _discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    _sidecar(partial).unlink(missing_ok=True)


def _partial_path(library: Library, repo: str, filename: str) -> Path:
    return library.partial_dir / repo.replace("/", "__") / (filename + ".part")


def _sidecar(partial: Path) -> Path:
    return partial.with_name(partial.name + ".json")


def _same_file(partial: Path, remote: RemoteFile) -> bool:
    """Whether the partial file holds the start of this very file (same hash and size)."""
    recorded = _read_sidecar(_sidecar(partial))
    return bool(recorded and recorded.get("sha256") == remote.sha256
                and recorded.get("size") == remote.size)


def _read_sidecar(sidecar: Path) -> dict[str, Any]:
    """The sidecar's record; empty when it is missing, unreadable or not a JSON object."""
    try:
        recorded = json.loads(sidecar.read_text())
    except (OSError, ValueError):
        return {}
    return recorded if isinstance(recorded, dict) else {}


class _PartialDigest:
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


class _HashingAppender:
    """The partial file opened for appending, as huggingface-hub's http_get writes it, with every
    byte also fed to the digest."""

    def __init__(self, path: Path, digest: _PartialDigest) -> None:
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

    def __enter__(self) -> _HashingAppender:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._file.close()
        self._digest.settle()


class _Reporter:
    """Counts bytes for the progress callback and stops the transfer when asked. huggingface-hub
    drives it as its progress-bar class: built per transfer, then `update(n)` per chunk, which
    comes before the chunk is written, so stopping there leaves whole chunks on disk."""

    def __init__(self, filename: str, total: int | None,
                 progress: Callable[[Progress], None] | None, control: DownloadControl) -> None:
        self._filename = filename
        self._total = total
        self._progress = progress
        self._control = control
        self._done = self._started_at_bytes = 0
        self._started = self._reported = 0.0

    def start(self, done: int) -> None:
        self._done = self._started_at_bytes = done
        self._started = time.monotonic()
        self._reported = 0.0
        self._report(force=True)

    def bar(self, **_kwargs: object) -> _Reporter:
        return self

    def __enter__(self) -> _Reporter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        return None

    def update(self, n: int) -> None:
        if self._control.stopped:
            raise _Stop()
        self._done += n
        self._report(force=self._total is not None and self._done >= self._total)

    def _report(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if self._progress is None or (not force and now - self._reported < PROGRESS_EVERY):
            return
        self._reported = now
        elapsed = now - self._started
        speed = (self._done - self._started_at_bytes) / elapsed if elapsed > 0 else 0.0
        remaining = (self._total - self._done) if self._total is not None else None
        eta = remaining / speed if remaining is not None and speed > 0 else None
        self._progress(Progress(self._filename, self._done, self._total, speed, eta))
