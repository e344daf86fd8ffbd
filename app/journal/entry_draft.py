"""What the entry editor holds, and how it is kept: a new entry is added with its first save, and
later saves change the stored entry in place. Plain Python, shared by every editor of entries."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from app.vault.records import JournalEntry
from app.vault.store import Vault


@dataclass(frozen=True)
class EntryDraft:
    """What the editor holds; `id` is None until the entry's first save."""

    id: str | None
    day: str
    title: str
    tags: tuple[str, ...]
    text: str


def parse_tags(text: str) -> tuple[str, ...]:
    """"work, sleep ,Work" → ("work", "sleep"): trimmed, first spelling kept, no repeats."""
    tags: dict[str, str] = {}
    for tag in text.split(","):
        tag = " ".join(tag.split())
        if tag:
            tags.setdefault(tag.casefold(), tag)
    return tuple(tags.values())


def save_draft(vault: Vault, draft: EntryDraft) -> JournalEntry:
    """Add the entry (its first save) or update the stored one; runs on the vault's thread."""
    if draft.id is None:
        return vault.journal.add(draft.text, title=draft.title, tags=draft.tags, day=draft.day)
    stored = vault.journal.get(draft.id)
    return vault.journal.update(dataclasses.replace(
        stored, day=draft.day, title=draft.title, tags=draft.tags, text=draft.text))
