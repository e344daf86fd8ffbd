"""Talking to your own OpenAI-compatible server (llama-server, llama_cpp.server, vLLM, Ollama,
LM Studio, or another Mini-Giants) through the official `openai` client: the models it lists, and
a reply streamed as the engine's is, with Stop (closing the stream) and the token counts the
server reports. The conversation stays in the vault here; only the request goes there.

Its failures become errors a person can act on: unreachable, key refused, model gone, a server
error; a server that stops mid-reply ends the reply with what came, which is kept."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence

import httpx2
import openai

from app.engine.messages import (
    ChatMessage,
    GenerationStats,
    SamplingOptions,
    StopReason,
)
from app.hub.hub_client import offline_by_environment
from app.remote.address import ServerAddress
from app.remote.errors import (
    KeyRefused,
    ModelGone,
    RemoteOffline,
    ServerFailed,
    ServerUnreachable,
)

TIMEOUT_S = 600.0  # a big model's first token may take minutes; connecting does not
CONNECT_TIMEOUT_S = 10.0
_STOPS = {"stop": StopReason.EOS, "length": StopReason.LENGTH}


class RemoteServer:
    def __init__(self, address: ServerAddress, api_key: str | None, *,
                 offline: bool = False) -> None:
        if offline or offline_by_environment():
            raise RemoteOffline()
        self.address = address
        self._client = openai.OpenAI(
            base_url=address.base_url, api_key=api_key or "none", max_retries=0,
            timeout=httpx2.Timeout(TIMEOUT_S, connect=CONNECT_TIMEOUT_S))

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> RemoteServer:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def models(self) -> list[str]:
        with self._errors(None):
            return [model.id for model in self._client.models.list().data]

    def chat(self, model: str, messages: Sequence[ChatMessage],
             sampling: SamplingOptions = SamplingOptions()) -> RemoteStream:
        """Start a reply; an error the server gives before any text is raised here."""
        asked: dict[str, object] = {
            "model": model, "stream": True, "stream_options": {"include_usage": True},
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": sampling.temperature, "top_p": sampling.top_p,
            "max_tokens": sampling.max_tokens}
        if sampling.seed is not None:
            asked["seed"] = sampling.seed
        if sampling.stop:
            asked["stop"] = list(sampling.stop)
        if sampling.logit_bias:  # OpenAI's range: -100 bans a token
            asked["logit_bias"] = {str(token): max(-100.0, min(100.0, bias))
                                   for token, bias in sampling.logit_bias.items()}
        if sampling.json_schema is not None:
            asked["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "reply", "schema": dict(sampling.json_schema)}}
        started = time.perf_counter()
        with self._errors(model):
            stream = self._client.chat.completions.create(**asked)  # type: ignore[call-overload]
        return RemoteStream(stream, started)

    @contextlib.contextmanager
    def _errors(self, model: str | None) -> Iterator[None]:
        """openai's exceptions as the errors above."""
        try:
            yield
        except openai.APIConnectionError:
            raise ServerUnreachable(self.address.base_url) from None
        except (openai.AuthenticationError, openai.PermissionDeniedError):
            raise KeyRefused(self.address.base_url) from None
        except openai.APIStatusError as error:
            if isinstance(error, openai.NotFoundError) and model is not None:
                raise ModelGone(model) from None
            raise ServerFailed(error.status_code, str(error.message)) from None


class RemoteStream:
    """The reply's text deltas, as the engine's ChatStream; then `stats`. `close()` from any
    thread stops it (Stop)."""

    def __init__(self, stream: openai.Stream, started: float) -> None:  # type: ignore[type-arg]
        self._stream = stream
        self._started = started
        self._parts: list[str] = []
        self._cancelled = threading.Event()
        self.stats: GenerationStats | None = None

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def close(self) -> None:
        self._cancelled.set()
        self._stream.close()

    def __iter__(self) -> Iterator[str]:
        first_at = last_at = None
        finish: str | None = None
        usage = None
        error: str | None = None
        try:
            for chunk in self._stream:
                if self._cancelled.is_set():
                    break
                usage = chunk.usage or usage
                for choice in chunk.choices[:1]:
                    finish = choice.finish_reason or finish
                    text = choice.delta.content if choice.delta else None
                    if text:
                        last_at = time.perf_counter()
                        first_at = first_at or last_at
                        self._parts.append(text)
                        yield text
        except Exception as failure:
            # Closed by Stop from another thread, the read may fail any way the socket can.
            if not self._cancelled.is_set():
                if not isinstance(failure, (openai.APIError, httpx2.HTTPError)):
                    raise
                error = ("The server stopped in the middle of the reply "
                         f"({type(failure).__name__}); what came is kept.")
        finally:
            self._stream.close()
        self.stats = self._stats(finish, usage, error, first_at, last_at)

    def _stats(self, finish: str | None, usage: object, error: str | None,
               first_at: float | None, last_at: float | None) -> GenerationStats:
        prompt = getattr(usage, "prompt_tokens", None) or 0
        completion = getattr(usage, "completion_tokens", None) or len(self._parts)
        if error:
            reason = StopReason.ERROR
        elif self._cancelled.is_set():
            reason = StopReason.CANCELLED
        else:
            reason = _STOPS.get(finish or "", StopReason.EOS)
        decode = (completion - 1) / (last_at - first_at) \
            if first_at and last_at and last_at > first_at and completion > 1 else None
        return GenerationStats(
            prompt_tokens=prompt, evaluated_tokens=prompt, completion_tokens=completion,
            time_to_first_token_s=None if first_at is None else first_at - self._started,
            prompt_tokens_per_s=None, decode_tokens_per_s=decode, stop_reason=reason,
            error=error)
