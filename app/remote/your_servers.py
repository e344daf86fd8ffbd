"""The servers of yours that Mini-Giants may use, kept in the vault (their keys are secrets, and
where you compute is your business): each its base URL, an optional API key, and an id."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from app.remote.address import ServerAddress, server_address
from app.vault.store import Vault

SETTING = "your_servers"


@dataclass(frozen=True)
class YourServer:
    id: str
    base_url: str
    api_key: str | None

    @property
    def host(self) -> str:
        """How the app names it: where replies are computed."""
        return urlsplit(self.base_url).netloc

    def address(self) -> ServerAddress:
        """Checked again each time: a name may now resolve somewhere else."""
        return server_address(self.base_url)


def your_servers(vault: Vault) -> list[YourServer]:
    stored = vault.settings.get(SETTING, [])
    if not isinstance(stored, list):
        return []
    return [YourServer(str(entry["id"]), str(entry["base_url"]), entry.get("api_key") or None)
            for entry in stored if isinstance(entry, dict) and "id" in entry
            and "base_url" in entry]


def add_server(vault: Vault, base_url: str, api_key: str | None) -> YourServer:
    """Kept under the address as checked (server_address raises for one that is not allowed)."""
    server = YourServer(secrets.token_hex(8), server_address(base_url).base_url,
                        (api_key or "").strip() or None)
    vault.settings.set(SETTING, [*map(asdict, your_servers(vault)), asdict(server)])
    return server


def remove_server(vault: Vault, server_id: str) -> None:
    vault.settings.set(SETTING, [asdict(server) for server in your_servers(vault)
                                 if server.id != server_id])
