"""What programs send the API, read into the engine's values, or refused with the field named."""

from __future__ import annotations

import math

import pytest

from app.api.request_bodies import (
    InvalidRequest,
    chat_request,
    completion_request,
    read_json,
)
from app.engine import ChatMessage

N_CTX = 2048


def chat(**fields: object) -> dict[str, object]:
    return {"model": "m", "messages": [{"role": "user", "content": "Hi"}], **fields}


def refused(body: dict[str, object]) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as raised:
        chat_request(body, N_CTX)
    return raised.value


def test_a_chat_request_becomes_the_engines_messages_and_sampling() -> None:
    asked = chat_request({
        "model": "m", "stream": True, "stream_options": {"include_usage": True},
        "messages": [{"role": "developer", "content": "Be brief."},
                     {"role": "user", "content": [{"type": "text", "text": "One"},
                                                  {"type": "text", "text": "Two"}]}],
        "temperature": 0, "top_p": 0.5, "max_tokens": 32, "seed": 3, "stop": "END",
        "logit_bias": {"2": -100, "17": 5},
        "response_format": {"type": "json_schema", "json_schema": {
            "name": "x", "schema": {"type": "object"}}},
    }, N_CTX)
    assert asked.messages == (ChatMessage("system", "Be brief."), ChatMessage("user", "One\nTwo"))
    assert asked.stream and asked.include_usage
    sampling = asked.sampling
    assert (sampling.temperature, sampling.top_p, sampling.max_tokens, sampling.seed) == \
        (0.0, 0.5, 32, 3)
    assert sampling.stop == ("END",) and sampling.json_schema == {"type": "object"}
    assert math.isinf(sampling.logit_bias[2]) and sampling.logit_bias[17] == 5.0


def test_without_a_limit_a_reply_may_fill_the_context() -> None:
    assert chat_request(chat(), N_CTX).sampling.max_tokens == N_CTX
    assert chat_request(chat(max_completion_tokens=7), N_CTX).sampling.max_tokens == 7
    assert chat_request(chat(response_format={"type": "json_object"}), N_CTX
                        ).sampling.json_schema == {"type": "object"}


@pytest.mark.parametrize(("body", "param"), [
    ({"model": "m"}, "messages"),
    ({"model": "m", "messages": []}, "messages"),
    (chat(messages=[{"role": "tool", "content": "x"}]), "messages[0].role"),
    (chat(messages=[{"role": "user", "content": [{"type": "image_url"}]}]), "messages[0].content"),
    (chat(messages=[{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]),
     "messages"),
    ({"messages": [{"role": "user", "content": "x"}]}, "model"),
    (chat(temperature=3), "temperature"),
    (chat(top_p="high"), "top_p"),
    (chat(max_tokens=N_CTX + 1), "max_tokens"),
    (chat(max_tokens=0), "max_tokens"),
    (chat(stop=["a", "b", "c", "d", "e"]), "stop"),
    (chat(n=2), "n"),
    (chat(tools=[{"type": "function"}]), "tools"),
    (chat(stream="yes"), "stream"),
    (chat(logit_bias={"x": 1}), "logit_bias"),
    (chat(logit_bias={"5": -101}), "logit_bias"),
    (chat(response_format={"type": "xml"}), "response_format"),
    (chat(response_format={"type": "json_schema", "json_schema": {"name": "x"}}),
     "response_format"),
])
def test_a_bad_field_is_refused_and_named(body: dict[str, object], param: str) -> None:
    error = refused(body)
    assert error.param == param and error.message


def test_a_completion_takes_one_prompt() -> None:
    asked = completion_request({"model": "m", "prompt": ["Once"], "echo": True, "max_tokens": 4},
                               N_CTX)
    assert (asked.prompt, asked.echo, asked.sampling.max_tokens) == ("Once", True, 4)
    assert asked.sampling.json_schema is None
    for body, param in (({"model": "m", "prompt": ["a", "b"]}, "prompt"),
                        ({"model": "m", "prompt": "a", "suffix": "b"}, "suffix")):
        with pytest.raises(InvalidRequest) as raised:
            completion_request(body, N_CTX)
        assert raised.value.param == param


@pytest.mark.parametrize("body", [b"{", b"[1, 2]", b"\xff\xfe", b""])
def test_a_body_that_is_not_a_json_object_is_refused(body: bytes) -> None:
    with pytest.raises(InvalidRequest, match="JSON"):
        read_json(body)
