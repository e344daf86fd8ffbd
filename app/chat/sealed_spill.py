"""The engine's kept KV caches, sealed on disk with the vault's key (app/vault/state_files.py):
where CacheStates puts a conversation's cache that memory cannot hold, and every one when the model
or the app closes, so that going back after a restart evaluates only what is new. The engine stays
free of the vault: it only sees the Spill port this fills."""

from __future__ import annotations

from app.engine.cache_states import CacheState
from app.engine.messages import ChatMessage
from app.vault.state_files import StateFiles

DISK_BUDGET = 4 * 1024**3  # bytes of sealed caches kept on disk, the least recently used removed


class SealedSpill:
    def __init__(self, files: StateFiles, identity: str, budget: int = DISK_BUDGET) -> None:
        """`identity`: the engine's cache_identity(); a cache sealed under another never opens."""
        self._files = files
        self._identity = identity
        self._budget = budget

    def save(self, conversation: str, state: CacheState) -> None:
        anchor = None if state.anchor is None else \
            [state.anchor[0], state.anchor[1].role, state.anchor[1].content]
        self._files.save(conversation, self._identity,
                         {"tokens": list(state.tokens), "anchor": anchor}, state.data)
        self._files.enforce(self._budget)

    def load(self, conversation: str) -> CacheState | None:
        opened = self._files.load(conversation, self._identity)
        if opened is None:
            return None
        header, data = opened
        tokens, anchor = header.get("tokens"), header.get("anchor")
        if not isinstance(tokens, list) or not all(isinstance(t, int) for t in tokens):
            return None
        kept_anchor = None
        if isinstance(anchor, list) and len(anchor) == 3:
            kept_anchor = (int(anchor[0]), ChatMessage(str(anchor[1]), str(anchor[2])))
        return CacheState(tuple(tokens), kept_anchor, data)

    def delete(self, conversation: str) -> None:
        self._files.delete(conversation)
