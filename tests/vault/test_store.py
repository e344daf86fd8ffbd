"""The vault on real SQLite files: passphrases, tampering, what reaches the disk, a second writer."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.vault.errors import (
    KeySettingsTampered,
    RowTampered,
    VaultAlreadyOpen,
    VaultLocked,
    VaultUnreadable,
    WrongPassphrase,
)
from app.vault.keys import KdfParams
from app.vault.records import Version
from app.vault.store import Vault
from tests.vault.conftest import files_under

SECRET = "I have never told anyone that I am afraid of the dark."


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault" / "vault.db"


@pytest.fixture
def filled(vault_path: Path, kdf: KdfParams) -> Iterator[tuple[Path, str, list[str]]]:
    """A closed vault with one conversation of three messages; yields (path, conversation, ids)."""
    with Vault.create(vault_path, "first passphrase", kdf=kdf) as vault:
        conversation = vault.conversations.create("Evening", system_prompt="Be gentle.")
        ids = [vault.conversations.add_message(conversation.id, role, text).id for role, text in
               (("user", SECRET), ("assistant", "Thank you for telling me."), ("user", "Yes."))]
    yield vault_path, conversation.id, ids


@contextlib.contextmanager
def raw(path: Path) -> Iterator[sqlite3.Connection]:
    """The vault file as an attacker with write access sees it: plain SQLite."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        yield connection
    finally:
        connection.close()


def test_reopen_unlock_and_read(filled: tuple[Path, str, list[str]]) -> None:
    path, conversation_id, ids = filled
    with Vault.open(path) as vault:
        assert vault.is_locked
        with pytest.raises(VaultLocked):
            vault.conversations.all()
        vault.unlock("first passphrase")
        [conversation] = vault.conversations.all()
        assert conversation.title == "Evening" and conversation.system_prompt == "Be gentle."
        messages = vault.conversations.messages(conversation_id)
        assert [m.id for m in messages] == ids
        assert messages[0].text == SECRET and messages[0].role == "user"
        vault.lock()
        with pytest.raises(VaultLocked):
            vault.conversations.messages(conversation_id)


def test_wrong_passphrase_leaves_the_file_untouched(filled: tuple[Path, str, list[str]]) -> None:
    path, _, _ = filled
    before = path.read_bytes()
    with Vault.open(path) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("first passphrase!")
        assert vault.is_locked
    assert path.read_bytes() == before


def test_changing_the_passphrase(filled: tuple[Path, str, list[str]]) -> None:
    path, conversation_id, _ = filled
    with Vault.open(path) as vault:
        vault.unlock("first passphrase")
        recovery = vault.add_recovery_key()
        vault.change_passphrase("second passphrase")
    with Vault.open(path) as vault:
        with pytest.raises(WrongPassphrase):
            vault.unlock("first passphrase")
        vault.unlock("second passphrase")
        assert vault.conversations.messages(conversation_id)[0].text == SECRET
    with Vault.open(path) as vault:
        vault.unlock_with_recovery_key(recovery)
        assert vault.conversations.messages(conversation_id)[0].text == SECRET


def test_a_flipped_byte_is_reported_and_the_rest_still_reads(
    filled: tuple[Path, str, list[str]],
) -> None:
    path, conversation_id, ids = filled
    with raw(path) as connection:
        sealed = bytearray(connection.execute("select sealed from messages where id = ?",
                                              [ids[1]]).fetchone()[0])
        sealed[30] ^= 0x40
        connection.execute("update messages set sealed = ? where id = ?", [bytes(sealed), ids[1]])
    with Vault.open(path) as vault:
        vault.unlock("first passphrase")
        report = vault.check()
        assert report.damaged == [("messages", ids[1])]
        assert report.counts["messages"] == 3 and not report.ok
        with pytest.raises(RowTampered) as raised:
            vault.conversations.messages(conversation_id)
        assert ids[1] in raised.value.message


def test_a_ciphertext_copied_into_another_row_is_detected(
    filled: tuple[Path, str, list[str]],
) -> None:
    path, _, ids = filled
    with raw(path) as connection:
        sealed = connection.execute("select sealed from messages where id = ?", [ids[0]]).fetchone()[0]
        connection.execute("update messages set sealed = ? where id = ?", [sealed, ids[2]])
    with Vault.open(path) as vault:
        vault.unlock("first passphrase")
        assert vault.check().damaged == [("messages", ids[2])]


def test_weakened_key_settings_are_refused(filled: tuple[Path, str, list[str]]) -> None:
    path, _, _ = filled
    with raw(path) as connection:
        wrapped = json.loads(connection.execute(
            "select wrapped from vault_keys where purpose = 'passphrase'").fetchone()[0])
        wrapped["memory_kib"] = 8
        wrapped["iterations"] = 1
        connection.execute("update vault_keys set wrapped = ? where purpose = 'passphrase'",
                           [json.dumps(wrapped)])
    with Vault.open(path) as vault:
        with pytest.raises(KeySettingsTampered):
            vault.unlock("first passphrase")


def test_the_secret_never_reaches_the_disk(
    vault_path: Path, kdf: KdfParams, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    needles = [SECRET.encode("utf-8"), SECRET.encode("utf-16-le"), b"afraid of the dark"]

    def assert_absent() -> None:
        files = files_under(vault_path.parent, temp)
        assert vault_path in files
        for file in files:
            data = file.read_bytes()
            assert not any(needle in data for needle in needles), f"plaintext found in {file.name}"

    with Vault.create(vault_path, "passphrase", kdf=kdf) as vault:
        conversation = vault.conversations.create("Secret")
        for _ in range(20):
            vault.conversations.add_message(conversation.id, "user", SECRET)
        assert_absent()  # while open: the WAL holds the writes
        vault.conversations.delete(conversation.id)
        assert vault.check().counts["messages"] == 0
        assert_absent()
    assert_absent()


def test_deleting_a_conversation_deletes_its_messages(filled: tuple[Path, str, list[str]]) -> None:
    path, conversation_id, _ = filled
    with Vault.open(path) as vault:
        vault.unlock("first passphrase")
        other = vault.conversations.create("Morning")
        vault.conversations.add_message(other.id, "user", "Hello")
        vault.conversations.delete(conversation_id)
        assert [c.id for c in vault.conversations.all()] == [other.id]
        assert vault.conversations.messages(conversation_id) == []
        assert vault.check().counts["messages"] == 1


def test_newest_conversation_first_and_renaming_moves_it_up(vault_path: Path, kdf: KdfParams) -> None:
    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        first = vault.conversations.create("First")
        second = vault.conversations.create("Second")
        assert [c.title for c in vault.conversations.all()] == ["Second", "First"]
        vault.conversations.rename(first.id, "First, renamed")
        assert [c.title for c in vault.conversations.all()] == ["First, renamed", "Second"]
        assert vault.conversations.get(second.id).title == "Second"


def test_a_second_writer_is_refused(filled: tuple[Path, str, list[str]]) -> None:
    path, _, _ = filled
    with Vault.open(path):
        with pytest.raises(VaultAlreadyOpen) as raised:
            Vault.open(path)
        assert "already open" in raised.value.message
        other_process = subprocess.run(
            [sys.executable, "-c",
             "import sys\nfrom app.vault.store import Vault\nfrom app.vault.errors import VaultAlreadyOpen\n"
             f"try:\n    Vault.open({str(path)!r})\nexcept VaultAlreadyOpen:\n    sys.exit(3)\n"],
            capture_output=True, text=True, timeout=60,
        )
        assert other_process.returncode == 3, other_process.stderr
    Vault.open(path).close()  # free again once closed


def test_a_file_that_is_not_a_vault(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("just some text " * 100)
    with pytest.raises(VaultUnreadable):
        Vault.open(path)


def test_a_growing_reply_is_saved_in_place(vault_path: Path, kdf: KdfParams) -> None:
    with Vault.create(vault_path, "pw", kdf=kdf) as vault:
        conversation = vault.conversations.create("Streaming")
        reply = vault.conversations.add_message(conversation.id, "assistant", "", model="smollm2")
        for text in ("Once", "Once upon", "Once upon a time."):
            reply = dataclasses.replace(reply, text=text)
            vault.conversations.update_message(reply)
        final = dataclasses.replace(reply, stats={"completion_tokens": 5}, answers=0, position=1,
                                    alternatives=(Version("An earlier answer.", {"stop_reason": "length"},
                                                          "other.gguf", 0),))
        vault.conversations.update_message(final)
    with Vault.open(vault_path) as vault:
        vault.unlock("pw")
        [stored] = vault.conversations.messages(conversation.id)
    assert stored == final
