"""Fit a conversation into the context window by leaving out its oldest whole turns.

The system prompt and the last turn (from the latest user message on) are always kept; a turn is a
user message with the replies that follow it. Nothing is cut mid-message.

Later turns keep the same first turn while they still fit, so the prompt's beginning (and with it
the KV cache) stays the same. When turns must go, enough go to bring the prompt down to `refill` of
the budget: the engine asks for 1.0 (drop only what must go) when llama.cpp can shift the cache past
the dropped turns, and for half when it cannot, because then every drop means evaluating the kept
history again and should happen only every few turns (GPT4All erases half its context likewise)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app.engine.errors import MessageTooLong
from app.engine.messages import ChatMessage

REFILL = 0.5


@dataclass(frozen=True)
class ContextFit:
    messages: tuple[ChatMessage, ...]  # what the model will see
    dropped: tuple[int, ...]  # indexes, in the caller's list, of the messages left out
    tokens: tuple[int, ...]  # the prompt for `messages`
    # Where the kept history starts when something was dropped: (index in the caller's list,
    # message). Passed back as `keep_from` for the next turn of the same conversation.
    anchor: tuple[int, ChatMessage] | None = None


def fit_messages(
    messages: Sequence[ChatMessage],
    tokenize: Callable[[Sequence[ChatMessage]], Sequence[int]],
    budget: int,
    n_ctx: int,
    *,
    keep_from: tuple[int, ChatMessage] | None = None,
    refill: float = REFILL,
) -> ContextFit:
    """Keep the conversation within `budget` tokens (the context minus room for the reply).
    `keep_from` is the previous fit's `anchor`: that start is kept again while it fits, so the
    prompt's beginning (and the KV cache) stays the same from turn to turn."""
    if not messages:
        raise ValueError("a chat needs at least one message")
    head = 1 if messages[0].role == "system" else 0
    turn_starts = [i for i in range(head, len(messages)) if messages[i].role == "user"] or [head]
    if turn_starts[0] != head:
        turn_starts.insert(0, head)  # replies before the first user message form a turn of their own

    def fit_from(start: int) -> ContextFit:
        kept = tuple(messages[:head]) + tuple(messages[start:])
        anchor = (start, messages[start]) if start > head else None
        return ContextFit(kept, tuple(range(head, start)), tuple(tokenize(kept)), anchor)

    # A conversation that outgrew the window once usually still does: try the previous start first,
    # which spares tokenizing the whole (long) conversation on every turn.
    low = 0  # turns before turn_starts[low] are known to be too many
    if keep_from is not None:
        start, message = keep_from
        if start in turn_starts[1:] and messages[start] == message:
            anchored = fit_from(start)
            if len(anchored.tokens) <= budget:
                return anchored
            low = turn_starts.index(start) + 1
    everything = fit_from(head)
    if len(everything.tokens) <= budget:
        return everything
    minimal = fit_from(turn_starts[-1])
    if len(minimal.tokens) > budget:
        raise MessageTooLong(len(minimal.tokens), budget, n_ctx)

    # Fewer turns never need more tokens: bisect for the first turn that brings the prompt down to
    # the refill level (the last turn alone is kept even if it is above that level).
    target = int(budget * refill)
    high, best = len(turn_starts) - 1, minimal
    while low < high:
        middle = (low + high) // 2
        candidate = fit_from(turn_starts[middle])
        if len(candidate.tokens) <= target:
            high, best = middle, candidate
        else:
            low = middle + 1
    return best


def prompt_room(max_tokens: int, n_ctx: int) -> int:
    """The context a prompt may fill: room is kept for the reply, but never so much that a long
    max_tokens empties the history."""
    return n_ctx - min(max_tokens, n_ctx // 4)
