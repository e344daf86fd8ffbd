"""What the API answers, in OpenAI's shapes: a chat completion or a text completion, whole or as
server-sent chunks, the token usage, and errors as {"error": {...}} with OpenAI's types and codes
so that its clients raise the right exception."""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass

from app.engine.messages import GenerationStats, StopReason

_FINISH = {StopReason.EOS: "stop", StopReason.LENGTH: "length", StopReason.CANCELLED: "stop"}


@dataclass(frozen=True)
class ApiError:
    status: int
    message: str
    kind: str = "invalid_request_error"  # OpenAI's error "type"
    param: str | None = None
    code: str | None = None
    retry_after_s: int | None = None

    def body(self) -> dict[str, object]:
        return {"error": {"message": self.message, "type": self.kind, "param": self.param,
                          "code": self.code}}


@dataclass(frozen=True)
class ReplyShape:
    """One reply's frame: chat or text completion, its id, time and model."""

    chat: bool
    model: str
    id: str
    created: int

    @classmethod
    def new(cls, chat: bool, model: str) -> ReplyShape:
        prefix = "chatcmpl-" if chat else "cmpl-"
        return cls(chat, model, prefix + secrets.token_hex(12), int(time.time()))

    def whole(self, text: str, stats: GenerationStats) -> dict[str, object]:
        choice: dict[str, object] = {"index": 0, "finish_reason": finish_reason(stats),
                                     "logprobs": None}
        if self.chat:
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["text"] = text
        return {**self._frame(whole=True), "choices": [choice], "usage": usage(stats)}

    def chunk(self, text: str | None, finish: str | None = None, *, first: bool = False
              ) -> str:
        """A server-sent event with a piece of the reply (`first`: the chat's opening with its
        role), or its end (`finish`)."""
        choice: dict[str, object] = {"index": 0, "finish_reason": finish, "logprobs": None}
        if self.chat:
            delta: dict[str, object] = {"role": "assistant"} if first else {}
            if text is not None:
                delta["content"] = text
            choice["delta"] = delta
        else:
            choice["text"] = text or ""
        return sse_event({**self._frame(whole=False), "choices": [choice]})

    def usage_chunk(self, stats: GenerationStats) -> str:
        """The last chunk when stream_options.include_usage asked for it: no choices, the usage."""
        return sse_event({**self._frame(whole=False), "choices": [], "usage": usage(stats)})

    def _frame(self, *, whole: bool) -> dict[str, object]:
        kind = ("chat.completion" if whole else "chat.completion.chunk") if self.chat \
            else "text_completion"
        return {"id": self.id, "object": kind, "created": self.created, "model": self.model}


def sse_event(value: dict[str, object]) -> str:
    return f"data: {json.dumps(value, ensure_ascii=False)}\n\n"


DONE = "data: [DONE]\n\n"


def finish_reason(stats: GenerationStats) -> str:
    return _FINISH.get(stats.stop_reason, "stop")


def usage(stats: GenerationStats) -> dict[str, int]:
    return {"prompt_tokens": stats.prompt_tokens, "completion_tokens": stats.completion_tokens,
            "total_tokens": stats.prompt_tokens + stats.completion_tokens}
