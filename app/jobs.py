"""Vault jobs, as the plain-Python logic of a page sees them: given now, answered later, off the
thread that shows things. The GUI runs them on the vault's thread (app/ui/common/background.py);
the tests run them at once. The logic is the same in each, and none of it knows which."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from app.errors import MiniGiantsError

T = TypeVar("T")
OnError = Callable[[MiniGiantsError], None]


class Jobs(Protocol):
    """Work with the vault, one job after another, off the thread that shows things."""

    def submit(self, job: Callable[[], T], on_done: Callable[[T], None], what: str, *,
               on_error: OnError | None = None) -> None:
        """Run `job`, then `on_done` with its result (or `on_error`), back on the caller's side;
        `what` completes "Something went wrong while …". Answers to jobs given before the last
        `end()` never arrive."""

    def save(self, job: Callable[[], object], what: str, on_error: OnError | None = None) -> None:
        """A write that lands even after `end()`: the pieces of a reply, its last save on a lock."""

    def end(self) -> None:
        """The vault is locking: answers to the jobs given so far are dropped."""
