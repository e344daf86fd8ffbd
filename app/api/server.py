"""The OpenAI-compatible API as an ASGI app (Starlette): GET /v1/models, POST /v1/chat/completions
and POST /v1/completions, whole or streamed as server-sent events.

Every request needs the API key as a bearer token. Replies are made by the same engine as the
app's, one at a time: a request waits its turn, and when too many wait the answer is a 503 with
Retry-After. A program that closes its connection stops its reply's generation, also while the
prompt is being read. Nothing a program sends or receives is stored or logged."""

from __future__ import annotations

import asyncio
import hmac
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from app.api.replies import DONE, ApiError, ReplyShape, finish_reason, sse_event
from app.api.request_bodies import (
    InvalidRequest,
    chat_request,
    completion_request,
    read_json,
)
from app.api.turn import EngineRunner, Event, Failed, Turn
from app.engine.engine import ChatStream, Engine
from app.engine.errors import MessageTooLong, ReplyFormatInvalid
from app.engine.gguf_file import ModelFacts
from app.engine.messages import GenerationStats, StopReason
from app.errors import MiniGiantsError

MAX_BODY = 4 * 1024 * 1024  # bytes: far more than any context holds as text
MAX_UNFINISHED = 4  # the reply being made and three waiting; more get a 503
RETRY_AFTER_S = 5


@dataclass(frozen=True)
class ServedModel:
    id: str  # what programs name in "model": the file's name without .gguf
    n_ctx: int  # the most tokens a reply may ask for
    created: int  # the model file's time, as OpenAI's "created"

    @classmethod
    def of(cls, facts: ModelFacts, n_ctx: int) -> ServedModel:
        return cls(facts.path.stem, n_ctx, int(facts.path.stat().st_mtime))


class _Refused(Exception):
    """Answer with `error` instead (raised anywhere in a request's handling)."""

    def __init__(self, error: ApiError) -> None:
        super().__init__(error.message)
        self.error = error


def api_app(runner: EngineRunner, model: Callable[[], ServedModel | None], key: str) -> Starlette:
    """`model`: the model loaded now (None: none is, so replies wait for one in vain: 503)."""
    api = _Api(runner, model, key)
    return Starlette(
        routes=[
            Route("/v1/models", api.models, methods=["GET"]),
            Route("/v1/chat/completions", api.chat, methods=["POST"]),
            Route("/v1/completions", api.complete, methods=["POST"]),
        ],
        exception_handlers={HTTPException: _http_error, _Refused: _refused,
                            InvalidRequest: _invalid},
    )


class _Api:
    def __init__(self, runner: EngineRunner, model: Callable[[], ServedModel | None],
                 key: str) -> None:
        self._runner = runner
        self._model = model
        self._key = key.encode("utf-8")

    async def models(self, request: Request) -> Response:
        self._authorize(request)
        model = self._model()
        listed = [] if model is None else [
            {"id": model.id, "object": "model", "created": model.created,
             "owned_by": "mini-giants"}]
        return JSONResponse({"object": "list", "data": listed})

    async def chat(self, request: Request) -> Response:
        self._authorize(request)
        model = self._served()
        asked = chat_request(read_json(await _body(request)), model.n_ctx)
        self._check_model(asked.model, model)
        messages, sampling = list(asked.messages), asked.sampling
        return await self._reply(request, lambda engine: engine.chat(messages, sampling),
                                 ReplyShape.new(True, model.id), asked.stream,
                                 asked.include_usage)

    async def complete(self, request: Request) -> Response:
        self._authorize(request)
        model = self._served()
        asked = completion_request(read_json(await _body(request)), model.n_ctx)
        self._check_model(asked.model, model)
        prompt, sampling = asked.prompt, asked.sampling
        return await self._reply(request, lambda engine: engine.complete(prompt, sampling),
                                 ReplyShape.new(False, model.id), asked.stream,
                                 asked.include_usage, echo=prompt if asked.echo else "")

    # -- the reply -------------------------------------------------------------------------

    async def _reply(self, request: Request, start: Callable[[Engine], ChatStream],
                     shape: ReplyShape, stream: bool, include_usage: bool, echo: str = ""
                     ) -> Response:
        if self._runner.unfinished() >= MAX_UNFINISHED:
            raise _Refused(ApiError(503, "Mini-Giants is busy with other replies; try again in a "
                                    "few seconds.", "server_error", code="busy",
                                    retry_after_s=RETRY_AFTER_S))
        turn = Turn(start)
        self._runner.submit(turn)
        gone = asyncio.ensure_future(_disconnected(request))
        try:
            first = await _next_or_gone(turn, gone)  # headers wait for it: an error has a status
            if first is None:
                return Response(status_code=499)  # nobody is there to read it
            if isinstance(first, Failed):
                raise _Refused(_engine_error(first.error))
            if stream:
                return StreamingResponse(
                    self._events(turn, shape, first, echo, include_usage),
                    media_type="text/event-stream", headers={"Cache-Control": "no-store"})
            return await self._whole(turn, shape, first, echo, gone)
        finally:
            gone.cancel()

    async def _whole(self, turn: Turn, shape: ReplyShape, first: Event, echo: str,
                     gone: asyncio.Future[None]) -> Response:
        parts = [echo]
        event: Event | None = first
        while isinstance(event, str):
            parts.append(event)
            event = await _next_or_gone(turn, gone)
        if event is None:
            return Response(status_code=499)
        if isinstance(event, Failed):
            raise _Refused(_engine_error(event.error))
        if event.stats.stop_reason is StopReason.ERROR:
            raise _Refused(_broke_off(event.stats))
        return JSONResponse(shape.whole("".join(parts), event.stats))

    async def _events(self, turn: Turn, shape: ReplyShape, first: Event, echo: str,
                      include_usage: bool) -> AsyncIterator[str]:
        """The reply as server-sent events. Starlette cancels this when the connection closes;
        the turn is then dropped, which stops its generation."""
        try:
            if shape.chat:
                yield shape.chunk("", first=True)
            if echo:
                yield shape.chunk(echo)
            event = first
            while isinstance(event, str):
                yield shape.chunk(event)
                event = await turn.next_event()
            if isinstance(event, Failed):
                yield sse_event(_engine_error(event.error).body())
                return
            if event.stats.stop_reason is StopReason.ERROR:
                yield sse_event(_broke_off(event.stats).body())
                return
            yield shape.chunk(None, finish_reason(event.stats))
            if include_usage:
                yield shape.usage_chunk(event.stats)
            yield DONE
        finally:
            turn.drop()

    # -- checks ----------------------------------------------------------------------------

    def _authorize(self, request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"),
                                                                  self._key):
            raise _Refused(ApiError(401, "A valid API key is needed: send it as a bearer token. "
                                    "Mini-Giants shows it in Settings.", code="invalid_api_key"))

    def _served(self) -> ServedModel:
        model = self._model()
        if model is None:
            raise _Refused(ApiError(503, "No model is loaded in Mini-Giants.", "server_error",
                                    code="no_model", retry_after_s=RETRY_AFTER_S))
        return model

    @staticmethod
    def _check_model(asked: str, served: ServedModel) -> None:
        if asked != served.id:
            raise _Refused(ApiError(404, f"The model `{asked}` does not exist here; Mini-Giants "
                                    f"serves `{served.id}` (see /v1/models).", param="model",
                                    code="model_not_found"))


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise _too_large()
    body = bytearray()
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_BODY:
            raise _too_large()
    return bytes(body)


def _too_large() -> _Refused:
    return _Refused(ApiError(413, f"The request is larger than {MAX_BODY // 1024**2} MiB."))


async def _disconnected(request: Request) -> None:
    """Returns when the program closes its connection (the body has been read by then)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


async def _next_or_gone(turn: Turn, gone: asyncio.Future[None]) -> Event | None:
    """The turn's next event, or None (and the turn dropped) when the program went away first."""
    getting = asyncio.ensure_future(turn.next_event())
    done, _ = await asyncio.wait({getting, gone}, return_when=asyncio.FIRST_COMPLETED)
    if getting in done:
        return getting.result()
    getting.cancel()
    turn.drop()
    return None


def _engine_error(error: MiniGiantsError) -> ApiError:
    if isinstance(error, MessageTooLong):
        return ApiError(400, error.message, param="messages", code="context_length_exceeded")
    if isinstance(error, ReplyFormatInvalid):
        return ApiError(400, error.message, param="response_format")
    return ApiError(500, error.message, "server_error")


def _broke_off(stats: GenerationStats) -> ApiError:
    """llama.cpp could not go on with a reply it had started."""
    return ApiError(500, stats.error or "The reply failed.", "server_error")


async def _refused(_request: Request, raised: Exception) -> Response:
    assert isinstance(raised, _Refused)
    error = raised.error
    headers = {"Retry-After": str(error.retry_after_s)} if error.retry_after_s else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def _invalid(_request: Request, raised: Exception) -> Response:
    assert isinstance(raised, InvalidRequest)
    error = ApiError(400, raised.message, param=raised.param, code=raised.code)
    return JSONResponse(error.body(), status_code=400)


async def _http_error(_request: Request, raised: Exception) -> Response:
    """Starlette's own refusals (no such path, wrong method) in OpenAI's shape."""
    status = raised.status_code if isinstance(raised, HTTPException) else 500
    message = {404: "There is no such endpoint; Mini-Giants serves /v1/models, "
                    "/v1/chat/completions and /v1/completions.",
               405: "This endpoint does not take that method."}.get(status, "Refused.")
    return JSONResponse(ApiError(status, message).body(), status_code=status)
