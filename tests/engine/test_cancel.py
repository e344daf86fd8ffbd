"""Stop means stop: from another thread, during decoding and during prompt evaluation, and the engine
stays consistent (and still reuses its cache) afterwards."""

from __future__ import annotations

import threading
from pathlib import Path

from app.engine import (
    ChatMessage,
    ChatStream,
    Engine,
    LoadOptions,
    SamplingOptions,
    StopReason,
)
from tests.engine.helpers import conversation, drain, long_text

LONG_REPLY = SamplingOptions(temperature=0, max_tokens=400)
GREEDY = SamplingOptions(temperature=0, max_tokens=32)


def cancel_from_another_thread(engine: Engine) -> None:
    thread = threading.Thread(target=engine.cancel)
    thread.start()
    thread.join()


def test_cancel_during_decoding_stops_within_one_token(engine: Engine) -> None:
    reference = drain(engine.chat(conversation("Say hello."), GREEDY))
    stream = engine.chat(conversation("Write a long story about a dragon."), LONG_REPLY)
    deltas = iter(stream)
    received = [next(deltas) for _ in range(5)]
    cancel_from_another_thread(engine)
    after_cancel = list(deltas)

    assert stream.stats is not None
    assert stream.stats.stop_reason is StopReason.CANCELLED
    assert len(after_cancel) <= 1
    assert stream.stats.completion_tokens <= len(received) + 1
    # Still consistent: the same greedy reply as before the cancelled turn.
    assert drain(engine.chat(conversation("Say hello."), GREEDY)) == reference


def test_cancel_while_the_consumer_is_streaming(engine: Engine) -> None:
    stream = engine.chat(conversation("Write a long story about a dragon."), LONG_REPLY)
    timer = threading.Timer(0.3, engine.cancel)
    timer.start()
    try:
        drain(stream)
    finally:
        timer.cancel()
    assert stream.stats is not None
    assert stream.stats.stop_reason is StopReason.CANCELLED
    assert stream.stats.completion_tokens < LONG_REPLY.max_tokens


def run_and_cancel_after(
    engine: Engine, messages: list[ChatMessage], seconds: float
) -> tuple[ChatStream, str]:
    stream = engine.chat(messages, GREEDY)
    timer = threading.Timer(seconds, engine.cancel)
    timer.start()
    try:
        text = drain(stream)
    finally:
        timer.cancel()
    return stream, text


def test_cancel_during_prompt_evaluation_then_resume_with_the_cache(engine: Engine) -> None:
    # About 1,700 prompt tokens: several 512-token batches, seconds of work on two cores.
    messages = conversation("Summarise this text in one sentence:\n" + long_text(1300))
    stream, text = run_and_cancel_after(engine, messages, 0.5)
    stats = stream.stats
    assert stats is not None
    assert stats.stop_reason is StopReason.CANCELLED
    assert text == "" and stats.completion_tokens == 0
    assert stats.evaluated_tokens < stats.prompt_tokens

    resumed = engine.chat(messages, GREEDY)
    drain(resumed)
    assert resumed.stats is not None and resumed.stats.stop_reason is not StopReason.CANCELLED
    # What the cancelled turn had finished is reused, not computed again.
    assert resumed.stats.reused_tokens >= stats.evaluated_tokens


def test_cancel_interrupts_a_single_prompt_batch(starter_path: Path) -> None:
    # One 2,048-token batch: only llama.cpp's abort callback can stop it part-way.
    options = LoadOptions(n_ctx=2048, n_batch=2048)
    messages = conversation("Summarise this text in one sentence:\n" + long_text(1300))
    with Engine.load(starter_path, options) as single_batch:
        stream, _ = run_and_cancel_after(single_batch, messages, 0.5)
        assert stream.stats is not None
        assert stream.stats.stop_reason is StopReason.CANCELLED
        assert stream.stats.evaluated_tokens < stream.stats.prompt_tokens
        # Reusable afterwards.
        after = single_batch.chat(conversation("Say hello."), GREEDY)
        assert drain(after).strip()
        assert after.stats is not None and after.stats.stop_reason is not StopReason.CANCELLED
