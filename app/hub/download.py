"""Downloading a model into the library: free-space check first, bytes through huggingface-hub's
own `http_get` (Range requests, its retries on dropped connections), into a partial file that
survives pauses, cancellations of the app and crashes; then SHA-256 against the hub's LFS hash
(and the catalog's when it pins one), a GGUF check, and an atomic move into the library.

Pause keeps the partial file; a later download of the same file continues from it, also after a
restart, unless the file changed on the hub meanwhile. Cancel deletes it. `partials.kept_partials`
lists the kept ones, so that an app can offer them again after a restart."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, NoReturn, cast

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
from app.hub.hashing_file import HashingAppender, PartialDigest
from app.hub.hub_client import Hub, RemoteFile, split_parts
from app.hub.library import DOWNLOAD, Library, LibraryModel
from app.hub.partials import discard, partial_path, same_file, sidecar_of, write_sidecar

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
            discard(partial)
        raise
    targets = [library.download_path(repo, remote.filename) for remote in remotes]
    for (partial, _), target in zip(finished, targets):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, target)
        sidecar_of(partial).unlink(missing_ok=True)
    return library.add(targets[0], facts, source=DOWNLOAD, sha256=finished[0][1], repo=repo,
                       revision=remotes[0].commit)


def _check_space(library: Library, remotes: list[RemoteFile],
                 free_space: Callable[[Path], int]) -> None:
    library.partial_dir.mkdir(parents=True, exist_ok=True)
    still_needed = 0
    for remote in remotes:
        partial = partial_path(library, remote.repo, remote.filename)
        have = partial.stat().st_size if partial.exists() and same_file(partial, remote) else 0
        still_needed += max((remote.size or 0) - have, 0)
    free = free_space(library.partial_dir)
    if still_needed + SPACE_MARGIN > free:
        raise InsufficientDiskSpace(library.root, still_needed + SPACE_MARGIN, free)


def _download_one(hub: Hub, library: Library, remote: RemoteFile, expected_sha256: str | None,
                  asked: dict[str, str | None], progress: Callable[[Progress], None] | None,
                  control: DownloadControl) -> tuple[Path, str]:
    """One writer per partial file: a second window or a `minigiants models download` of the
    same file at the same time is refused instead of interleaving bytes."""
    partial = partial_path(library, remote.repo, remote.filename)
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
    if partial.exists() and not same_file(partial, remote):
        partial.unlink()  # the file changed on the hub since: its old bytes are useless
    write_sidecar(partial, remote, asked)
    reporter = _Reporter(Path(remote.filename).name, remote.size, progress, control)
    headers = build_hf_headers(token=hub.token)
    digest = PartialDigest()
    attempt = 0
    while True:
        done = partial.stat().st_size if partial.exists() else 0
        reporter.start(done)
        try:
            with HashingAppender(partial, digest) as file, hub.errors(remote.repo, remote.filename):
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
        discard(partial)
    raise DownloadStopped(Path(remote.filename).name, kept=control.keep_partial)


def _verify(partial: Path, remote: RemoteFile, expected_sha256: str | None, actual: str) -> None:
    wanted = [h.lower() for h in (remote.sha256, expected_sha256) if h]
    for expected in wanted:
        if actual != expected:
            discard(partial)
            raise ChecksumMismatch(Path(remote.filename).name, expected, actual)


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
