"""Schema migrations on real files: a vault made by the first version opens in this one, and a
vault from a newer version is refused untouched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.vault import schema
from app.vault.errors import VaultFromNewerVersion
from app.vault.keys import KdfParams
from app.vault.store import Vault


def indexes(path: Path, table: str) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[1] for row in connection.execute(f"PRAGMA index_list({table})")]
    finally:
        connection.close()


def test_a_version_1_vault_is_migrated_and_keeps_everything(
    tmp_path: Path, kdf: KdfParams, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "vault.db"
    with monkeypatch.context() as version_1:  # the app as it shipped first
        version_1.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:1])
        with Vault.create(path, "pw", kdf=kdf) as vault:
            conversation = vault.conversations.create("From version 1")
            message = vault.conversations.add_message(conversation.id, "user", "Still here?")
            assert vault.protection().schema_version == 1
    assert not any("position" in name for name in indexes(path, "conversations"))

    with Vault.open(path) as vault:
        assert vault.protection().schema_version == len(schema.MIGRATIONS) >= 2
        vault.unlock("pw")
        assert vault.conversations.messages(conversation.id) == [message]
        assert vault.check().ok
    assert any("position" in name for name in indexes(path, "conversations"))


def test_a_vault_from_a_newer_version_is_refused_untouched(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    Vault.create(path, "pw", kdf=kdf).close()
    connection = sqlite3.connect(path)
    connection.execute("insert into _migrations (position, name) values (99, 'm099_from_the_future')")
    connection.commit()
    connection.close()
    before = path.read_bytes()
    with pytest.raises(VaultFromNewerVersion) as raised:
        Vault.open(path)
    assert "newer Mini-Giants" in raised.value.message
    assert path.read_bytes() == before
    # the refused open released the file:
    connection = sqlite3.connect(path)
    connection.execute("BEGIN EXCLUSIVE")
    connection.close()
