"""Journal entries, as sealed rows: a day, a title, the text and tags."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator

from app.vault.errors import JournalEntryNotFound
from app.vault.mood_checkins import MoodCheckins
from app.vault.records import JournalEntry
from app.vault.rows import SealedRows, as_list, now_utc, today
from app.vault.search import JOURNAL_ENTRY, Document


class JournalEntries:
    """`vault.journal`: the journal's entries, newest day first."""

    def __init__(self, sealed: SealedRows, checkins: MoodCheckins) -> None:
        self._sealed = sealed
        self._checkins = checkins  # a check-in can be made with an entry; deleting it unlinks them

    def add(self, text: str, *, title: str = "", tags: Iterable[str] = (),
            day: str | None = None) -> JournalEntry:
        """`day` defaults to today; a day that is no YYYY-MM-DD date raises JournalValueInvalid."""
        now = now_utc()
        entry = JournalEntry(uuid.uuid4().hex, day or today(), title, text, tuple(tags), now, now)
        self._write(entry)
        return entry

    def update(self, entry: JournalEntry) -> JournalEntry:
        self.get(entry.id)  # it must exist
        changed = JournalEntry(entry.id, entry.day, entry.title, entry.text, tuple(entry.tags),
                               entry.created, now_utc())
        self._write(changed)
        return changed

    def _write(self, entry: JournalEntry) -> None:
        payload = {"day": entry.day, "title": entry.title, "text": entry.text,
                   "tags": list(entry.tags), "created": entry.created, "updated": entry.updated}
        self._sealed.put_in_place("journal_entries", entry.id, payload)
        self._sealed.index_put(_document(entry))

    def all(self) -> list[JournalEntry]:
        """Newest day first; entries of one day newest written first."""
        rows = self._sealed.rows("journal_entries", newest_first=True)
        entries = [self._entry(row) for row in rows]
        return sorted(entries, key=lambda entry: entry.day, reverse=True)  # stable: keeps the rest

    def get(self, entry_id: str) -> JournalEntry:
        row = self._sealed.existing("journal_entries", entry_id, JournalEntryNotFound)
        return self._entry(row)

    def _entry(self, row: dict[str, object]) -> JournalEntry:
        data = self._sealed.open("journal_entries", row)
        return JournalEntry(
            id=str(row["id"]), day=str(data["day"]), title=str(data["title"]),
            text=str(data["text"]), tags=tuple(str(t) for t in as_list(data["tags"])),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def delete(self, entry_id: str) -> None:
        """The entry goes, in one transaction with the links to it: check-ins made with it stay in
        the mood history."""
        self._sealed.require_key()
        with self._sealed.transaction():
            self._sealed.db.table("journal_entries").delete_where("id = ?", [entry_id])
            self._checkins.unlink_entry(entry_id)
        self._sealed.index_remove(entry_id)

    def documents(self) -> Iterator[Document]:
        """What search finds: every entry."""
        return (_document(entry) for entry in self.all())


def _document(entry: JournalEntry) -> Document:
    """An entry is found by its title, text and tags."""
    text = "\n".join(part for part in (entry.title, entry.text, " ".join(entry.tags)) if part)
    return Document(JOURNAL_ENTRY, entry.id, None, text)
