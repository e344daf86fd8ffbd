"""Saving a reply while it streams: a crash or power cut in the middle of a long answer loses at
most the last second of it, and never anything written before."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from app.vault.records import Message
from app.vault.store import Vault
from app.vault.versions import with_new_version

SAVE_EVERY_SECONDS = 1.0


class ReplySaver:
    """Feed it the reply's pieces as they arrive, then `finish` with the statistics. The message
    is stored with the first piece, again whenever a second has passed, and at the end; each
    store is one transaction, so the vault always holds a whole, earlier version of the reply."""

    def __init__(self, vault: Vault, conversation_id: str, *, model: str | None,
                 replacing: Message | None = None, answers: int | None = None,
                 every: float = SAVE_EVERY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        """`replacing`: a reply being regenerated; the new one becomes its newest version, in
        use, and what it said before stays as an alternative, from the first save on.
        `answers`: the version of the question this reply answers."""
        self._vault = vault
        self._conversation_id = conversation_id
        self._model = model
        self._replacing = replacing
        self._answers = answers
        self._every = every
        self._clock = clock
        self._pieces: list[str] = []
        self._message: Message | None = None
        self._saved_at = 0.0

    @property
    def text(self) -> str:
        return "".join(self._pieces)

    @property
    def saved(self) -> Message | None:
        """The reply as it was last stored (None before the first piece)."""
        return self._message

    def add(self, piece: str) -> None:
        self._pieces.append(piece)
        if self._message is None or self._clock() - self._saved_at >= self._every:
            self._save({})

    def finish(self, stats: dict[str, object]) -> Message:
        """Store the whole reply with its statistics (also when it was stopped or failed)."""
        return self._save(stats)

    def _save(self, stats: dict[str, object]) -> Message:
        if self._message is None and self._replacing is not None:
            self._message = with_new_version(self._replacing, self.text, stats=stats,
                                             model=self._model, answers=self._answers)
            self._vault.conversations.update_message(self._message)
        elif self._message is None:
            self._message = self._vault.conversations.add_message(
                self._conversation_id, "assistant", self.text, model=self._model, stats=stats,
                answers=self._answers)
        else:
            self._message = dataclasses.replace(self._message, text=self.text, stats=stats)
            self._vault.conversations.update_message(self._message)
        self._saved_at = self._clock()
        return self._message
