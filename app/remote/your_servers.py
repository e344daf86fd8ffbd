"""The servers of yours that Mini-Giants may use, kept in the vault (their keys are secrets, and
where you compute is your business): each its base URL, an optional API key, an id, and the models
it listed when last checked. The chat's model picker offers those models without asking the server
again: nothing connects to it until you check it or send it a message."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass, replace
from urllib.parse import urlsplit

from app.errors import MiniGiantsError
from app.remote.address import ServerAddress, server_address
from app.vault.store import Vault

SETTING = "your_servers"
CHOICE_PREFIX = "server:"  # a model choice (Preferences.model) on one of your servers


class ServerForgotten(MiniGiantsError):
    def __init__(self) -> None:
        super().__init__("That model is no longer among your servers' models: its server was "
                         "removed, or no longer lists it.",
                         "Choose another model above the conversation, or add the server again "
                         "in Models → Your servers.")


@dataclass(frozen=True)
class YourServer:
    id: str
    base_url: str
    api_key: str | None
    models: tuple[str, ...] = ()

    @property
    def host(self) -> str:
        """How the app names it: where replies are computed."""
        return urlsplit(self.base_url).netloc  # as ServerAddress.host, without resolving it

    def address(self) -> ServerAddress:
        """Checked again each time: a name may now resolve somewhere else."""
        return server_address(self.base_url)


@dataclass(frozen=True)
class ServerModel:
    """One model on one of your servers, as the chat uses it."""

    server: YourServer
    model: str

    @property
    def choice(self) -> str:
        return f"{CHOICE_PREFIX}{self.server.id}:{self.model}"

    @property
    def label(self) -> str:
        return f"{shown_model(self.model)} — {self.server.host} (your server)"


def shown_model(model: str) -> str:
    """A model as the app shows it: one named by its file's path (llama_cpp.server's way) by the
    file's name."""
    return model.replace("\\", "/").rsplit("/", 1)[-1] if model.endswith(".gguf") else model



def is_server_choice(choice: str) -> bool:
    return choice.startswith(CHOICE_PREFIX)


def your_servers(vault: Vault) -> list[YourServer]:
    stored = vault.settings.get(SETTING, [])
    if not isinstance(stored, list):
        return []
    return [YourServer(str(entry["id"]), str(entry["base_url"]), entry.get("api_key") or None,
                       tuple(str(model) for model in entry.get("models") or ()))
            for entry in stored if isinstance(entry, dict) and "id" in entry
            and "base_url" in entry]


def server_models(vault: Vault) -> list[ServerModel]:
    """Every model your servers listed when last checked, server by server."""
    return [ServerModel(server, model) for server in your_servers(vault)
            for model in server.models]


def server_model(vault: Vault, choice: str) -> ServerModel:
    """The model a choice names, from the server as kept now (its key may have changed)."""
    server_id, _, model = choice.removeprefix(CHOICE_PREFIX).partition(":")
    for server in your_servers(vault):
        if server.id == server_id:
            return ServerModel(server, model)
    raise ServerForgotten()


def add_server(vault: Vault, base_url: str, api_key: str | None,
               models: tuple[str, ...] = ()) -> YourServer:
    """Kept under the address as checked (server_address raises for one that is not allowed);
    added again, the same server gets the new key and models, and keeps its id (and so the
    choices that name it)."""
    base = server_address(base_url).base_url
    kept = your_servers(vault)
    same = next((server for server in kept if server.base_url == base), None)
    server = YourServer(same.id if same else secrets.token_hex(8), base,
                        (api_key or "").strip() or None, tuple(models))
    _keep(vault, [server if other is same else other for other in kept]
          + ([] if same else [server]))
    return server


def set_models(vault: Vault, server_id: str, models: tuple[str, ...]) -> None:
    """What the server lists now (checked again)."""
    _keep(vault, [replace(server, models=tuple(models)) if server.id == server_id else server
                  for server in your_servers(vault)])


def remove_server(vault: Vault, server_id: str) -> None:
    _keep(vault, [server for server in your_servers(vault) if server.id != server_id])


def _keep(vault: Vault, servers: list[YourServer]) -> None:
    vault.settings.set(SETTING, [asdict(server) for server in servers])
