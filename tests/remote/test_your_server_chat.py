"""A conversation on your own server, through the chat's own logic (app/chat/session.py) with a real
vault: llama-cpp-python's OpenAI-compatible server on loopback with the starter model, added as
"your server". The reply streams and is kept encrypted here; Stop, the server killed mid-reply
(what came is kept), a wrong key and nobody there end the turn cleanly."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.remote.your_servers import ServerModel, add_server
from app.vault.keys import KdfParams
from app.vault.store import Vault
from tests.loopback import free_port
from tests.remote.llama_cpp_server import KEY, llama_cpp_server
from tests.remote.server_chat import after_pieces, chat_on, chat_with

QUESTION = "Tell me a long story about the lighthouse keeper Marguerite."


@pytest.fixture
def vault(tmp_path: Path, kdf: KdfParams) -> Iterator[Vault]:
    with Vault.create(tmp_path / "vault.db", "a long passphrase", kdf=kdf) as opened:
        yield opened


def test_a_reply_from_your_server_streams_and_is_kept_encrypted_here(
        vault: Vault, your_server: str, tmp_path: Path) -> None:
    chat = chat_on(vault, your_server, KEY, {"temperature": 0.0, "max_tokens": 24})
    pieces: list[str] = []
    chat.view.on_reply_text = pieces.append
    chat.send(QUESTION)
    question, reply = chat.stored()
    assert question.text == QUESTION and reply.text == chat.view.reply == "".join(pieces)
    assert len(pieces) > 3, "streamed piece by piece"
    host = your_server.split("//")[1].split("/")[0]
    assert reply.model.endswith(f"({host})"), "the reply says where it was computed"
    assert reply.stats["completion_tokens"] == 24 and reply.stats["stop_reason"] == "length"
    # llama_cpp.server reports no usage while streaming: the context is not known, rather than
    # understated as the reply alone (tests/api/test_serve.py: one that reports it).
    assert reply.stats["prompt_tokens"] == 0 and chat.view.context == (0, 0)
    assert not chat.view.notice and not chat.session.busy
    raw = (tmp_path / "vault.db").read_bytes()
    assert b"Marguerite" not in raw and reply.text[:12].encode() not in raw

    chat.session.new_conversation()
    chat.session.open_conversation(question.conversation_id)
    assert chat.view.context == (0, 0), "from the stored reply: nothing is asked of the server"


def test_stop_closes_the_stream_and_keeps_what_came(vault: Vault, your_server: str) -> None:
    chat = chat_on(vault, your_server, KEY, {"temperature": 0.0, "max_tokens": 400})
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


def test_a_wrong_key_is_said_and_the_question_is_kept(vault: Vault, your_server: str) -> None:
    chat = chat_on(vault, your_server, KEY, {"temperature": 0.0, "max_tokens": 24},
                   kept_key="not-the-key")
    chat.send(QUESTION)
    (question,) = chat.stored()
    assert question.text == QUESTION, "kept: nothing the person wrote is lost"
    assert "refused the API key" in chat.view.notice and not chat.session.busy


def test_nobody_there_is_said_and_the_question_is_kept(vault: Vault) -> None:
    nobody = add_server(vault, f"http://127.0.0.1:{free_port()}/v1", None, ("gone-model",))
    chat = chat_with(vault, ServerModel(nobody, "gone-model"), {"max_tokens": 8})
    chat.send(QUESTION)
    (question,) = chat.stored()
    assert question.text == QUESTION and "cannot be reached" in chat.view.notice
    assert not chat.session.busy
