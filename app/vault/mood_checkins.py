"""Mood check-ins, as sealed rows: a mood, named emotions, a note, and the journal entry a
check-in was made with, if any."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator

from app.vault.errors import JournalEntryNotFound, MoodCheckinNotFound, RowTampered
from app.vault.records import Emotion, MoodCheckin
from app.vault.rows import (
    SealedRows,
    as_emotions,
    as_int,
    as_optional_text,
    emotion_names,
    now_utc,
    today,
)
from app.vault.search import MOOD_CHECKIN, Document


class MoodCheckins:
    """`vault.checkins`: the mood history, newest day first."""

    def __init__(self, sealed: SealedRows) -> None:
        self._sealed = sealed

    def add(self, mood: int, *, emotions: Iterable[tuple[str, int]] = (), note: str = "",
            day: str | None = None, entry_id: str | None = None) -> MoodCheckin:
        """A mood from 0 to 10 with named emotions of intensity 0-100 (else JournalValueInvalid),
        for `day` (default today), optionally made with the journal entry `entry_id`."""
        now = now_utc()
        checkin = MoodCheckin(uuid.uuid4().hex, day or today(), mood,
                              tuple(Emotion(*emotion) for emotion in emotions), note, entry_id,
                              now, now)
        self._write(checkin)
        return checkin

    def update(self, checkin: MoodCheckin) -> MoodCheckin:
        self._sealed.existing("mood_checkins", checkin.id, MoodCheckinNotFound)
        changed = dataclasses.replace(checkin, updated=now_utc())
        self._write(changed)
        return changed

    def _write(self, checkin: MoodCheckin) -> None:
        if (checkin.entry_id is not None
                and self._sealed.row("journal_entries", checkin.entry_id) is None):
            raise JournalEntryNotFound(checkin.entry_id)
        self._sealed.put_in_place("mood_checkins", checkin.id, _payload(checkin))
        self._sealed.index_put(_document(checkin))

    def all(self) -> list[MoodCheckin]:
        """The mood history: newest day first; check-ins of one day newest first."""
        rows = self._sealed.rows("mood_checkins", newest_first=True)
        checkins = [self._checkin(row) for row in rows]
        return sorted(checkins, key=lambda checkin: checkin.day, reverse=True)  # stable

    def get(self, checkin_id: str) -> MoodCheckin:
        row = self._sealed.existing("mood_checkins", checkin_id, MoodCheckinNotFound)
        return self._checkin(row)

    def _checkin(self, row: dict[str, object]) -> MoodCheckin:
        data = self._sealed.open("mood_checkins", row)
        return MoodCheckin(
            id=str(row["id"]), day=str(data["day"]), mood=as_int(data["mood"]),
            emotions=as_emotions(data["emotions"]), note=str(data["note"]),
            entry_id=as_optional_text(data["entry_id"]), created=str(data["created"]),
            updated=str(data["updated"]),
        )

    def delete(self, checkin_id: str) -> None:
        self._sealed.delete_top_level("mood_checkins", checkin_id)

    def unlink_entry(self, entry_id: str) -> None:
        """Check-ins made with a journal entry that is being deleted stay, without the link, each
        in its place; call inside the transaction that deletes the entry."""
        for row in list(self._sealed.rows("mood_checkins")):
            try:
                checkin = self._checkin(row)
            except RowTampered:  # `check` reports it; it must not stop this delete
                continue
            if checkin.entry_id == entry_id:
                self._sealed.put("mood_checkins", checkin.id, None,
                                 _payload(dataclasses.replace(checkin, entry_id=None)),
                                 position=as_int(row["position"]))

    def documents(self) -> Iterator[Document]:
        """What search finds: every check-in."""
        return (_document(checkin) for checkin in self.all())


def _payload(checkin: MoodCheckin) -> dict[str, object]:
    return {"day": checkin.day, "mood": checkin.mood,
            "emotions": [list(emotion) for emotion in checkin.emotions], "note": checkin.note,
            "entry_id": checkin.entry_id, "created": checkin.created, "updated": checkin.updated}


def _document(checkin: MoodCheckin) -> Document:
    """A check-in is found by its note and the names of its emotions."""
    text = "\n".join(part for part in (checkin.note, emotion_names(checkin.emotions)) if part)
    return Document(MOOD_CHECKIN, checkin.id, None, text)
