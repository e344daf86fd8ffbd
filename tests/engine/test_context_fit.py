"""Context fitting: oldest whole turns are left out and reported; the system prompt and the latest
message always stay; a message that cannot fit is a clear error."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from app.engine import ChatMessage, Engine, LoadOptions, MessageTooLong, SamplingOptions
from app.engine.context_fit import fit_messages
from tests.engine.helpers import SYSTEM, conversation, drain, long_text

REPLY = SamplingOptions(temperature=0, max_tokens=32)


@pytest.fixture(scope="module")
def small_engine(starter_path: Path) -> Iterator[Engine]:
    with Engine.load(starter_path, LoadOptions(n_ctx=512)) as loaded:
        yield loaded


def test_long_conversation_drops_oldest_whole_turns(small_engine: Engine) -> None:
    turns = [f"Question {n}: " + long_text(40) for n in range(12)]
    replies = tuple(f"Answer {n}: " + long_text(30) for n in range(11))
    messages = conversation(*turns, replies=replies)
    assert small_engine.count_tokens(messages) > small_engine.n_ctx

    stream = small_engine.chat(messages, REPLY)
    reply = drain(stream)

    fit = stream.fit
    assert reply.strip()
    assert fit.dropped, "something had to be left out"
    assert fit.dropped == tuple(range(1, 1 + len(fit.dropped))), "the oldest messages go first"
    assert fit.messages[0] == SYSTEM
    assert fit.messages[1].role == "user", "whole turns: the kept part starts at a user message"
    assert fit.messages[-1] == messages[-1]
    assert len(fit.messages) + len(fit.dropped) == len(messages)
    assert len(fit.tokens) <= small_engine.n_ctx - REPLY.max_tokens
    assert stream.stats is not None and stream.stats.dropped_messages == fit.dropped


def test_after_dropping_turns_the_cache_is_shifted_not_evaluated_again(
    small_engine: Engine,
) -> None:
    turns = [f"Turn {n}: " + long_text(50) for n in range(8)]
    messages = conversation(*turns, replies=tuple(long_text(25) for _ in range(7)))
    first = small_engine.chat(messages, REPLY)
    reply = drain(first)
    assert first.fit.dropped

    for extra in range(3):
        messages += [ChatMessage("assistant", reply),
                     ChatMessage("user", f"And then {extra}? " + long_text(30))]
        later = small_engine.chat(messages, REPLY)
        reply = drain(later)
        assert later.stats is not None
        assert len(later.fit.dropped) > len(first.fit.dropped), "more turns had to go"
        assert later.fit.messages[-1] == messages[-1]
        # Only the new turn is computed: the kept history moved down in the cache instead.
        assert later.stats.evaluated_tokens < later.stats.prompt_tokens / 3


def test_a_message_longer_than_the_window_is_a_clear_error(small_engine: Engine) -> None:
    messages = conversation("Hello.", "Read this: " + long_text(700), replies=("Hi!",))
    with pytest.raises(MessageTooLong) as raised:
        small_engine.chat(messages, REPLY)
    error = raised.value
    assert error.needed_tokens > error.available_tokens
    assert "512-token context" in error.message
    assert "Shorten the message" in error.hint


def word_count(messages: Sequence[ChatMessage]) -> list[int]:
    return [0] * sum(len(m.content.split()) for m in messages)


def test_fitting_keeps_a_conversation_that_fits_untouched() -> None:
    messages = conversation("one two", "three four", replies=("five",))
    fit = fit_messages(messages, word_count, budget=100, n_ctx=200)
    assert fit.messages == tuple(messages) and fit.dropped == ()


def test_fitting_without_a_system_prompt_keeps_the_latest_turn() -> None:
    messages = [
        ChatMessage("user", "a " * 10),
        ChatMessage("assistant", "b " * 10),
        ChatMessage("user", "c " * 10),
        ChatMessage("assistant", "d " * 10),
        ChatMessage("user", "e " * 10),
    ]
    tight = fit_messages(messages, word_count, budget=35, n_ctx=64, refill=1.0)
    assert tight.dropped == (0, 1)
    assert tight.messages == tuple(messages[2:])
    roomy = fit_messages(messages, word_count, budget=35, n_ctx=64)
    assert roomy.dropped == (0, 1, 2, 3), "drops down to half the budget"
    assert roomy.messages == (messages[4],)


def test_fitting_keeps_the_previous_start_while_it_fits() -> None:
    messages = conversation(*[f"q{n} " * 10 for n in range(6)], replies=tuple("r " * 10 for _ in range(5)))
    first = fit_messages(messages, word_count, budget=80, n_ctx=100)
    assert first.dropped and first.anchor == (first.dropped[-1] + 1, first.messages[1])
    longer = [*messages, ChatMessage("assistant", "r " * 10), ChatMessage("user", "q6 " * 10)]
    anchored = fit_messages(longer, word_count, budget=80, n_ctx=100, keep_from=first.anchor)
    assert anchored.dropped == first.dropped
    unanchored = fit_messages(longer, word_count, budget=80, n_ctx=100)
    assert unanchored.dropped != first.dropped


def test_the_anchor_is_a_position_not_just_a_message() -> None:
    # The same question asked twice: the anchor must not jump to its first occurrence.
    repeated = ["same question " * 5, "other " * 10, "same question " * 5, "more " * 10]
    messages = conversation(*repeated, replies=("r " * 10,) * 3)
    first = fit_messages(messages, word_count, budget=45, n_ctx=100, refill=1.0)
    assert first.anchor is not None and first.anchor[0] == 5
    longer = [*messages, ChatMessage("assistant", "r"), ChatMessage("user", "next")]
    anchored = fit_messages(longer, word_count, budget=45, n_ctx=100, refill=1.0,
                            keep_from=first.anchor)
    assert anchored.dropped == first.dropped
