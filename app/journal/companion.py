"""The journal companion, on the loaded model and nothing else: possible thinking distortions in an
entry or a thought record, and a short reflection on the week.

Suggestions are offered; the person decides. It works with any instruct model: the reply is held to a
JSON schema, and what the model says is checked against the person's own text, so a model too small
to help gives a clear "nothing usable" rather than invented quotes."""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.engine import ChatMessage, Engine, SamplingOptions, StopReason
from app.errors import MiniGiantsError
from app.journal.distortions import distortions
from app.vault.records import ThoughtRecord

MAX_SUGGESTIONS = 3
QUOTE_CHARS = 160
QUESTION_CHARS = 200
# Room for three suggestions at the schema's limits at about two characters a token.
SUGGESTION_TOKENS = 640
REFLECTION_TOKENS = 200  # about five sentences
REFLECTING = SamplingOptions(temperature=0.7, max_tokens=REFLECTION_TOKENS)

SUGGESTION_PROMPT = """You help a person notice unhelpful thinking in their own journal, gently. \
Find up to three possible thinking distortions in their text, using only these kinds:
{kinds}
For each: copy the exact words (a short phrase) from their text that show it, name the kind, and \
ask one short, kind question that helps them look at the thought another way. Quote only words that \
are in the text. If there are none, give an empty list. Never diagnose. Answer as JSON: \
{{"suggestions": [{{"quote": "...", "distortion": "...", "question": "..."}}]}}"""

REFLECTION_PROMPT = """You write a short, kind reflection on someone's week from their own journal \
entries and mood check-ins. In at most five sentences, speaking to them as "you": notice the themes \
and how their mood moved, name one thing that went well, and end with one gentle question for the \
week ahead. Do not diagnose, judge, or advise on medication."""

NOTHING_TO_REFLECT_ON = "There are no journal entries or mood check-ins from this week yet."
NO_REFLECTION = "The model gave no reflection this time; a larger model usually does better."


@dataclass(frozen=True)
class Suggestion:
    distortion: str  # a distortion id from resources/distortions.toml
    quote: str  # the words it is about, exactly as they are in the person's text
    question: str  # one gentle Socratic question about them


@dataclass(frozen=True)
class Suggestions:
    suggestions: tuple[Suggestion, ...]
    dropped: int  # suggestions made but not offered: words not in the text, unknown kind, repeats
    # Nothing usable came back (the model's suggestions were all dropped, or its reply was not
    # complete): say so and suggest a larger model. An empty list is an answer, not this.
    model_too_small: bool


class CompanionStopped(MiniGiantsError):
    """The model did not finish: the person stopped it, or llama.cpp could not go on."""

    def __init__(self, detail: str | None) -> None:
        if detail is None:
            super().__init__("The companion was stopped before it finished.",
                             "Ask again whenever you like.")
        else:
            super().__init__(f"The model could not finish its answer: {detail}",
                             "Try again; if it happens again, load the model with a smaller "
                             "context length, or pick another model.")
        self.cancelled = detail is None


def record_text(record: ThoughtRecord) -> str:
    """What the person wrote in a thought record, as one text: for the crisis check and the
    companion."""
    parts = [record.situation, *(thought.text for thought in record.thoughts),
             record.evidence_for, record.evidence_against, record.balanced_thought]
    return "\n".join(part for part in parts if part.strip())


def suggest_distortions(engine: Engine, text: str) -> Suggestions:
    """Ask the loaded model for at most three possible distortions in `text`, each with the words it
    is about and one question. Raises CompanionStopped if cancelled (engine.cancel())."""
    messages = [
        ChatMessage("system", _suggestion_prompt()),
        ChatMessage("user", f"My journal text:\n\n{text.strip()}"),
    ]
    # Greedy, and no repetition penalty: copying the person's words and repeating JSON keys is the
    # task here.
    sampling = SamplingOptions(
        temperature=0.0, repeat_penalty=1.0, max_tokens=SUGGESTION_TOKENS,
        json_schema=_suggestion_schema(),
    )
    reply, _ = _ask(engine, messages, sampling)
    return check_suggestions(reply, text)


def check_suggestions(reply: str, text: str) -> Suggestions:
    """Keep the suggestions in the model's JSON `reply` that name a known distortion and quote words
    that are in `text` (ignoring case and spacing); count the others as dropped."""
    items = _suggestion_items(reply)
    if items is None:
        return Suggestions((), 0, model_too_small=True)
    known = _distortion_ids()
    kept: list[Suggestion] = []
    seen: set[tuple[str, str]] = set()  # (distortion, words): the same again is a repeat
    for item in items:
        suggestion = _checked(item, text, known)
        if suggestion is None or len(kept) == MAX_SUGGESTIONS:
            continue
        key = (suggestion.distortion, suggestion.quote.casefold())
        if key not in seen:
            seen.add(key)
            kept.append(suggestion)
    dropped = len(items) - len(kept)
    return Suggestions(tuple(kept), dropped, model_too_small=not kept and dropped > 0)


def find_quote(quote: str, text: str) -> str | None:
    """The words of `text` that `quote` repeats, as `text` has them; None when they are not there.
    Case, spacing, enclosing quotation marks, end punctuation and the apostrophe's shape (' or ’)
    may differ; the words themselves may not, nor may a word be cut."""
    words = quote.strip().strip("\"'“”‘’.,;:!? ").split()
    if not any(character.isalnum() for word in words for character in word):
        return None
    # Whole words only: "every s" is not the words of "every single".
    pattern = r"(?<!\w)" + r"\s+".join(_word_pattern(word) for word in words) + r"(?!\w)"
    found = re.search(pattern, text, re.IGNORECASE)
    return found.group(0) if found else None


def weekly_reflection(engine: Engine, entries: list[str], moods: list[tuple[str, int]]) -> str:
    """A short reflection on a week's journal `entries` (oldest first) and `moods` ((day, mood from 0
    to 10) pairs). When the entries do not all fit the model's context, the oldest are left out and
    the reflection ends by saying how many. Raises CompanionStopped if cancelled."""
    if not entries and not moods:
        return NOTHING_TO_REFLECT_ON
    messages, left_out = _fit_week(engine, entries, moods)
    reply, reason = _ask(engine, messages, REFLECTING)
    reflection = _whole_sentences(reply) if reason is StopReason.LENGTH else reply.strip()
    reflection = reflection or NO_REFLECTION
    if left_out:
        reflection += "\n\n" + _left_out_note(left_out, len(entries))
    return reflection


def reflection_messages(
    entries: Sequence[str], moods: Sequence[tuple[str, int]]
) -> list[ChatMessage]:
    """What weekly_reflection asks the model, for these entries (all of them)."""
    parts = [_mood_summary(moods)]
    if entries:
        parts.append("My journal entries, oldest first:")
        parts += [f"---\n{entry.strip()}" for entry in entries]
    return [ChatMessage("system", REFLECTION_PROMPT), ChatMessage("user", "\n\n".join(parts))]


def _ask(
    engine: Engine, messages: list[ChatMessage], sampling: SamplingOptions
) -> tuple[str, StopReason]:
    stream = engine.chat(messages, sampling)
    reply = "".join(stream)
    stats = stream.stats
    assert stats is not None  # set once the stream is consumed
    if stats.stop_reason is StopReason.CANCELLED:
        raise CompanionStopped(None)
    if stats.stop_reason is StopReason.ERROR:
        raise CompanionStopped(stats.error or "no reason was given")
    return reply, stats.stop_reason


@functools.cache
def _distortion_ids() -> tuple[str, ...]:
    return tuple(distortion.id for distortion in distortions())


@functools.cache
def _suggestion_prompt() -> str:
    kinds = "\n".join(f"- {d.id} ({d.name}): {d.explanation}" for d in distortions())
    return SUGGESTION_PROMPT.format(kinds=kinds)


def _suggestion_schema() -> Mapping[str, object]:
    text = {"type": "string", "minLength": 1}
    item = {
        "type": "object",
        # The words first: a model names the distortion better once it has quoted them.
        "properties": {
            "quote": {**text, "maxLength": QUOTE_CHARS},
            "distortion": {"enum": list(_distortion_ids())},
            "question": {**text, "maxLength": QUESTION_CHARS},
        },
        "required": ["quote", "distortion", "question"],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {"suggestions": {"type": "array", "items": item, "maxItems": MAX_SUGGESTIONS}},
        "required": ["suggestions"],
        "additionalProperties": False,
    }


def _suggestion_items(reply: str) -> list[object] | None:
    """The suggestion list of a reply; None when the reply is not that JSON (it was cut short)."""
    try:
        items = json.loads(reply)["suggestions"]
    except (json.JSONDecodeError, KeyError, TypeError):
        return None
    return items if isinstance(items, list) else None


def _checked(item: object, text: str, known: tuple[str, ...]) -> Suggestion | None:
    if not isinstance(item, dict):
        return None
    distortion, quote, question = (item.get(key) for key in ("distortion", "quote", "question"))
    if distortion not in known or not isinstance(quote, str) or not isinstance(question, str):
        return None
    words = find_quote(quote, text)
    question = " ".join(question.split())
    if words is None or not question:
        return None
    return Suggestion(str(distortion), words, question)


def _fit_week(
    engine: Engine, entries: list[str], moods: list[tuple[str, int]]
) -> tuple[list[ChatMessage], int]:
    """The reflection prompt with as many of the newest entries as fit beside the reply, and how
    many of the oldest were left out. The newest entry always stays: if it alone is too long, the
    engine's MessageTooLong says so, rather than a reflection on a week without its entries."""
    room = engine.n_ctx - REFLECTION_TOKENS
    left_out = 0
    while left_out < len(entries) - 1 and engine.count_tokens(
        reflection_messages(entries[left_out:], moods)
    ) > room:
        left_out += 1
    return reflection_messages(entries[left_out:], moods), left_out


def _word_pattern(word: str) -> str:
    # Phones and word processors type ’ where a keyboard types '.
    return "".join("['’]" if character in "'’" else re.escape(character) for character in word)


def _mood_summary(moods: Sequence[tuple[str, int]]) -> str:
    if not moods:
        return "No mood check-ins this week."
    days = ", ".join(f"{day}: {mood}" for day, mood in moods)
    # Worked out here: small models get arithmetic wrong.
    average = sum(mood for _, mood in moods) / len(moods)
    return f"My mood check-ins (0 = worst, 10 = best): {days}. Average {average:.1f}."


def _whole_sentences(text: str) -> str:
    """`text` without a last sentence the reply limit cut off."""
    end = max(text.rfind(mark) for mark in ".!?")
    return (text[: end + 1] if end >= 0 else text).strip()


def _left_out_note(left_out: int, total: int) -> str:
    if left_out == 1:
        return f"(The oldest of the {total} entries was left out to fit the model's context.)"
    return f"(The {left_out} oldest of the {total} entries were left out to fit the model's context.)"
