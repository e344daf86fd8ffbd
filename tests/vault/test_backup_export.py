"""Backups, exports and imports between real vault files, and what a full disk does."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.export import PLAINTEXT_WARNING, as_json, as_markdown, collect
from app.vault.backup_file import read_backup, write_backup
from app.vault.errors import (
    BackupUnreadable,
    TargetExists,
    VaultDiskFull,
    WrongBackupPassphrase,
)
from app.vault.keys import KdfParams
from app.vault.records import Version
from app.vault.store import Vault

SECRET = "The night I walked to the harbour I almost called my brother."


@pytest.fixture
def source(tmp_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    """An unlocked vault holding some of everything: conversations, messages with statistics and
    alternatives, journal entries and a setting."""
    with Vault.create(tmp_path / "source" / "vault.db", "source passphrase", kdf=kdf) as vault:
        first = vault.conversations.create("Harbour", system_prompt="Be brief.", model="smollm2",
                                           sampling={"temperature": 0.2})
        vault.conversations.add_message(first.id, "user", SECRET)
        reply = vault.conversations.add_message(
            first.id, "assistant", "That sounds like a **big** moment.", model="smollm2",
            stats={"completion_tokens": 7})
        vault.conversations.update_message(dataclasses.replace(reply, alternatives=(
            Version("An earlier answer.", {"completion_tokens": 80, "stop_reason": "cancelled"}),)))
        second = vault.conversations.create("Groceries")
        vault.conversations.add_message(second.id, "user", "Milk, eggs, bread.")
        vault.journal.add("Slept badly; the walk helped.", title="Tuesday",
                          tags=("sleep", "walk"), day="2026-11-17")
        vault.settings.set("hf_token", "hf_not_a_real_token")
        yield vault


def contents(vault: Vault) -> tuple[object, ...]:
    conversations = vault.conversations.all()
    return (conversations, [vault.conversations.messages(c.id) for c in conversations],
            vault.journal.all(), vault.settings.get("hf_token"))


def test_a_backup_restores_everything_into_another_vault(
    source: Vault, tmp_path: Path, kdf: KdfParams
) -> None:
    backup = tmp_path / "everything.mgbackup"
    write_backup(backup, source.dump().rows, "backup passphrase", kdf=kdf)
    assert SECRET.encode() not in backup.read_bytes()
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    with Vault.create(tmp_path / "target" / "vault.db", "target passphrase", kdf=kdf) as target:
        report = target.restore(read_backup(backup, "backup passphrase"))
        assert report.added == {"conversations": 2, "messages": 3, "journal_entries": 1,
                                "mood_checkins": 0, "thought_records": 0, "settings": 1}
        assert contents(target) == contents(source)
        assert target.search("harbour") and target.check().ok

        again = target.restore(read_backup(backup, "backup passphrase"))
        assert sum(again.added.values()) == 0 and again.skipped["messages"] == 3
        assert contents(target) == contents(source), "a second import changes nothing"


def test_restored_conversations_come_after_what_is_already_there(
    source: Vault, tmp_path: Path, kdf: KdfParams
) -> None:
    with Vault.create(tmp_path / "target.db", "pw", kdf=kdf) as target:
        target.conversations.create("Already here")
        target.restore(source.dump().rows)
        assert [c.title for c in target.conversations.all()] == \
            ["Groceries", "Harbour", "Already here"]


def test_backup_passphrase_damage_and_strangers_are_refused(
    source: Vault, tmp_path: Path, kdf: KdfParams
) -> None:
    backup = tmp_path / "b.mgbackup"
    write_backup(backup, source.dump().rows, "backup passphrase", kdf=kdf)
    with pytest.raises(WrongBackupPassphrase):
        read_backup(backup, "source passphrase")

    data = backup.read_bytes()
    flipped = tmp_path / "flipped.mgbackup"
    flipped.write_bytes(data[:-20] + bytes([data[-20] ^ 1]) + data[-19:])
    truncated = tmp_path / "truncated.mgbackup"
    truncated.write_bytes(data[: len(data) // 2])
    stranger = tmp_path / "notes.txt"
    stranger.write_text("not a backup")
    for path, reason in ((flipped, "changed after it was made"), (truncated, "incomplete"),
                         (stranger, "not a Mini-Giants backup")):
        with pytest.raises(BackupUnreadable) as raised:
            read_backup(path, "backup passphrase")
        assert reason in raised.value.message

    with pytest.raises(TargetExists):
        write_backup(backup, [], "backup passphrase", kdf=kdf)


def test_a_copy_of_the_vault_stays_encrypted_and_opens_with_its_passphrase(
    source: Vault, tmp_path: Path
) -> None:
    copy = tmp_path / "copy.db"
    source.copy_to(copy)
    assert SECRET.encode() not in copy.read_bytes()
    assert not list(tmp_path.glob("*.partial"))
    with Vault.open(copy) as opened:
        opened.unlock("source passphrase")
        assert contents(opened) == contents(source)
    with pytest.raises(TargetExists):
        source.copy_to(copy)


def test_markdown_and_json_exports_carry_the_plaintext_warning(source: Vault) -> None:
    everything = collect(source)
    markdown = as_markdown(everything)
    assert PLAINTEXT_WARNING in markdown and SECRET in markdown
    assert "### You" in markdown and "### Assistant" in markdown
    assert "*Other answer 1:*\n\n> An earlier answer." in markdown and "## Journal" in markdown
    assert "### 2026-11-17 — Tuesday" in markdown and "Tags: sleep, walk" in markdown

    document = json.loads(as_json(everything))
    assert document["warning"] == PLAINTEXT_WARNING
    assert [c["title"] for c in document["conversations"]] == ["Groceries", "Harbour"]
    assert document["conversations"][1]["messages"][0]["text"] == SECRET
    assert document["journal"][0]["tags"] == ["sleep", "walk"]

    groceries = source.conversations.all()[0]
    one = as_markdown(collect(source, groceries.id))
    assert "Milk, eggs, bread." in one and SECRET not in one and "## Journal" not in one


def test_a_full_disk_is_a_clear_error_and_loses_nothing(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("Before")
        kept = vault.conversations.add_message(conversation.id, "user", "This one was saved.")
        # SQLite's own page limit makes the next growth fail exactly as a full disk does.
        pages = vault._db.execute("PRAGMA page_count").fetchone()[0]
        vault._db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(VaultDiskFull) as raised:
            for _ in range(200):
                vault.conversations.add_message(conversation.id, "user", "x" * 4000)
        assert "full" in raised.value.message and "intact" in raised.value.hint
        count = len(vault.conversations.messages(conversation.id))
    with Vault.open(path) as vault:
        vault.unlock("pw")
        messages = vault.conversations.messages(conversation.id)
        assert messages[0] == kept and len(messages) == count
        assert vault.check().ok


def test_the_file_alone_shows_no_setting_names(source: Vault, tmp_path: Path) -> None:
    copy = tmp_path / "copy.db"
    source.copy_to(copy)
    connection = sqlite3.connect(copy)
    ids = [row[0] for row in connection.execute("select id from settings")]
    connection.close()
    assert len(ids) == 1 and len(ids[0]) == 32, "a keyed hash of the name, not the name"
    assert b"hf_token" not in copy.read_bytes()
