"""Measure going back to a conversation (`minigiants bench --switch`): one conversation of about
2,500 tokens, its first turn (cold), its next turn (warm), and a turn after one in another
conversation (return), with the time to restore its kept KV cache and the bytes kept for it; the
same return with the cache not kept, as the app did before (the baseline); and the return after a
restart: the cache sealed to disk as on quitting, the model loaded again, the cache read back,
opened and restored (the model's load is not counted, as it is not in a time to first token)."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from app.chat.sealed_spill import SealedSpill
from app.engine.engine import Engine
from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    SamplingOptions,
)
from app.vault.state_files import StateFiles, state_key

SYSTEM = "You are a helpful assistant."
LONG_WORDS = 2150  # about 2,500 tokens of this prose with SmolLM2's tokenizer


def long_text(words: int) -> str:
    """Varied English prose, so the tokenizer cannot merge it into a few tokens."""
    vocabulary = (
        "river mountain lantern quiet harbor garden window silver morning letter bridge meadow "
        "candle thunder orchard pebble violin compass feather market winter station"
    ).split()
    return " ".join(vocabulary[(i * 7 + i // 5) % len(vocabulary)] for i in range(words))


@dataclass(frozen=True)
class SwitchReport:
    model: str
    conversation_tokens: int  # the prompt of the return turn
    cold_ttft_s: float
    warm_ttft_s: float
    return_ttft_s: float  # restoring the kept cache included
    unkept_return_ttft_s: float  # the same return with the cache not kept: the baseline
    restart_ttft_s: float  # after a restart: reading and opening the sealed cache included
    restore_s: float
    cold_evaluated: int
    return_evaluated: int
    state_bytes: int  # kept for the conversation while another one was used


def run_switch_bench(path: str | Path, options: LoadOptions, sampling: SamplingOptions
                     ) -> SwitchReport:
    with tempfile.TemporaryDirectory() as folder:
        files = StateFiles(Path(folder), state_key(os.urandom(32)))
        return _measure(path, options, sampling, files)


def _measure(path: str | Path, options: LoadOptions, sampling: SamplingOptions,
             files: StateFiles) -> SwitchReport:
    with Engine.load(path, options) as engine:
        engine.switch_to("long")
        question = f"Read this and tell me what it evokes: {long_text(LONG_WORDS)}"
        history = [ChatMessage("system", SYSTEM), ChatMessage("user", question)]
        cold = _reply(engine, history, sampling)
        history = _then(history, cold, "And in one sentence?")
        warm = _reply(engine, history, sampling)
        history = _then(history, warm, "Which word comes up most?")
        engine.switch_to("other")
        _reply(engine, [ChatMessage("system", SYSTEM), ChatMessage("user", "Say hello.")],
               sampling)
        state_bytes = engine.states.kept_bytes
        began = time.perf_counter()
        engine.switch_to("long")
        restore_s = time.perf_counter() - began
        back = _reply(engine, history, sampling)
        engine.switch_to("other")
        engine.states.forget("long")
        engine.switch_to("long")
        unkept = _reply(engine, history, sampling)
        model = engine.facts.name
        engine.states.spill = SealedSpill(files, engine.cache_identity())
        engine.keep_current()
        engine.states.spill_all()  # as when the app quits
    with Engine.load(path, options) as restarted:
        restarted.states.spill = SealedSpill(files, restarted.cache_identity())
        began = time.perf_counter()
        restarted.switch_to("long")
        reopen_s = time.perf_counter() - began
        _, after_restart = _reply(restarted, history, sampling)
    (_, cold_stats), (_, warm_stats), (_, back_stats), (_, unkept_stats) = cold, warm, back, unkept
    return SwitchReport(
        model=model,
        conversation_tokens=back_stats.prompt_tokens,
        cold_ttft_s=cold_stats.time_to_first_token_s or 0.0,
        warm_ttft_s=warm_stats.time_to_first_token_s or 0.0,
        return_ttft_s=restore_s + (back_stats.time_to_first_token_s or 0.0),
        unkept_return_ttft_s=unkept_stats.time_to_first_token_s or 0.0,
        restart_ttft_s=reopen_s + (after_restart.time_to_first_token_s or 0.0),
        restore_s=restore_s,
        cold_evaluated=cold_stats.evaluated_tokens,
        return_evaluated=back_stats.evaluated_tokens,
        state_bytes=state_bytes,
    )


def _reply(engine: Engine, messages: list[ChatMessage], sampling: SamplingOptions
           ) -> tuple[str, GenerationStats]:
    stream = engine.chat(messages, sampling)
    for _ in stream:
        pass
    assert stream.stats is not None
    return stream.text, stream.stats


def _then(history: list[ChatMessage], reply: tuple[str, GenerationStats], question: str
          ) -> list[ChatMessage]:
    return [*history, ChatMessage("assistant", reply[0]), ChatMessage("user", question)]
