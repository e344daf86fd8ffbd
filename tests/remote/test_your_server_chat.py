"""A conversation on your own server, through the chat's own logic (app/chat/session.py) with a real
vault: llama-cpp-python's OpenAI-compatible server on loopback with the starter model, added as
"your server". The reply streams and is kept encrypted here; Stop, the server killed mid-reply
(what came is kept) and a wrong key end the turn cleanly."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.chat.session import ChatSession
from app.remote.remote_model import RemoteModel
from app.remote.your_servers import add_server, server_model, server_models
from app.vault.keys import KdfParams
from app.vault.store import Vault
from tests.chat.inline import InlineRemote
from tests.chat.screen_view import ScreenView
from tests.inline_jobs import InlineJobs
from tests.remote.llama_cpp_server import llama_cpp_server

KEY = "your-own-key"
QUESTION = "Tell me a long story about the lighthouse keeper Marguerite."


@pytest.fixture(scope="module")
def server(starter_path: Path) -> Iterator[str]:
    with llama_cpp_server(starter_path, KEY) as (base_url, _process):
        yield base_url


@dataclass
class Chat:
    session: ChatSession
    engine: InlineRemote
    view: ScreenView
    vault: Vault

    def send(self, text: str) -> None:
        self.session.turns.send(text)
        self.engine.run_pending()

    def stored(self) -> list:  # type: ignore[type-arg]
        assert self.session.conversation is not None
        return self.vault.conversations.messages(self.session.conversation.id)


@pytest.fixture
def vault(tmp_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    with Vault.create(tmp_path / "vault.db", "a long passphrase", kdf=kdf) as opened:
        yield opened


def chat_on(vault: Vault, base_url: str, key: str, sampling: dict[str, object]) -> Chat:
    """As the app does: the server kept in the vault with the models it listed, one chosen."""
    from app.remote.address import server_address
    from app.remote.client import RemoteServer

    with RemoteServer(server_address(base_url), KEY) as checking:
        listed = tuple(checking.models())
    kept = add_server(vault, base_url, key, listed)
    (chosen,) = server_models(vault)
    assert server_model(vault, chosen.choice) == chosen and chosen.server.id == kept.id
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


def test_a_reply_from_your_server_streams_and_is_kept_encrypted_here(
        vault: Vault, server: str, tmp_path: Path) -> None:
    chat = chat_on(vault, server, KEY, {"temperature": 0.0, "max_tokens": 24})
    pieces: list[str] = []
    chat.view.on_reply_text = pieces.append
    chat.send(QUESTION)
    question, reply = chat.stored()
    assert question.text == QUESTION and reply.text == chat.view.reply == "".join(pieces)
    assert len(pieces) > 3, "streamed piece by piece"
    host = server.split("//")[1].split("/")[0]
    assert reply.model.endswith(f"({host})"), "the reply says where it was computed"
    assert reply.stats["completion_tokens"] == 24 and reply.stats["stop_reason"] == "length"
    used = reply.stats["prompt_tokens"] + reply.stats["completion_tokens"]
    assert chat.view.context == (used, 0), "the context as your server counted it"
    assert not chat.view.notice and not chat.session.busy
    raw = (tmp_path / "vault.db").read_bytes()
    assert b"Marguerite" not in raw and reply.text[:12].encode() not in raw

    chat.session.new_conversation()
    chat.session.open_conversation(question.conversation_id)
    assert chat.view.context == (used, 0), "shown again from the stored reply, not asked"


def test_stop_closes_the_stream_and_keeps_what_came(vault: Vault, server: str) -> None:
    chat = chat_on(vault, server, KEY, {"temperature": 0.0, "max_tokens": 400})
    after_pieces(chat, 3, chat.session.turns.stop)
    chat.send(QUESTION)
    _question, reply = chat.stored()
    assert reply.stats["stop_reason"] == "cancelled" and reply.text == chat.view.reply
    assert 3 <= reply.stats["completion_tokens"] < 400 and not chat.session.busy


def test_a_server_killed_mid_reply_ends_the_turn_with_what_came(
        vault: Vault, starter_path: Path) -> None:
    with llama_cpp_server(starter_path, KEY) as (base_url, process):
        chat = chat_on(vault, base_url, KEY, {"temperature": 0.0, "max_tokens": 400})
        after_pieces(chat, 3, process.kill)
        chat.send(QUESTION)
    _question, reply = chat.stored()
    assert reply.stats["stop_reason"] == "error" and reply.text == chat.view.reply
    assert len(reply.text) > 0 and "middle of the reply" in chat.view.notice
    assert not chat.session.busy


def test_a_wrong_key_is_said_and_the_question_is_kept(vault: Vault, server: str) -> None:
    chat = chat_on(vault, server, "not-the-key", {"temperature": 0.0, "max_tokens": 24})
    chat.send(QUESTION)
    (question,) = chat.stored()
    assert question.text == QUESTION, "kept: nothing the person wrote is lost"
    assert "refused the API key" in chat.view.notice and not chat.session.busy
