"""Journal entries and personal settings as sealed rows."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from app.vault.errors import JournalEntryNotFound
from app.vault.keys import KdfParams
from app.vault.store import Vault


def test_journal_entries_round_trip_newest_day_first(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        monday = vault.journal.add("Quiet day.", day="2026-11-16")
        wednesday = vault.journal.add("Long walk by the river.", title="River",
                                      tags=("walk", "calm"), day="2026-11-18")
        tuesday = vault.journal.add("Called mum.", day="2026-11-17")
        edited = vault.journal.update(dataclasses.replace(monday, text="Quiet, rainy day."))
        assert edited.updated >= monday.updated and edited.created == monday.created
    with Vault.open(path) as vault:
        vault.unlock("pw")
        assert vault.journal.all() == [wednesday, tuesday, edited]
        assert vault.journal.get(wednesday.id).tags == ("walk", "calm")
        vault.journal.delete(tuesday.id)
        with pytest.raises(JournalEntryNotFound):
            vault.journal.get(tuesday.id)
        assert [e.id for e in vault.journal.all()] == [wednesday.id, monday.id]
    assert b"river" not in path.read_bytes().lower()


def test_settings_are_sealed_and_can_be_removed(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        assert vault.settings.get("persona", "default") == "default"
        vault.settings.set("persona", {"name": "Reflect", "temperature": 0.7})
        vault.settings.set("persona", {"name": "Coach", "temperature": 0.5})
    with Vault.open(path) as vault:
        vault.unlock("pw")
        assert vault.settings.get("persona") == {"name": "Coach", "temperature": 0.5}
        vault.settings.delete("persona")
        assert vault.settings.get("persona") is None
        assert vault.check().counts["settings"] == 0
    assert b"Coach" not in path.read_bytes()
