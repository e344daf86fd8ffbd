"""Work off the GUI thread: `TaskThread` is a thread of its own that runs the jobs given to it one
after another, in order, and hands each result (or error) back to the GUI thread. The vault lives on
one such thread for its whole life (SQLite connections belong to the thread that opened them);
each download gets one. The GUI thread never waits on a job."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QThread, Signal, Slot

from app.errors import MiniGiantsError

log = logging.getLogger(__name__)
T = TypeVar("T")


class UnexpectedError(MiniGiantsError):
    """A job failed in a way we did not foresee; the details go to the log file only, since an
    exception's text may quote what the person wrote."""

    def __init__(self, what: str) -> None:
        super().__init__(f"Something went wrong while {what}.",
                         "Try again; if it keeps happening, the log file in the data folder says more.")


class _Runner(QObject):
    """Lives on the task thread; runs each job it is sent."""

    done = Signal(int, object)
    failed = Signal(int, object)

    @Slot(int, object, str)
    def run(self, job_id: int, job: Callable[[], object], what: str) -> None:
        try:
            result = job()
        except MiniGiantsError as error:
            self.failed.emit(job_id, error)
        except Exception:  # a bug or an OS surprise: the window must keep working
            log.exception("background job failed: %s", what)
            self.failed.emit(job_id, UnexpectedError(what))
        else:
            self.done.emit(job_id, result)


class TaskThread(QObject):
    _send = Signal(int, object, str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None,
                                         Callable[[MiniGiantsError], None] | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._runner = _Runner()
        self._runner.moveToThread(self._thread)
        self._send.connect(self._runner.run)
        self._runner.done.connect(self._on_done)
        self._runner.failed.connect(self._on_failed)
        self._thread.start()

    @property
    def pending(self) -> int:
        """Jobs given and not yet answered."""
        return len(self._callbacks)

    def submit(self, job: Callable[[], T], on_done: Callable[[T], None] | None = None,
               on_error: Callable[[MiniGiantsError], None] | None = None, *,
               what: str = "working in the background") -> None:
        """Run `job` on the thread after the jobs before it; then, on the GUI thread, `on_done`
        with its result or `on_error` with the error (`what` completes "Something went wrong
        while …" for an unforeseen one)."""
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._send.emit(job_id, job, what)

    def stop(self) -> None:
        """Let the jobs already given finish, then end the thread; callbacks no longer run."""
        if not self._thread.isRunning():
            return
        self._callbacks.clear()
        # Ending the thread's event loop from inside, as the last job, so none given before is lost.
        self._send.emit(0, self._thread.quit, "stopping")
        self._thread.wait()

    def _on_done(self, job_id: int, result: object) -> None:
        on_done, _ = self._callbacks.pop(job_id, (None, None))
        if on_done is not None:
            on_done(result)

    def _on_failed(self, job_id: int, error: MiniGiantsError) -> None:
        if job_id not in self._callbacks:
            return
        _, on_error = self._callbacks.pop(job_id)
        if on_error is not None:
            on_error(error)
        else:
            log.warning("background job failed unheard: %s", error.message)


class SessionJobs:
    """Vault jobs for a page that outlives unlocks: answers to jobs given before the last `end()`
    (the app locked in between) are dropped, so nothing from an earlier unlock reaches the page."""

    def __init__(self, jobs: TaskThread, on_error: Callable[[MiniGiantsError], None]) -> None:
        self._jobs = jobs
        self._on_error = on_error
        self._session = 0

    def end(self) -> None:
        self._session += 1

    def save(self, job: Callable[[], object], what: str,
             on_error: Callable[[MiniGiantsError], None] | None = None) -> None:
        """A write that lands, and whose error is heard, also after `end()`: the pieces of a
        reply, and its last save when the vault locks."""
        self._jobs.submit(job, on_error=on_error, what=what)

    def submit(self, job: Callable[[], T], on_done: Callable[[T], None], what: str, *,
               on_error: Callable[[MiniGiantsError], None] | None = None) -> None:
        session = self._session
        failed = on_error or self._on_error

        def done(result: T) -> None:
            if session == self._session:
                on_done(result)

        def error(problem: MiniGiantsError) -> None:
            if session == self._session:
                failed(problem)

        self._jobs.submit(job, done, error, what=what)
