"""The engine's kept KV caches, sealed on disk with the vault's key (app/vault/state_files.py):
where CacheStates puts a conversation's cache that memory cannot hold, and every one when the model
or the app closes, so that going back after a restart evaluates only what is new. The engine stays
free of the vault: it only sees the Spill port this fills.

How much of the disk they may use is a setting kept in the vault, beside the caches it bounds, so
that the app and `minigiants chat --conversation` keep to the same limit."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.datadir import kv_states_dir
from app.engine.cache_states import CacheState
from app.engine.engine import Engine
from app.engine.messages import ChatMessage
from app.errors import MiniGiantsError
from app.vault.state_files import StateFiles
from app.vault.store import Vault

log = logging.getLogger(__name__)

DISK_BUDGET_SETTING = "kept_caches_disk_bytes"
DEFAULT_DISK_BUDGET = 4 * 1024**3


@dataclass(frozen=True)
class KeptCaches:
    """What sealing caches needs from the unlocked vault: where, under which key, and how many
    bytes the folder may hold (0: none kept on disk)."""

    files: StateFiles
    disk_budget: int


def kept_caches(vault: Vault) -> KeptCaches:
    return KeptCaches(vault.state_files(kv_states_dir()), disk_budget(vault))


def sealed_spill(kept: KeptCaches | None, engine: Engine) -> SealedSpill | None:
    """Where `engine`'s caches are sealed: nowhere while the vault is locked (`kept` None) or
    when the setting keeps none on disk."""
    if kept is None or kept.disk_budget == 0:
        return None
    return SealedSpill(kept.files, engine.cache_identity(), kept.disk_budget)


def disk_budget(vault: Vault) -> int:
    stored = vault.settings.get(DISK_BUDGET_SETTING, DEFAULT_DISK_BUDGET)
    return stored if isinstance(stored, int) and stored >= 0 else DEFAULT_DISK_BUDGET


def set_disk_budget(vault: Vault, budget: int) -> None:
    vault.settings.set(DISK_BUDGET_SETTING, budget)


class SealedSpill:
    def __init__(self, files: StateFiles, identity: str, budget: int) -> None:
        """`identity`: the engine's cache_identity(); a cache sealed under another never opens.
        `budget`: the bytes of sealed caches the folder may hold (a setting)."""
        self._files = files
        self._identity = identity
        self._budget = budget

    def save(self, conversation: str, state: CacheState) -> None:
        """Seal the cache; one that cannot be written (a full disk) is not kept, and nothing else
        is lost: the conversation is in the vault, and is evaluated again when it comes back."""
        anchor = None if state.anchor is None else \
            [state.anchor[0], state.anchor[1].role, state.anchor[1].content]
        try:
            self._files.save(conversation, self._identity,
                             {"tokens": list(state.tokens), "anchor": anchor}, state.data)
        except (OSError, MiniGiantsError) as error:
            log.warning("a conversation's cache could not be kept on disk: %s",
                        getattr(error, "strerror", None) or type(error).__name__)
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
