"""Real inference on SmolLM2-135M-Instruct: determinism, streaming, stop reasons, KV prefix reuse."""

from __future__ import annotations

from pathlib import Path

from app.engine import Engine, LoadOptions, SamplingOptions, StopReason
from tests.engine.helpers import conversation, drain

GREEDY = SamplingOptions(temperature=0, max_tokens=48)


def test_greedy_reply_is_deterministic_and_matches_a_fresh_engine(
    engine: Engine, starter_path: Path
) -> None:
    messages = conversation("Name three colours of the rainbow.")
    first = engine.chat(messages, GREEDY)
    first_text = drain(first)
    again = engine.chat(messages, GREEDY)
    again_text = drain(again)
    with Engine.load(starter_path, LoadOptions(n_ctx=2048)) as fresh:
        fresh_text = drain(fresh.chat(messages, GREEDY))

    assert first_text.strip()
    assert first_text == again_text == fresh_text
    assert first.text == first_text
    assert first.stats is not None and first.stats.completion_tokens > 0
    assert first.stats.stop_reason in (StopReason.EOS, StopReason.LENGTH)


def test_fixed_seed_gives_the_same_sampled_reply(engine: Engine) -> None:
    messages = conversation("Tell me a one-sentence story about a cat.")
    sampling = SamplingOptions(temperature=0.9, top_p=0.95, max_tokens=40, seed=1234)
    assert drain(engine.chat(messages, sampling)) == drain(engine.chat(messages, sampling))


def test_reply_stops_at_max_tokens_with_stats(engine: Engine) -> None:
    stream = engine.chat(
        conversation("Write a long story about a dragon who learns to bake bread."),
        SamplingOptions(temperature=0, max_tokens=12),
    )
    deltas = list(stream)

    stats = stream.stats
    assert stats is not None
    assert stats.stop_reason is StopReason.LENGTH
    assert stats.completion_tokens == 12
    assert "".join(deltas) == stream.text and len(deltas) >= 2
    assert stats.prompt_tokens == engine.count_tokens(stream.fit.messages)
    assert stats.time_to_first_token_s is not None and stats.time_to_first_token_s > 0
    assert stats.decode_tokens_per_s is not None and stats.decode_tokens_per_s > 0
    assert stats.prompt_tokens_per_s is None or stats.prompt_tokens_per_s > 0


def test_second_turn_evaluates_only_the_new_tokens(engine: Engine) -> None:
    turn_1 = conversation("What is the capital of France?")
    stream_1 = engine.chat(turn_1, GREEDY)
    reply_1 = drain(stream_1)
    turn_2 = conversation("What is the capital of France?", "And of Italy?", replies=(reply_1,))
    stream_2 = engine.chat(turn_2, GREEDY)
    drain(stream_2)

    first, second = stream_1.stats, stream_2.stats
    assert first is not None and second is not None
    assert second.prompt_tokens > first.prompt_tokens
    assert second.reused_tokens >= first.prompt_tokens
    assert second.evaluated_tokens < second.prompt_tokens / 2


def test_switching_conversations_keeps_replies_correct(engine: Engine) -> None:
    about_tea = conversation("How do I brew green tea?")
    about_bikes = conversation("How do I fix a flat bicycle tyre?")
    tea_first = drain(engine.chat(about_tea, GREEDY))
    bikes = engine.chat(about_bikes, GREEDY)
    drain(bikes)
    tea_again = engine.chat(about_tea, GREEDY)

    assert drain(tea_again) == tea_first
    # Only the shared system prompt was reused across the switch; the rest was evaluated anew.
    assert tea_again.stats is not None and bikes.stats is not None
    assert 0 < tea_again.stats.reused_tokens < tea_again.stats.prompt_tokens - 2
    assert tea_again.stats.reused_tokens == bikes.stats.reused_tokens


def test_a_new_request_supersedes_an_unfinished_stream(engine: Engine) -> None:
    abandoned = engine.chat(conversation("Count from one to fifty."), GREEDY)
    next(iter(abandoned))
    messages = conversation("Name three colours of the rainbow.")
    after = drain(engine.chat(messages, GREEDY))
    assert after == drain(engine.chat(messages, GREEDY))

