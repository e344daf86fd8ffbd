"""Going back to a conversation restores its KV cache instead of evaluating its history again, on
the real starter model (temperature 0): the reply is the one it would have been had the person
never left. A state that cannot be used is dropped and the history evaluated, as without states.

Never leaving is the reference, not a full evaluation: llama.cpp's CPU kernels compute a batch of
tokens slightly differently from one token at a time, so a reply's own tokens in the cache (decoded
one by one) differ in their last bits from the same tokens evaluated as a prompt, with or without
states; a long greedy reply may then part ways after many tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.engine import ChatMessage, Engine, LoadOptions, SamplingOptions
from app.engine.cache_states import CacheState, CacheStates
from tests.engine.helpers import conversation, drain, long_text

GREEDY = SamplingOptions(temperature=0.0, max_tokens=24, seed=1)
OPTIONS = LoadOptions(n_ctx=2048, seed=7)


@pytest.fixture
def engine(starter_path: Path) -> Iterator[Engine]:
    """An engine of its own: these tests fill and switch its cache."""
    with Engine.load(starter_path, OPTIONS) as loaded:
        yield loaded


def long_conversation() -> list[ChatMessage]:
    return conversation(f"Summarise this in one line: {long_text(400)}", "And in one word?",
                        replies=("It is a list of quiet places.",))


def reply_after_full_evaluation(starter_path: Path, messages: list[ChatMessage]) -> str:
    with Engine.load(starter_path, OPTIONS) as fresh:
        return drain(fresh.chat(messages, GREEDY))


def talk_then_leave(engine: Engine, messages: list[ChatMessage]) -> str:
    """A turn of conversation "a", then one of "b"; returns a's reply."""
    engine.switch_to("a")
    reply = drain(engine.chat(messages, GREEDY))
    engine.switch_to("b")
    drain(engine.chat(conversation("Say hello."), GREEDY))
    return reply


def reply_without_leaving(starter_path: Path, first: list[ChatMessage], back: list[ChatMessage]
                          ) -> str:
    with Engine.load(starter_path, OPTIONS) as stayed:
        drain(stayed.chat(first, GREEDY))
        return drain(stayed.chat(back, GREEDY))


def test_returning_evaluates_only_whats_new_and_replies_as_if_it_never_left(
        engine: Engine, starter_path: Path) -> None:
    first = long_conversation()
    reply = talk_then_leave(engine, first)
    assert "a" in engine.states and engine.states.kept_bytes > 0

    back = [*first, ChatMessage("assistant", reply), ChatMessage("user", "Thank you.")]
    engine.switch_to("a")
    returned = engine.chat(back, GREEDY)
    text = drain(returned)
    assert returned.stats is not None
    assert returned.stats.evaluated_tokens < 40, "only the reply and the new message"
    assert text == reply_without_leaving(starter_path, first, back)


def test_a_state_llama_cpp_refuses_is_dropped_and_the_reply_is_still_right(
        engine: Engine, starter_path: Path) -> None:
    first = long_conversation()
    talk_then_leave(engine, first)
    kept = engine.states.take("a")
    assert kept is not None
    engine.states.keep("a", CacheState(kept.tokens, kept.anchor, kept.data[: kept.size // 3]))
    engine.switch_to("a")
    stream = engine.chat(first, GREEDY)
    text = drain(stream)
    assert stream.stats is not None and stream.stats.evaluated_tokens > 400, "evaluated again"
    assert text == reply_after_full_evaluation(starter_path, first)


def test_a_state_for_a_history_edited_since_is_used_only_where_it_still_matches(
        engine: Engine, starter_path: Path) -> None:
    first = long_conversation()
    talk_then_leave(engine, first)
    edited = [first[0], ChatMessage("user", "Summarise this differently: " + long_text(400)),
              *first[2:]]
    engine.switch_to("a")
    stream = engine.chat(edited, GREEDY)
    text = drain(stream)
    assert stream.stats is not None and stream.stats.evaluated_tokens > 400
    assert text == reply_after_full_evaluation(starter_path, edited)


def test_the_budget_keeps_the_most_recently_used_states() -> None:
    states = CacheStates(budget=100)
    states.keep("a", CacheState((1,), None, b"x" * 40))
    states.keep("b", CacheState((1,), None, b"x" * 40))
    states.keep("c", CacheState((1,), None, b"x" * 40))
    assert "a" not in states and "b" in states and "c" in states and states.kept_bytes == 80
    states.keep("huge", CacheState((1,), None, b"x" * 101))
    assert "huge" not in states, "bigger than the whole budget: not kept"
    states.forget("b")
    assert "b" not in states and "c" in states
    states.current = "c"
    states.forget("c")
    assert states.current is None, "a deleted conversation's cache is not kept when left"
    states.forget()
    assert states.kept_bytes == 0 and states.current is None
