"""Each conversation's KV cache, kept while the person is in another one, so that going back
evaluates only what is new instead of the whole history again (issue 16).

The engine holds one llama.cpp sequence, so one conversation's cache at a time. Before a turn of
another conversation, `CacheStates.switch` copies the sequence out (llama_state_seq_get_data) with
the tokens it holds, and copies the other conversation's back in when it was kept. Copying a
sequence out and in was chosen over several sequences resident in one context: a context sized
for N sequences reserves N times the KV memory up front, whether or not they are used, and a
switch is a memory copy of one conversation's cache (tens of MB for a 2,500-token conversation on
a small model), far below re-evaluating it. What is kept is bounded by a byte budget, the least
recently used evicted first.

Only the tokens the state holds are trusted, never the conversation's identity: the engine plans
its reuse from those tokens (prefix.py), so a state for a history edited since is used only for
the prefix that still matches, and never gives a wrong reply."""

from __future__ import annotations

import ctypes
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

import llama_cpp
import psutil

from app.engine.messages import ChatMessage
from app.engine.native import Context

SEQUENCE = 0  # the engine's one sequence
BUDGET_SHARE = 0.25  # of the memory available when the budget is set
BUDGET_CEILING = 4 * 1024**3


@dataclass(frozen=True)
class CacheState:
    """One conversation's place in the KV cache: the tokens it holds, where the fitted history
    began (the engine's anchor), and llama.cpp's copy of the sequence."""

    tokens: tuple[int, ...]
    anchor: tuple[int, ChatMessage] | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


class Spill(Protocol):
    """Where a kept cache goes when memory cannot hold it, or the model or the app closes: sealed
    on disk (app/chat/sealed_spill.py). `load` gives None for a cache it cannot vouch for."""

    def save(self, conversation: str, state: CacheState) -> None: ...

    def load(self, conversation: str) -> CacheState | None: ...

    def delete(self, conversation: str) -> None: ...


def copy_out(context: Context) -> bytes:
    """The sequence's KV cache as llama.cpp serialises it."""
    size = llama_cpp.llama_state_seq_get_size(context.pointer, SEQUENCE)
    buffer = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(context.pointer, buffer, size, SEQUENCE)
    return bytes(memoryview(buffer)[:written])


def copy_in(context: Context, data: bytes) -> bool:
    """Replace the sequence's KV cache with `data`; False (and an empty cache) when llama.cpp
    refuses it, e.g. a copy made by another model or with other cache settings."""
    context.forget_from(0)
    buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
    if llama_cpp.llama_state_seq_set_data(context.pointer, buffer, len(data), SEQUENCE) == 0:
        context.forget_from(0)
        return False
    return True


def default_budget() -> int:
    """A quarter of the memory available now, at most 4 GiB."""
    return min(int(psutil.virtual_memory().available * BUDGET_SHARE), BUDGET_CEILING)


class CacheStates:
    """The kept caches, by conversation id, least recently used first."""

    def __init__(self, budget: int | None = None) -> None:
        self.budget = default_budget() if budget is None else budget
        self._kept: OrderedDict[str, CacheState] = OrderedDict()
        self.current: str | None = None  # the conversation whose cache the engine holds
        self.spill: Spill | None = None  # while the vault is unlocked

    @property
    def kept_bytes(self) -> int:
        return sum(state.size for state in self._kept.values())

    def __contains__(self, conversation: str) -> bool:
        return conversation in self._kept

    def keep(self, conversation: str, state: CacheState) -> None:
        self._kept.pop(conversation, None)
        self._kept[conversation] = state
        while self.kept_bytes > self.budget:
            # Bigger than the whole budget: it goes alone, and the others stay.
            evicted = conversation if state.size > self.budget else next(iter(self._kept))
            evicted_state = self._kept.pop(evicted)
            if self.spill is not None:
                self.spill.save(evicted, evicted_state)

    def take(self, conversation: str) -> CacheState | None:
        """The kept cache of `conversation`, no longer kept here (it goes back into the engine);
        from the spill when memory no longer holds it."""
        state = self._kept.pop(conversation, None)
        if state is None and self.spill is not None:
            state = self.spill.load(conversation)
        return state

    def spill_all(self) -> None:
        """Every cache kept in memory to the spill (the model or the app closes, the vault
        locks); memory keeps none of them."""
        if self.spill is not None:
            for conversation, state in self._kept.items():
                self.spill.save(conversation, state)
        self._kept.clear()

    def forget(self, conversation: str | None = None) -> None:
        """Drop one conversation's cache (deleted), or every one (the vault locked, the model
        changed): a KV cache is the conversation's text in another form."""
        if conversation is None or conversation == self.current:
            self.current = None  # what the engine holds now is kept under no name either
        if conversation is None:
            self._kept.clear()
        else:
            self._kept.pop(conversation, None)
            if self.spill is not None:
                self.spill.delete(conversation)
