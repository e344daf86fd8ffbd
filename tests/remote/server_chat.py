"""The chat's own logic (app/chat/session.py) with a real vault, on a model on your server, as the
app's Models page adds it and its engine thread holds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.chat.session import ChatSession
from app.remote.address import server_address
from app.remote.client import RemoteServer
from app.remote.remote_model import RemoteModel
from app.remote.your_servers import ServerModel, add_server, server_model, server_models
from app.vault.records import Message
from app.vault.store import Vault
from tests.chat.inline import InlineRemote
from tests.chat.screen_view import ScreenView
from tests.inline_jobs import InlineJobs


@dataclass
class Chat:
    session: ChatSession
    engine: InlineRemote
    view: ScreenView
    vault: Vault

    def send(self, text: str) -> None:
        self.session.turns.send(text)
        self.engine.run_pending()

    def stored(self) -> list[Message]:
        assert self.session.conversation is not None
        return self.vault.conversations.messages(self.session.conversation.id)


def chat_on(vault: Vault, base_url: str, key: str, sampling: dict[str, object], *,
            kept_key: str | None = None) -> Chat:
    """As the app does: the server kept in the vault (with `kept_key`, if another) with the
    models it listed, one of them chosen."""
    with RemoteServer(server_address(base_url), key) as checking:
        listed = tuple(checking.models())
    kept = add_server(vault, base_url, kept_key or key, listed)
    (chosen,) = server_models(vault)
    assert server_model(vault, chosen.choice) == chosen and chosen.server.id == kept.id
    return chat_with(vault, chosen, sampling)


def chat_with(vault: Vault, chosen: ServerModel, sampling: dict[str, object]) -> Chat:
    view = ScreenView()
    engine = InlineRemote(RemoteModel.of(chosen))
    session = ChatSession(InlineJobs(), engine, view)
    engine.answer(session)
    session.open_vault(vault)
    session.save_settings("You are a storyteller.", sampling)
    return Chat(session, engine, view, vault)


def after_pieces(chat: Chat, count: int, then: Callable[[], None]) -> None:
    pieces: list[str] = []

    def seen(text: str) -> None:
        pieces.append(text)
        if len(pieces) == count:
            then()

    chat.view.on_reply_text = seen
