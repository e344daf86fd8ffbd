"""The journal companion on the real starter model: suggestions are well-formed and quote the person's
own words (their quality is not judged: SmolLM2-135M is far too small to find distortions well), the
checking drops what is not in the text, and the weekly reflection is short, fits the context and says
what it left out."""

from __future__ import annotations

import json
import re
import threading

import pytest

from app.engine import Engine
from app.journal.companion import (
    MAX_SUGGESTIONS,
    NOTHING_TO_REFLECT_ON,
    QUESTION_CHARS,
    QUOTE_CHARS,
    REFLECTION_TOKENS,
    CompanionStopped,
    Suggestion,
    Suggestions,
    check_suggestions,
    find_quote,
    reflection_messages,
    suggest_distortions,
    weekly_reflection,
)
from app.journal.distortions import distortions
from app.personas import persona
from tests.engine.helpers import long_text

ENTRY = (
    "I got one question wrong in the meeting, so I'm a complete failure. Nobody ever listens to "
    "me. I should have prepared every single evening, and I know they all think I'm useless."
)
IDS = {distortion.id for distortion in distortions()}
MOODS = [("2025-11-17", 4), ("2025-11-18", 6), ("2025-11-20", 7)]
NOTE = re.compile(r"\(The (?:(\d+) )?oldest of the (\d+) entries (?:was|were) left out")


def reply(*items: dict[str, str]) -> str:
    """A model reply in the companion's JSON format, made up for the test."""
    return json.dumps({"suggestions": list(items)})


def test_suggestions_from_the_model_are_well_formed_and_quote_the_text(engine: Engine) -> None:
    result = suggest_distortions(engine, ENTRY)

    assert isinstance(result, Suggestions)
    assert len(result.suggestions) <= MAX_SUGGESTIONS and result.dropped >= 0
    for suggestion in result.suggestions:
        assert suggestion.distortion in IDS
        assert suggestion.quote in ENTRY and len(suggestion.quote) <= QUOTE_CHARS
        assert suggestion.question.strip() and len(suggestion.question) <= QUESTION_CHARS
    assert result.model_too_small == (not result.suggestions and result.dropped > 0)
    # Whatever the tiny model made up, the next request starts from a consistent engine.
    assert suggest_distortions(engine, ENTRY) == result


def test_a_quote_that_is_not_in_the_text_is_dropped_and_counted() -> None:
    result = check_suggestions(reply(
        {"quote": "i\u2019M  a complete\nFAILURE.", "distortion": "labelling",
         "question": "What would  you say to a friend\nwho got one question wrong?"},
        {"quote": "I always ruin everything", "distortion": "overgeneralising",
         "question": "Is that always true?"},
        {"quote": "Nobody ever listens to me", "distortion": "not_a_distortion",
         "question": "Who did listen?"},
    ), ENTRY)

    assert result == Suggestions(
        (Suggestion("labelling", "I'm a complete failure",
                    "What would you say to a friend who got one question wrong?"),),
        dropped=2, model_too_small=False,
    )


def test_repeats_and_suggestions_past_the_third_are_dropped() -> None:
    same = {"quote": "Nobody ever listens", "distortion": "overgeneralising", "question": "Ever?"}
    others = [
        {"quote": "they all think I'm useless", "distortion": "mind_reading", "question": "How?"},
        {"quote": "I should have prepared", "distortion": "should_statements", "question": "Why?"},
        {"quote": "complete failure", "distortion": "labelling", "question": "Really?"},
    ]
    result = check_suggestions(reply(same, {**same, "quote": "nobody EVER listens"}, *others), ENTRY)
    assert [s.distortion for s in result.suggestions] == [
        "overgeneralising", "mind_reading", "should_statements"
    ]
    assert result.dropped == 2 and not result.model_too_small


def test_nothing_usable_says_the_model_is_too_small_but_an_empty_list_is_an_answer() -> None:
    made_up = reply({"quote": "I hate my job", "distortion": "labelling", "question": "Why?"})
    assert check_suggestions(made_up, ENTRY) == Suggestions((), 1, model_too_small=True)
    cut_short = reply({"quote": "Nobody", "distortion": "labelling", "question": "W"})[:-5]
    assert check_suggestions(cut_short, ENTRY) == Suggestions((), 0, model_too_small=True)
    assert check_suggestions(reply(), ENTRY) == Suggestions((), 0, model_too_small=False)


def test_a_quote_must_be_the_words_of_the_text() -> None:
    text = "Today   I felt\nthat I’m never good enough. Still, lunch was nice."
    assert find_quote('"I\'m NEVER good enough."', text) == "I’m never good enough"
    assert find_quote("i felt that", text) == "I felt\nthat"
    assert find_quote("I'm always good enough", text) is None
    assert find_quote("lunch was nice, really", text) is None
    assert find_quote("good enou", text) is None and find_quote("day I felt", text) is None
    assert find_quote(' ". " ', text) is None and find_quote("", text) is None


def test_the_weekly_reflection_is_short_and_says_nothing_was_left_out(engine: Engine) -> None:
    entries = ["Long day at work, but I finished the report.", "Walked by the river with Sam.",
               "Slept badly and felt flat all morning."]
    reflection = weekly_reflection(engine, entries, MOODS)
    assert reflection.strip()
    assert len(reflection) <= REFLECTION_TOKENS * 8  # a token is a few characters
    assert not NOTE.search(reflection)


def test_the_weekly_reflection_leaves_out_the_oldest_entries_that_do_not_fit(engine: Engine) -> None:
    entries = [f"Day {day}. " + long_text(250 + 10 * day) for day in range(12)]
    reflection = weekly_reflection(engine, entries, MOODS)

    note = NOTE.search(reflection)
    assert note is not None, reflection
    left_out, total = int(note.group(1) or 1), int(note.group(2))
    assert total == len(entries) and 0 < left_out < len(entries)
    body = reflection[: note.start()].strip()
    assert body and len(body) <= REFLECTION_TOKENS * 8
    # Exactly the oldest that had to go: one entry more would not have fitted.
    room = engine.n_ctx - REFLECTION_TOKENS
    assert engine.count_tokens(reflection_messages(entries[left_out:], MOODS)) <= room
    assert engine.count_tokens(reflection_messages(entries[left_out - 1 :], MOODS)) > room


def test_the_weekly_reflection_gives_the_mood_figures_and_needs_something_to_reflect_on(
    engine: Engine,
) -> None:
    prompt = reflection_messages(["An entry."], MOODS)[1].content
    assert "2025-11-18: 6" in prompt and "Average 5.7" in prompt
    assert weekly_reflection(engine, [], []) == NOTHING_TO_REFLECT_ON


def test_a_cancelled_request_raises_companion_stopped(engine: Engine) -> None:
    entries = ["Summarise this. " + long_text(1300)]
    timer = threading.Timer(0.3, engine.cancel)
    timer.start()
    try:
        with pytest.raises(CompanionStopped) as raised:
            weekly_reflection(engine, entries, [])
    finally:
        timer.cancel()
    assert raised.value.cancelled and raised.value.hint


def test_the_reflect_persona_is_socratic_and_points_to_help() -> None:
    reflect = persona("reflect")
    assert reflect.name == "Reflect (journal companion)"
    for words in ("not a therapist", "one open, gentle question", "crisis resources"):
        assert words in " ".join(reflect.prompt.split())
