"""Kept KV caches sealed on disk and back, with the real engine on the starter model: after the
model is closed and loaded again (as after a restart), going back evaluates only what is new, and
nothing of the conversation is on disk in the clear."""

from __future__ import annotations

import os
from pathlib import Path

from app.chat.sealed_spill import SealedSpill
from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.vault.state_files import StateFiles, state_key
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
        engine.states.spill = SealedSpill(files, engine.cache_identity())
        engine.switch_to("a")
        reply = drain(engine.chat(first_turn(), GREEDY))
        engine.keep_current()
        engine.states.spill_all()  # the model closes
    back = [*first_turn(), ChatMessage("assistant", reply), ChatMessage("user", "Thanks.")]
    for path in (tmp_path / "states").iterdir():
        assert MARKER.encode() not in path.read_bytes()

    with Engine.load(starter_path, options) as restarted:
        restarted.states.spill = SealedSpill(files, restarted.cache_identity())
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
        engine.states.spill = SealedSpill(files, engine.cache_identity())
        engine.switch_to("a")
        drain(engine.chat(first_turn(), GREEDY))
        engine.keep_current()
        engine.states.spill_all()
    assert files.usage() > 0
    with Engine.load(starter_path, LoadOptions(n_ctx=4096, seed=7)) as other:
        other.states.spill = SealedSpill(files, other.cache_identity())
        other.switch_to("a")
        stream = other.chat(first_turn(), GREEDY)
        drain(stream)
    assert stream.stats is not None and stream.stats.evaluated_tokens > 400, "evaluated again"
    assert files.usage() == 0, "the cache that did not open is gone"
