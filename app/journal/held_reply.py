"""After a crisis hit, the model is held too. When the person chooses to go on after the crisis
lines, the reply is written under a short supportive instruction in place of the conversation's
persona, and read before anyone sees it: a reply that names a means of harm or sounds like
encouragement is withheld, and the support message given instead (resources/safety/held_reply.toml
says what counts). Small models say dangerous things innocently; this does not rely on them.

Plain Python: the chat page and any other caller hold a turn the same way."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.engine import ChatMessage
from app.journal.safety import (
    SAFETY_DIR,
    CrisisResources,
    SafetyDataInvalid,
    SafetyResult,
    normalize,
    phrase_pattern,
    support_message,
)

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

HELD_REPLY_FILE = SAFETY_DIR / "held_reply.toml"
SUPPORT_INSTRUCTION = (
    "The person you are talking with may be in crisis and thinking about harming themselves or "
    "someone else, or may be being hurt. Whatever role you were given before, set it aside. Reply "
    "in their language, briefly, warmly and calmly: say that you hear them and that their feelings "
    "matter; ask how they are right now. Never encourage harm, never agree that it is a good idea, "
    "and never mention methods, means, places, amounts or timing, not even to warn against them. "
    "Gently encourage them to reach out now to someone who can be with them: a person they trust, "
    "a crisis line, or emergency services if they are in danger. Do not promise to keep secrets "
    "and do not claim to be a therapist."
)


@dataclass(frozen=True)
class HeldReply:
    text: str  # what the person sees and what is kept: the model's reply or the support message
    withheld: bool  # the model's reply was replaced


def held_prompt(prompt: Sequence[ChatMessage]) -> list[ChatMessage]:
    """The turn's prompt with the supportive instruction as its only system message."""
    return [ChatMessage("system", SUPPORT_INSTRUCTION),
            *(message for message in prompt if message.role != "system")]


def screened(reply: str, result: SafetyResult, resources: CrisisResources | None = None
             ) -> HeldReply:
    """The model's reply when it is safe to show, else the support message for `result`."""
    if reply.strip() and not must_withhold(reply):
        return HeldReply(reply, withheld=False)
    return HeldReply(support_message(result, resources), withheld=True)


def must_withhold(reply: str) -> bool:
    """Whether a reply names a means of harm or sounds like encouragement, in any language."""
    text = normalize(reply)
    return any(pattern.search(text) for pattern in _phrases(HELD_REPLY_FILE))


@functools.lru_cache(maxsize=1)
def _phrases(path: Path) -> tuple[re.Pattern[str], ...]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        raise SafetyDataInvalid(path, "it is missing or not valid TOML") from None
    phrases = []
    for language, table in data.items():
        if not isinstance(table, dict) or set(table) != {"means", "encouragement"} or not all(
                isinstance(p, str) and p for value in table.values() for p in value):
            raise SafetyDataInvalid(path, f"[{language}] needs `means` and `encouragement`, "
                                          "lists of phrases")
        phrases += [phrase_pattern(path, language, phrase)
                    for phrase in [*table["means"], *table["encouragement"]]]
    return tuple(phrases)
