"""The journal's crisis check without a widget: the real check, jobs run at once, and the
person's answer to the crisis words given by the test."""

from __future__ import annotations

from collections.abc import Callable

from app.journal.care import JournalCare
from app.journal.safety import SafetyResult
from tests.inline_jobs import InlineJobs

CRISIS = "I don't want to be alive anymore."


class Person:
    """Answers the crisis words: "go on" or "not now"."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.asked: list[SafetyResult] = []

    def ask(self, result: SafetyResult, go_on: Callable[[], None],
            hold: Callable[[], None]) -> None:
        self.asked.append(result)
        (go_on if self.answer == "go on" else hold)()


def test_a_saved_entry_is_answered_once_per_unlock_not_at_every_pause() -> None:
    person = Person("go on")
    care = JournalCare(InlineJobs(), person.ask)
    care.care_for("entry:1", CRISIS)
    care.care_for("entry:1", CRISIS + " Still.")
    assert len(person.asked) == 1 and person.asked[0].flagged
    care.care_for("entry:2", CRISIS)
    assert len(person.asked) == 2, "another entry is answered too"
    care.forget()
    care.care_for("entry:1", CRISIS)
    assert len(person.asked) == 3, "and again after the next unlock"


def test_the_model_reads_a_flagged_text_only_after_the_person_chooses_to_go_on() -> None:
    read: list[str] = []
    held: list[str] = []
    person = Person("not now")
    care = JournalCare(InlineJobs(), person.ask)
    care.care_for("record:1", CRISIS, lambda: read.append("record:1"),
                  on_hold=lambda: held.append("record:1"))
    assert read == [] and held == ["record:1"]
    person.answer = "go on"
    care.care_for("record:1", CRISIS, lambda: read.append("record:1"))
    assert read == ["record:1"] and len(person.asked) == 2, "asked again: they held last time"
    care.care_for("record:1", CRISIS, lambda: read.append("again"))
    assert read == ["record:1", "again"] and len(person.asked) == 2


def test_quiet_and_empty_texts_ask_nothing() -> None:
    read: list[str] = []
    person = Person("go on")
    care = JournalCare(InlineJobs(), person.ask)
    care.care_for("entry:1", "Walked by the river; a good day.", lambda: read.append("quiet"))
    care.care_for("entry:2", "   ", lambda: read.append("empty"))
    care.care_for("entry:3", "")
    assert read == ["quiet", "empty"] and person.asked == []
