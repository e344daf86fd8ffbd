"""The chat session's engine on the test's own thread: it answers its requests when asked to
(`run_pending`). With tests/inline_jobs.py, the session's logic runs with a real vault and a real
model, and no GUI."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from app.engine import ChatMessage, Engine, ModelFacts, SamplingOptions
from app.engine.engine import ChatStream
from app.errors import MiniGiantsError
from app.remote.client import RemoteStream
from app.remote.remote_model import RemoteModel

if TYPE_CHECKING:
    from app.chat.session import ChatSession


class InlineEngine:
    """A loaded engine whose requests wait until `run_pending()`: a request's id must be known
    before its first piece arrives, as it is when the engine runs on a thread of its own."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._session: ChatSession | None = None
        self._pending: deque[tuple[int, list[ChatMessage], SamplingOptions | None, str | None]] \
            = deque()
        self._last_request = 0

    @property
    def facts(self) -> ModelFacts | None:
        return self._engine.facts

    @property
    def n_ctx(self) -> int:
        return self._engine.n_ctx

    @property
    def is_loaded(self) -> bool:
        return True

    @property
    def model_name(self) -> str | None:
        return self._engine.facts.name

    def answer(self, session: ChatSession) -> None:
        """Where what comes of each request goes."""
        self._session = session

    def generate(self, messages: list[ChatMessage], sampling: SamplingOptions,
                 conversation: str | None = None) -> int:
        return self._queue(messages, sampling, conversation)

    def count(self, messages: list[ChatMessage]) -> int | None:
        return self._queue(messages, None, None)

    def forget(self, conversation: str | None = None) -> None:
        self._engine.states.forget(conversation)

    def cancel(self) -> None:
        self._engine.cancel()

    def run_pending(self) -> None:
        """Answer every request given so far, and those they lead to, in order."""
        session = self._session
        assert session is not None, "answer(session) first"
        while self._pending:
            request, messages, sampling, conversation = self._pending.popleft()
            if sampling is None:
                session.on_counted(request, self._engine.count_tokens(messages))
                continue
            try:
                stream = self._start(messages, sampling, conversation)
                for delta in stream:
                    session.turns.on_chunk(request, delta)
            except MiniGiantsError as error:
                session.turns.on_failed(request, error)
                continue
            assert stream.stats is not None
            session.turns.on_finished(request, stream.stats)

    def _start(self, messages: list[ChatMessage], sampling: SamplingOptions,
               conversation: str | None) -> ChatStream | RemoteStream:
        self._engine.switch_to(conversation)
        return self._engine.chat(messages, sampling)

    def _queue(self, messages: list[ChatMessage], sampling: SamplingOptions | None,
               conversation: str | None) -> int:
        self._last_request += 1
        self._pending.append((self._last_request, messages, sampling, conversation))
        return self._last_request


class InlineRemote(InlineEngine):
    """A model on your server in the engine's place, as the app's engine thread holds one."""

    def __init__(self, remote: RemoteModel) -> None:
        super().__init__(None)  # type: ignore[arg-type]
        self.remote = remote

    @property
    def facts(self) -> ModelFacts | None:
        return None

    @property
    def n_ctx(self) -> int:
        return 0

    @property
    def model_name(self) -> str | None:
        return self.remote.name

    def count(self, messages: list[ChatMessage]) -> int | None:
        return None

    def forget(self, conversation: str | None = None) -> None:
        pass

    def cancel(self) -> None:
        self.remote.cancel()

    def _start(self, messages: list[ChatMessage], sampling: SamplingOptions,
               conversation: str | None) -> ChatStream | RemoteStream:
        return self.remote.chat(messages, sampling)
