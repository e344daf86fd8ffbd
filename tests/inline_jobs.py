"""Vault jobs for the tests of plain-Python page logic: each runs as it is given, on the test's
thread, so a test reads the outcome on the next line."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from app.errors import MiniGiantsError
from app.jobs import OnError

T = TypeVar("T")


class InlineJobs:
    """Each job runs as it is given; an error without a handler is raised to the caller."""

    def submit(self, job: Callable[[], T], on_done: Callable[[T], None], what: str, *,
               on_error: OnError | None = None) -> None:
        try:
            result = job()
        except MiniGiantsError as error:
            if on_error is None:
                raise
            on_error(error)
            return
        on_done(result)

    def save(self, job: Callable[[], object], what: str, on_error: OnError | None = None) -> None:
        self.submit(job, lambda _: None, what, on_error=on_error)

    def end(self) -> None:
        """Nothing to drop: every job has answered already."""
