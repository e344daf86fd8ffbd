"""Your own server as the engine: llama-cpp-python's OpenAI-compatible server on loopback with the
starter model, reached through Mini-Giants' client and `minigiants chat --server`. A reply
streamed and kept encrypted, Stop, the server killed mid-reply (what came is kept), a wrong key,
nobody there, and offline mode."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.engine import ChatMessage, SamplingOptions, StopReason
from app.remote.address import server_address
from app.remote.client import RemoteServer, RemoteStream
from app.remote.errors import KeyRefused, RemoteOffline, ServerUnreachable
from tests.loopback import free_port
from tests.remote.llama_cpp_server import KEY, llama_cpp_server

QUESTION = [ChatMessage("user", "Tell me a story about a lighthouse.")]
ENDLESS = {0: float("-inf"), 1: float("-inf"), 2: float("-inf")}  # the starter's end tokens


def connect(url: str, key: str | None = KEY) -> RemoteServer:
    return RemoteServer(server_address(url), key)


def test_a_reply_streamed_from_your_server(your_server: str) -> None:
    with connect(your_server) as server:
        (model,) = server.models()
        stream = server.chat(model, QUESTION, SamplingOptions(temperature=0, max_tokens=16))
        deltas = list(stream)
    assert len(deltas) > 3 and "".join(deltas) == stream.text
    assert stream.stats is not None and stream.stats.stop_reason is StopReason.LENGTH
    assert stream.stats.completion_tokens == 16


def endless_reply(server: RemoteServer, after_three: Callable[[RemoteStream], None]
                  ) -> tuple[RemoteStream, list[str]]:
    """A reply that cannot end by itself; `after_three` is done once three pieces came."""
    stream = server.chat(server.models()[0], QUESTION,
                         SamplingOptions(max_tokens=1000, logit_bias=ENDLESS))
    kept: list[str] = []
    for delta in stream:
        kept.append(delta)
        if len(kept) == 3:
            after_three(stream)
    return stream, kept


def test_stop_closes_the_stream_and_keeps_what_came(your_server: str) -> None:
    with connect(your_server) as server:
        stream, kept = endless_reply(server, RemoteStream.close)
    assert stream.stats is not None and stream.stats.stop_reason is StopReason.CANCELLED
    assert stream.text == "".join(kept) and stream.stats.error is None


def test_a_server_that_dies_mid_reply_ends_it_with_what_came(starter_path: Path) -> None:
    with llama_cpp_server(starter_path, KEY) as (base_url, process), connect(base_url) as server:
        stream, kept = endless_reply(server, lambda _stream: process.kill())
    assert stream.stats is not None and stream.stats.stop_reason is StopReason.ERROR
    assert "middle of the reply" in (stream.stats.error or "")
    assert stream.text.startswith("".join(kept)) and kept


def test_a_wrong_key_nobody_there_and_offline_mode(your_server: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    with connect(your_server, key="not-the-key") as server, pytest.raises(KeyRefused):
        server.models()
    nobody = f"http://127.0.0.1:{free_port()}/v1"
    with connect(nobody) as server, pytest.raises(ServerUnreachable, match="cannot be reached"):
        server.models()
    with pytest.raises(RemoteOffline):
        RemoteServer(server_address(your_server), KEY, offline=True)
    monkeypatch.setenv("MINIGIANTS_OFFLINE", "1")
    with pytest.raises(RemoteOffline):
        connect(your_server)


def test_minigiants_chat_with_your_server_keeps_the_turn_encrypted(
        your_server: str, private_home: Path) -> None:
    env = {**os.environ, "MINIGIANTS_PASSPHRASE": "quiet harbor lantern violet",
           "MINIGIANTS_SERVER_KEY": KEY}

    def minigiants(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", *args], env=env,
                              capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=300)

    assert minigiants("vault", "init").returncode == 0
    chat = minigiants("chat", "--server", your_server, "--save", "--temperature", "0",
                      "--max-tokens", "12", "Describe the lighthouse keeper's secret.")
    assert chat.returncode == 0, chat.stderr
    assert "plain HTTP" in chat.stderr, "warned: the request crossed the network unencrypted"
    conversation = chat.stderr.split("Saved in conversation ")[1].split()[0]
    shown = minigiants("conversations", "show", conversation)
    assert chat.stdout.strip() and chat.stdout.strip() in shown.stdout
    assert b"lighthouse keeper" not in (private_home / "vault.db").read_bytes()
