"""Fit a conversation into the context window by leaving out its oldest whole turns.

The system prompt and the last turn (from the latest user message on) are always kept; a turn is a
user message with the replies that follow it. Nothing is cut mid-message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.engine.errors import MessageTooLong
from app.engine.messages import ChatMessage


@dataclass(frozen=True)
class ContextFit:
    messages: tuple[ChatMessage, ...]  # what the model will see
    dropped: tuple[int, ...]  # indexes, in the caller's list, of the messages left out
    tokens: tuple[int, ...]  # the prompt for `messages`


def fit_messages(
    messages: Sequence[ChatMessage],
    tokenize: Callable[[Sequence[ChatMessage]], Sequence[int]],
    budget: int,
    n_ctx: int,
) -> ContextFit:
    """Keep as many recent turns as fit in `budget` tokens (the context minus room for the reply)."""
    if not messages:
        raise ValueError("a chat needs at least one message")
    head = 1 if messages[0].role == "system" else 0
    turn_starts = [i for i in range(head, len(messages)) if messages[i].role == "user"] or [head]
    if turn_starts[0] != head:
        turn_starts.insert(0, head)  # replies before the first user message form a turn of their own
    last_turn = turn_starts[-1]

    def keeping_from(start: int) -> list[ChatMessage]:
        return list(messages[:head]) + list(messages[start:])

    tokens = tuple(tokenize(messages))
    if len(tokens) <= budget:
        return ContextFit(tuple(messages), (), tokens)
    minimal = tuple(tokenize(keeping_from(last_turn)))
    if len(minimal) > budget:
        raise MessageTooLong(len(minimal), budget, n_ctx)

    # Fewer turns never need more tokens, so the first turn that can be kept is found by bisection.
    low, high = 0, len(turn_starts) - 1  # high is known to fit
    fitting_tokens = minimal
    while low < high:
        middle = (low + high) // 2
        candidate = tuple(tokenize(keeping_from(turn_starts[middle])))
        if len(candidate) <= budget:
            high, fitting_tokens = middle, candidate
        else:
            low = middle + 1
    start = turn_starts[high]
    return ContextFit(tuple(keeping_from(start)), tuple(range(head, start)), fitting_tokens)
