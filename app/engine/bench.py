"""Measure the engine the way the GUI uses it: load time, then K successive turns of one growing
conversation through the streaming path, each with its time to first token and token rates."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.engine.engine import Engine
from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    LoadOptions,
    SamplingOptions,
)

BENCH_SYSTEM = "You are a helpful assistant. Answer in detail."
BENCH_QUESTIONS = (
    "Explain how a bicycle gear system works.",
    "What should I pack for a three-day hike in the mountains?",
    "Describe the water cycle for a curious ten-year-old.",
    "Give me a simple recipe for vegetable soup.",
    "How do bees make honey?",
    "What are good habits for sleeping well?",
    "Explain why the sky is blue.",
    "How does a refrigerator keep food cold?",
)


def growing_conversation_turn(history: list[ChatMessage], turn: int) -> list[ChatMessage]:
    """The messages for turn `turn` (0-based): the history so far plus the next question."""
    messages = history or [ChatMessage("system", BENCH_SYSTEM)]
    question = BENCH_QUESTIONS[turn % len(BENCH_QUESTIONS)]
    return [*messages, ChatMessage("user", question)]


@dataclass(frozen=True)
class TurnResult:
    turn: int
    stats: GenerationStats
    wall_s: float


@dataclass(frozen=True)
class BenchReport:
    model: str
    threads: int | None
    load_s: float
    turns: tuple[TurnResult, ...]

    @property
    def median_decode_tokens_per_s(self) -> float | None:
        rates = [t.stats.decode_tokens_per_s for t in self.turns if t.stats.decode_tokens_per_s]
        return statistics.median(rates) if rates else None

    @property
    def median_prompt_tokens_per_s(self) -> float | None:
        rates = [t.stats.prompt_tokens_per_s for t in self.turns if t.stats.prompt_tokens_per_s]
        return statistics.median(rates) if rates else None


def run_bench(
    path: str | Path,
    options: LoadOptions,
    *,
    turns: int,
    sampling: SamplingOptions,
    on_turn: Callable[[TurnResult], None] | None = None,
) -> BenchReport:
    started = time.perf_counter()
    engine = Engine.load(path, options)
    load_s = time.perf_counter() - started
    results = []
    history: list[ChatMessage] = []
    with engine:
        for turn in range(turns):
            messages = growing_conversation_turn(history, turn)
            began = time.perf_counter()
            stream = engine.chat(messages, sampling)
            for _ in stream:
                pass
            assert stream.stats is not None
            result = TurnResult(turn + 1, stream.stats, time.perf_counter() - began)
            results.append(result)
            if on_turn is not None:
                on_turn(result)
            history = [*messages, ChatMessage("assistant", stream.text)]
    return BenchReport(engine.facts.name, options.n_threads, load_s, tuple(results))
