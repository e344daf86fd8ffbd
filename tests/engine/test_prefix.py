"""Planning KV cache reuse: common prefix, same text split into other tokens, dropped turns."""

from __future__ import annotations

from app.engine import Engine
from app.engine.prefix import SHIFT_MATCH, plan_reuse

PIECES = {1: b"<s>", 2: b"hello", 3: b" world", 4: b" wor", 5: b"ld", 6: b"!", 7: b"<end>", 8: b" word"}


def piece(token: int) -> bytes:
    return PIECES.get(token, f"[{token}]".encode())


def test_a_continued_conversation_reuses_the_common_prefix() -> None:
    plan = plan_reuse([1, 2, 3], [1, 2, 3, 6, 7], piece, can_shift=True)
    assert plan.cut is None and plan.keep == 3 and plan.prompt == [1, 2, 3, 6, 7]


def test_the_same_text_split_differently_is_reused() -> None:
    cached = [1, 2, 4, 5, 6]  # "<s>hello wor" "ld!" as sampled
    prompt = [1, 2, 3, 6, 7, 2]  # "<s>hello world!<end>hello" as the tokenizer splits it
    plan = plan_reuse(cached, prompt, piece, can_shift=False)
    assert plan.keep == 5
    assert plan.prompt == [1, 2, 4, 5, 6, 7, 2]


def test_different_text_is_not_reused() -> None:
    plan = plan_reuse([1, 2, 8, 6], [1, 2, 3, 6], piece, can_shift=False)
    assert plan.keep == 2 and plan.prompt == [1, 2, 3, 6]


def test_reuse_switches_only_where_both_splits_meet() -> None:
    # " wor" alone does not end where a prompt token ends, so it cannot be kept.
    plan = plan_reuse([1, 2, 4], [1, 2, 3, 6], piece, can_shift=False)
    assert plan.keep == 2 and plan.prompt == [1, 2, 3, 6]


def test_dropped_turns_are_cut_out_of_the_cache() -> None:
    system, dropped, kept = [1, 2], list(range(100, 140)), list(range(200, 260))
    plan = plan_reuse(system + dropped + kept, system + kept + [7], piece, can_shift=True)
    assert plan.cut == (2, 42)
    assert plan.keep == len(system + kept)
    assert plan.prompt == system + kept + [7]


def test_no_cut_without_shifting_or_without_enough_evidence() -> None:
    system, dropped, kept = [1, 2], list(range(100, 140)), list(range(200, 260))
    assert plan_reuse(system + dropped + kept, system + kept, piece, can_shift=False).cut is None
    short = kept[: SHIFT_MATCH - 1]
    assert plan_reuse(system + dropped + short, system + short, piece, can_shift=True).cut is None


def test_real_tokenizer_splits_are_matched_by_text(engine: Engine) -> None:
    model = engine.tokenizer._model
    canonical = model.tokenize("The lighthouse keeper watched the storm.", add_special=False,
                               parse_special=True)
    pieces = [model.tokenize(part, add_special=False, parse_special=True)
              for part in ("The light", "house keeper wat", "ched the storm.")]
    sampled = [token for part in pieces for token in part]
    assert sampled != canonical

    plan = plan_reuse(sampled, canonical + [7], lambda t: model.piece(t, special=True), can_shift=True)
    assert plan.keep == len(sampled)
    assert plan.prompt == sampled + [7]
