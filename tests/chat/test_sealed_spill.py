"""Kept KV caches sealed on disk and back, with the real engine on the starter model: after the
model is closed and loaded again (as after a restart), going back evaluates only what is new, and
nothing of the conversation is on disk in the clear."""

from __future__ import annotations

import os
from pathlib import Path

from app.chat.sealed_spill import (
    DEFAULT_DISK_BUDGET,
    SealedSpill,
    kept_caches,
    set_disk_budget,
)
from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.engine.cache_states import CacheState
from app.vault.keys import KdfParams
from app.vault.state_files import StateFiles, state_key
from app.vault.store import Vault
from tests.engine.helpers import conversation, drain, long_text

GREEDY = SamplingOptions(temperature=0.0, max_tokens=24, seed=1)
MARKER = "lighthouse keeper's secret"


def first_turn() -> list[ChatMessage]:
    return conversation(f"Remember the {MARKER}. Then summarise: {long_text(400)}")


def test_after_a_restart_going_back_restores_the_sealed_cache(
        starter_path: Path, tmp_path: Path) -> None:
    files = StateFiles(tmp_path / "states", state_key(os.urandom(32)))
    options = LoadOptions(n_ctx=2048, seed=7)
    with Engine.load(starter_path, options) as engine:
        engine.states.spill = SealedSpill(files, engine.cache_identity(), 1024**3)
        engine.switch_to("a")
        reply = drain(engine.chat(first_turn(), GREEDY))
        engine.keep_current()
        engine.states.spill_all()  # the model closes
    back = [*first_turn(), ChatMessage("assistant", reply), ChatMessage("user", "Thanks.")]
    for path in (tmp_path / "states").iterdir():
        assert MARKER.encode() not in path.read_bytes()

    with Engine.load(starter_path, options) as restarted:
        restarted.states.spill = SealedSpill(files, restarted.cache_identity(), 1024**3)
        restarted.switch_to("a")
        stream = restarted.chat(back, GREEDY)
        text = drain(stream)
    assert stream.stats is not None and stream.stats.evaluated_tokens < 40
    with Engine.load(starter_path, options) as stayed:
        drain(stayed.chat(first_turn(), GREEDY))
        assert text == drain(stayed.chat(back, GREEDY)), "as if it had never left"


def test_a_cache_sealed_for_other_load_options_is_discarded(
        starter_path: Path, tmp_path: Path) -> None:
    files = StateFiles(tmp_path / "states", state_key(os.urandom(32)))
    with Engine.load(starter_path, LoadOptions(n_ctx=2048, seed=7)) as engine:
        engine.states.spill = SealedSpill(files, engine.cache_identity(), 1024**3)
        engine.switch_to("a")
        drain(engine.chat(first_turn(), GREEDY))
        engine.keep_current()
        engine.states.spill_all()
    assert files.usage() > 0
    with Engine.load(starter_path, LoadOptions(n_ctx=4096, seed=7)) as other:
        other.states.spill = SealedSpill(files, other.cache_identity(), 1024**3)
        other.switch_to("a")
        stream = other.chat(first_turn(), GREEDY)
        drain(stream)
    assert stream.stats is not None and stream.stats.evaluated_tokens > 400, "evaluated again"
    assert files.usage() == 0, "the cache that did not open is gone"


def test_a_cache_that_cannot_be_written_is_not_kept_and_nothing_breaks(tmp_path: Path) -> None:
    blocked = tmp_path / "states"
    blocked.write_text("a file where the folder should be")  # as unwritable as a full disk
    spill = SealedSpill(StateFiles(blocked, state_key(os.urandom(32))), "model", 1024**3)
    spill.save("a", CacheState((1, 2, 3), None, b"kv" * 1000))  # must not raise
    assert spill.load("a") is None, "evaluated again, as without a kept cache"
    assert blocked.read_text() == "a file where the folder should be"


def test_the_disk_budget_is_a_setting_kept_in_the_vault(tmp_path: Path, private_home: Path,
                                                        kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "vault.db", "pw", kdf=kdf) as vault:
        assert kept_caches(vault).disk_budget == DEFAULT_DISK_BUDGET
        set_disk_budget(vault, 0)
        kept = kept_caches(vault)
        assert kept.disk_budget == 0 and kept.files.folder == private_home / "kv-states"
