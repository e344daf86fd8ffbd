"""Your servers are kept in the vault, keys included, sealed; a refused address is never kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.remote.address import PlainHttpRefused
from app.remote.your_servers import (
    ServerForgotten,
    add_server,
    remove_server,
    server_model,
    server_models,
    set_models,
    your_servers,
)
from app.vault.keys import KdfParams
from app.vault.store import Vault


def test_servers_are_kept_sealed_and_removed(tmp_path: Path, kdf: KdfParams) -> None:
    path = tmp_path / "vault.db"
    with Vault.create(path, "pw", kdf=kdf) as vault:
        home = add_server(vault, "http://192.168.1.20:8080/v1/", "secret-key-123")
        cloud = add_server(vault, "https://gpu.example.org/v1", None)
        with pytest.raises(PlainHttpRefused):
            add_server(vault, "http://8.8.8.8/v1", None)
        assert your_servers(vault) == [home, cloud]
        assert home.base_url == "http://192.168.1.20:8080/v1" and home.host == "192.168.1.20:8080"
    raw = path.read_bytes()
    assert b"secret-key-123" not in raw and b"192.168.1.20" not in raw
    with Vault.open(path) as vault:
        vault.unlock("pw")
        remove_server(vault, home.id)
        assert your_servers(vault) == [cloud]


def test_a_server_added_again_is_updated_in_place(tmp_path: Path, kdf: KdfParams) -> None:
    with Vault.create(tmp_path / "vault.db", "pw", kdf=kdf) as vault:
        first = add_server(vault, "http://127.0.0.1:8080/v1", "old-key", ("a",))
        other = add_server(vault, "https://gpu.example.org/v1", None)
        again = add_server(vault, "http://127.0.0.1:8080/v1/", "new-key", ("a", "b"))
        assert again.id == first.id and your_servers(vault) == [again, other]
        assert [m.choice for m in server_models(vault)] == [
            f"server:{first.id}:a", f"server:{first.id}:b"]
        set_models(vault, first.id, ("b",))
        assert server_model(vault, f"server:{first.id}:b").server.models == ("b",)
        remove_server(vault, first.id)
        with pytest.raises(ServerForgotten):
            server_model(vault, f"server:{first.id}:b")
