"""A model on your own server standing where the loaded model would: the chat's turns go to it one
at a time, and Stop from any thread closes the reply's stream, also one still connecting."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from app.engine.messages import ChatMessage, SamplingOptions
from app.errors import MiniGiantsError
from app.hub.hub_client import offline_by_environment
from app.remote.errors import RemoteOffline
from app.remote.your_servers import ServerModel, shown_model

if TYPE_CHECKING:  # the client brings `openai`, loaded with the first message to your server
    from app.remote.client import RemoteServer, RemoteStream


class NeedsLocalModel(MiniGiantsError):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} uses a model on this computer, and the chat now uses one on "
                         "your server.",
                         "Choose a model on this computer above the conversation to use it.")


class RemoteModel:
    def __init__(self, model: str, host: str, connect: Callable[[], RemoteServer]) -> None:
        self.model = model
        self.host = host
        self._connect = connect
        self._server: RemoteServer | None = None
        self._lock = threading.Lock()
        self._stream: RemoteStream | None = None
        self._stop_while_connecting = False

    @classmethod
    def of(cls, chosen: ServerModel, *, offline: bool = False) -> RemoteModel:
        """Nothing is asked of the network yet, not even the server's name: that comes with the
        first message. Offline mode refuses it at once."""
        if offline or offline_by_environment():
            raise RemoteOffline()
        server = chosen.server

        def connect() -> RemoteServer:
            from app.remote.client import RemoteServer

            return RemoteServer(server.address(), server.api_key, offline=offline)

        return cls(chosen.model, server.host, connect)

    @classmethod
    def on(cls, server: RemoteServer, model: str) -> RemoteModel:
        """A model on a server already connected to."""
        return cls(model, server.address.host, lambda: server)

    @property
    def name(self) -> str:
        """As conversations and replies record it: the model, and where it ran."""
        return f"{shown_model(self.model)} ({self.host})"

    def chat(self, messages: Sequence[ChatMessage], sampling: SamplingOptions) -> RemoteStream:
        """The reply's stream (errors before its first piece are raised here)."""
        with self._lock:
            self._stream = None
            self._stop_while_connecting = False
        if self._server is None:
            self._server = self._connect()
        stream = self._server.chat(self.model, messages, sampling)
        with self._lock:
            self._stream = stream
            stopped = self._stop_while_connecting
        if stopped:
            stream.close()
        return stream

    def cancel(self) -> None:
        """Any thread: the reply being made stops, with what came of it."""
        with self._lock:
            stream = self._stream
            self._stop_while_connecting = stream is None
        if stream is not None:
            stream.close()

    def close(self) -> None:
        self.cancel()
        if self._server is not None:
            self._server.close()
