"""Plan how much of the KV cache a new prompt can reuse.

Three things make a prompt differ from what the cache holds while most of the cache is still good:
- the conversation simply continues (token-level common prefix: the usual case);
- the last reply was generated as tokens that spell the same text as the prompt's own tokenization
  splits differently (sampling often picks a non-canonical split), so the cache is matched by text
  and the prompt keeps the cache's tokens where both spell the same bytes;
- context fitting left out the oldest turns: the cache holds system prompt + dropped turns + the
  rest, the prompt holds system prompt + the rest; the dropped span is cut out of the cache and the
  tokens after it are shifted down (llama.cpp's context shift) instead of evaluating them again."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A dropped span is recognised only if this many prompt tokens follow it unchanged in the cache.
SHIFT_MATCH = 16


@dataclass(frozen=True)
class ReusePlan:
    cut: tuple[int, int] | None  # span of cache positions to remove, later ones shifting down
    keep: int  # cache tokens (after the cut) the prompt starts with
    prompt: list[int]  # the tokens to run: the kept cache tokens, then new ones


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    length = 0
    for x, y in zip(a, b):
        if x != y:
            break
        length += 1
    return length


def _dropped_span(cached: Sequence[int], prompt: Sequence[int], start: int) -> int:
    """How many cache tokens from `start` on were left out of the prompt (0 if no such span)."""
    probe = list(prompt[start : start + SHIFT_MATCH])
    if len(probe) < SHIFT_MATCH:
        return 0
    for offset in range(1, len(cached) - start - SHIFT_MATCH + 1):
        if cached[start + offset] == probe[0] and list(cached[start + offset : start + offset + SHIFT_MATCH]) == probe:
            return offset
    return 0


def _text_aligned(
    cached: Sequence[int], prompt: Sequence[int], piece: Callable[[int], bytes]
) -> tuple[int, list[int]]:
    shared = _common_prefix(cached, prompt)
    if shared == len(cached) or shared == len(prompt):
        return shared, list(prompt)
    boundaries: dict[int, int] = {}
    text = bytearray()
    for index in range(shared, len(prompt)):
        boundaries[len(text)] = index
        text += piece(prompt[index])
    boundaries[len(text)] = len(prompt)
    keep, resume = shared, shared
    offset = 0
    for index in range(shared, len(cached)):
        bytes_ = piece(cached[index])
        if not bytes_ or text[offset : offset + len(bytes_)] != bytes_:
            break
        offset += len(bytes_)
        if offset in boundaries:  # both tokenizations split here: switch over
            keep, resume = index + 1, boundaries[offset]
    return keep, [*cached[:keep], *prompt[resume:]]


def plan_reuse(
    cached: Sequence[int],
    prompt: Sequence[int],
    piece: Callable[[int], bytes],
    *,
    can_shift: bool,
) -> ReusePlan:
    """`piece(token)` gives a token's bytes with special tokens spelled out."""
    cut = None
    if can_shift:
        start = _common_prefix(cached, prompt)
        dropped = _dropped_span(cached, prompt, start)
        if dropped:
            cut = (start, start + dropped)
            cached = [*cached[:start], *cached[start + dropped :]]
    keep, aligned = _text_aligned(cached, prompt, piece)
    return ReusePlan(cut, keep, aligned)
