"""What a program asks of the OpenAI-compatible API, read and checked: the JSON bodies of
/v1/chat/completions and /v1/completions become the engine's own values (ChatMessage,
SamplingOptions), or an InvalidRequest that says which field is wrong and why, as OpenAI does."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from app.engine.messages import ChatMessage, SamplingOptions

MAX_STOPS = 4  # as OpenAI allows
_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant"}


class InvalidRequest(Exception):
    """A 400 for the program that asked: `param` names the field, as OpenAI's errors do."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code


@dataclass(frozen=True)
class ChatRequest:
    model: str
    messages: tuple[ChatMessage, ...]
    sampling: SamplingOptions
    stream: bool
    include_usage: bool  # stream_options.include_usage: a last chunk with the token counts


@dataclass(frozen=True)
class CompletionRequest:
    model: str
    prompt: str
    sampling: SamplingOptions
    stream: bool
    include_usage: bool
    echo: bool


def read_json(body: bytes) -> Mapping[str, object]:
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidRequest(f"The body is not valid JSON: {error}.") from None
    if not isinstance(value, dict):
        raise InvalidRequest("The body must be a JSON object.")
    return value


def chat_request(body: Mapping[str, object], max_tokens: int) -> ChatRequest:
    """`max_tokens`: the most a reply may have (the context length), also the default."""
    raw = body.get("messages")
    if not isinstance(raw, list) or not raw:
        raise InvalidRequest("`messages` must be a non-empty list.", "messages")
    messages = tuple(_message(item, index) for index, item in enumerate(raw))
    if messages[-1].role == "assistant":
        raise InvalidRequest("The last message must not be the assistant's: there would be "
                             "nothing to answer.", "messages")
    stream, include_usage = _streaming(body)
    return ChatRequest(_model(body), messages, _sampling(body, max_tokens, chat=True), stream,
                       include_usage)


def completion_request(body: Mapping[str, object], max_tokens: int) -> CompletionRequest:
    prompt = body.get("prompt")
    if isinstance(prompt, list) and len(prompt) == 1 and isinstance(prompt[0], str):
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise InvalidRequest("`prompt` must be a string (one prompt per request).", "prompt")
    if body.get("suffix") is not None:
        raise InvalidRequest("`suffix` (filling in the middle) is not supported.", "suffix")
    stream, include_usage = _streaming(body)
    return CompletionRequest(_model(body), prompt, _sampling(body, max_tokens, chat=False),
                             stream, include_usage, _boolean(body, "echo"))


def _model(body: Mapping[str, object]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise InvalidRequest("`model` must name a model from /v1/models.", "model")
    return model


def _message(item: object, index: int) -> ChatMessage:
    where = f"messages[{index}]"
    if not isinstance(item, dict):
        raise InvalidRequest(f"`{where}` must be an object.", where)
    role = _ROLES.get(str(item.get("role")))
    if role is None:
        raise InvalidRequest(f"`{where}.role` must be system, developer, user or assistant "
                             "(tools are not supported).", f"{where}.role")
    return ChatMessage(role, _text(item.get("content"), f"{where}.content"))


def _text(content: object, where: str) -> str:
    """A message's text: a string, or a list of text parts (images and audio are refused)."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if isinstance(content, list):
        texts = []
        for part in content:
            if not isinstance(part, dict) or part.get("type") != "text" or \
                    not isinstance(part.get("text"), str):
                raise InvalidRequest(f"`{where}` may hold only text parts: this model reads text.",
                                     where)
            texts.append(part["text"])
        return "\n".join(texts)
    raise InvalidRequest(f"`{where}` must be a string or a list of text parts.", where)


def _streaming(body: Mapping[str, object]) -> tuple[bool, bool]:
    stream = _boolean(body, "stream")
    options = body.get("stream_options")
    if options is not None and not isinstance(options, dict):
        raise InvalidRequest("`stream_options` must be an object.", "stream_options")
    return stream, bool(options and options.get("include_usage") is True)


def _sampling(body: Mapping[str, object], max_tokens: int, *, chat: bool) -> SamplingOptions:
    if body.get("n") not in (None, 1):
        raise InvalidRequest("Only one choice per request (`n` = 1).", "n")
    if chat and body.get("tools"):
        raise InvalidRequest("Tools are not supported.", "tools")
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    reply_tokens = max_tokens if limit is None else _integer(limit, "max_tokens", 1, max_tokens)
    defaults = SamplingOptions()
    return SamplingOptions(
        temperature=_number(body, "temperature", 0.0, 2.0, defaults.temperature),
        top_p=_number(body, "top_p", 0.0, 1.0, defaults.top_p),
        max_tokens=reply_tokens,
        seed=None if body.get("seed") is None else _integer(body["seed"], "seed", -2**63, 2**64),
        stop=_stops(body.get("stop")),
        logit_bias=_logit_bias(body.get("logit_bias")),
        json_schema=_reply_schema(body.get("response_format")) if chat else None,
    )


def _stops(value: object) -> tuple[str, ...]:
    stops = [value] if isinstance(value, str) else value if value is not None else []
    if not isinstance(stops, list) or len(stops) > MAX_STOPS or \
            not all(isinstance(stop, str) and stop for stop in stops):
        raise InvalidRequest(f"`stop` must be a string or a list of up to {MAX_STOPS} non-empty "
                             "strings.", "stop")
    return tuple(stops)


def _logit_bias(value: object) -> dict[int, float]:
    """OpenAI's {"token id": bias from -100 to 100}; -100 bans the token, as OpenAI says."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidRequest("`logit_bias` must map token ids to numbers.", "logit_bias")
    biases: dict[int, float] = {}
    for token, bias in value.items():
        if not str(token).isdigit() or isinstance(bias, bool) or \
                not isinstance(bias, (int, float)) or not -100 <= bias <= 100:
            raise InvalidRequest("`logit_bias` must map token ids to numbers from -100 to 100.",
                                 "logit_bias")
        biases[int(token)] = float("-inf") if bias <= -100 else float(bias)
    return biases


def _reply_schema(value: object) -> Mapping[str, object] | None:
    if value is None:
        return None
    kind = value.get("type") if isinstance(value, dict) else None
    if kind == "text":
        return None
    if kind == "json_object":
        return {"type": "object"}
    if kind == "json_schema":
        described = value.get("json_schema") if isinstance(value, dict) else None
        schema = described.get("schema") if isinstance(described, dict) else None
        if isinstance(schema, dict):
            return schema
        raise InvalidRequest("`response_format.json_schema.schema` must be a JSON schema object.",
                             "response_format")
    raise InvalidRequest("`response_format.type` must be text, json_object or json_schema.",
                         "response_format")


def _boolean(body: Mapping[str, object], name: str) -> bool:
    value = body.get(name, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise InvalidRequest(f"`{name}` must be true or false.", name)
    return value


def _number(body: Mapping[str, object], name: str, low: float, high: float,
            default: float) -> float:
    value = body.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InvalidRequest(f"`{name}` must be a number from {low:g} to {high:g}.", name)
    return float(value)


def _integer(value: object, name: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidRequest(f"`{name}` must be a whole number from {low} to {high}.", name)
    return value
