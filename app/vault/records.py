"""What the vault hands out: plain, typed, decrypted records. Nothing here touches the disk."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from app.vault.errors import JournalValueInvalid

# The steps of the guided thought record, in order; a draft remembers the last one reached so the
# flow resumes there. Names, not numbers: a step added later must not shift what drafts say.
THOUGHT_RECORD_STEPS = (
    "situation", "thoughts", "emotions", "distortions", "evidence", "balanced_thought", "rerate",
)
ThoughtRecordStatus = Literal["draft", "complete"]
_DISTORTION_ID = re.compile(r"[a-z][a-z_]*")


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    system_prompt: str
    model: str | None
    sampling: dict[str, object]
    created: str
    updated: str


@dataclass(frozen=True)
class Version:
    """One version of a message other than the one in use: a question's earlier wording, a reply
    written again. A reply's keeps its own statistics (tokens, speed, why it stopped) and model,
    and says which wording of the question before it it answered (`answers`, an index into
    that question's versions; None when written before versions recorded it)."""

    text: str
    stats: dict[str, object] = field(default_factory=dict)
    model: str | None = None
    answers: int | None = None


@dataclass(frozen=True)
class Message:
    """The version in use is the message's own text, stats, model and `answers`; the others are
    `alternatives`. In the order they were written, all versions are the alternatives with the
    one in use at `position` (None: after them all), so choosing one never reorders them."""

    id: str
    conversation_id: str
    role: str
    text: str
    model: str | None
    stats: dict[str, object]
    created: str
    alternatives: tuple[Version, ...] = ()
    position: int | None = None
    answers: int | None = None


@dataclass(frozen=True)
class JournalEntry:
    id: str
    day: str  # the ISO date the entry is about, which need not be the day it was written
    title: str
    text: str
    tags: tuple[str, ...]
    created: str
    updated: str

    def __post_init__(self) -> None:
        _check_day(self.day)


class Emotion(NamedTuple):
    name: str
    intensity: int  # 0-100


class AutomaticThought(NamedTuple):
    text: str
    belief: int  # 0-100: how strongly the person believes it


class Rerating(NamedTuple):
    """How strongly a thought is believed after the balanced thought was written."""

    thought: int  # index into ThoughtRecord.thoughts
    belief: int  # 0-100


@dataclass(frozen=True)
class MoodCheckin:
    id: str
    day: str  # ISO date
    mood: int  # 0 (worst) to 10 (best)
    emotions: tuple[Emotion, ...]
    note: str
    entry_id: str | None  # the journal entry it was made with, if any
    created: str
    updated: str

    def __post_init__(self) -> None:
        _check_day(self.day)
        _check_whole(self.mood, 0, 10, "A mood")
        _check_emotions(self.emotions)


@dataclass(frozen=True)
class ThoughtRecord:
    """A CBT thought record, complete or a draft saved part of the way through the guided flow."""

    id: str
    situation: str
    thoughts: tuple[AutomaticThought, ...]
    emotions: tuple[Emotion, ...]
    distortions: tuple[str, ...]  # ids from resources/distortions.toml
    evidence_for: str
    evidence_against: str
    balanced_thought: str
    rerated_beliefs: tuple[Rerating, ...]
    rerated_emotions: tuple[Emotion, ...]
    status: ThoughtRecordStatus
    step: str  # one of THOUGHT_RECORD_STEPS: the last step reached
    created: str
    updated: str

    def __post_init__(self) -> None:
        for _, belief in self.thoughts:
            _check_whole(belief, 0, 100, "A belief in a thought")
        _check_emotions(self.emotions)
        _check_emotions(self.rerated_emotions)
        for distortion in self.distortions:
            if not is_distortion_id(distortion):
                raise JournalValueInvalid("A distortion", "the id of one of the listed distortions")
        for thought, belief in self.rerated_beliefs:
            if isinstance(thought, bool) or not isinstance(thought, int) \
                    or not 0 <= thought < len(self.thoughts):
                raise JournalValueInvalid("A rerated belief", "about one of the record's thoughts")
            _check_whole(belief, 0, 100, "A rerated belief")
        if self.status not in ("draft", "complete"):
            raise JournalValueInvalid("A thought record's status", "draft or complete")
        if self.step not in THOUGHT_RECORD_STEPS:
            raise JournalValueInvalid("A thought record's step", "one of " + ", ".join(
                THOUGHT_RECORD_STEPS))


def _check_day(day: str) -> None:
    """A day is an ISO date, written exactly as YYYY-MM-DD: lists sort days as text."""
    try:
        valid = datetime.date.fromisoformat(day).isoformat() == day
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise JournalValueInvalid("The day", "a date written as YYYY-MM-DD")


def _check_whole(value: object, low: int, high: int, what: str) -> None:
    # bool is an int to Python, but True is no mood.
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise JournalValueInvalid(what, f"a whole number from {low} to {high}")


def _check_emotions(emotions: tuple[Emotion, ...]) -> None:
    for name, intensity in emotions:
        if not name.strip():
            raise JournalValueInvalid("An emotion's name", "given")
        _check_whole(intensity, 0, 100, "An emotion's intensity")


def is_distortion_id(text: str) -> bool:
    return _DISTORTION_ID.fullmatch(text) is not None


@dataclass(frozen=True)
class Protection:
    """How the vault is protected, readable while it is locked."""

    schema_version: int
    memory_kib: int
    iterations: int
    lanes: int
    has_recovery_key: bool


@dataclass(frozen=True)
class CheckReport:
    counts: dict[str, int]
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (table, row id)
    integrity: tuple[str, ...] = ("ok",)  # SQLite's own integrity_check of the file

    @property
    def ok(self) -> bool:
        return not self.damaged and self.integrity == ("ok",)


@dataclass(frozen=True)
class PlainRow:
    """One decrypted row of any sealed table, as a backup carries it between vaults."""

    table: str
    id: str
    parent: str | None
    position: int
    payload: dict[str, object]


@dataclass(frozen=True)
class Dump:
    rows: list[PlainRow]
    damaged: list[tuple[str, str]]  # rows that failed authentication and were left out


@dataclass(frozen=True)
class RestoreReport:
    added: dict[str, int]
    skipped: dict[str, int]  # already in this vault (same id): kept as they are here
