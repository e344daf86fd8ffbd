"""An entry as the editor holds it, kept in a real vault without any editor."""

from __future__ import annotations

from pathlib import Path

from app.journal.entry_draft import EntryDraft, parse_tags, save_draft
from app.vault.keys import KdfParams
from app.vault.store import Vault


def test_tags_are_trimmed_and_kept_once_in_their_first_spelling() -> None:
    assert parse_tags("work, sleep ,Work,,  long   walks ") == ("work", "sleep", "long walks")


def test_the_first_save_adds_the_entry_and_later_ones_change_it_in_place(
        tmp_path: Path, kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "vault.db", "a long passphrase", kdf=kdf) as vault:
        first = save_draft(vault, EntryDraft(None, "2026-12-01", "", (), "Walked by the river."))
        again = save_draft(vault, EntryDraft(first.id, "2026-12-02", "A walk", ("walks",),
                                             "Walked by the river with Sam."))
        [stored] = vault.journal.all()
        assert stored.id == first.id == again.id
        assert (stored.day, stored.title, stored.tags, stored.text) == (
            "2026-12-02", "A walk", ("walks",), "Walked by the river with Sam.")
