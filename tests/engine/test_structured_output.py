"""Structured output: a reply held to a JSON schema parses as JSON of that shape, whatever the model
would rather say; cancelling, statistics and KV reuse still work; a schema llama.cpp cannot enforce is
a clear error before anything runs."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import llama_cpp
import pytest

from app.engine import (
    Engine,
    LoadOptions,
    ReplyFormatInvalid,
    SamplingOptions,
    StopReason,
)
from app.engine.native import Model
from app.errors import MiniGiantsError
from tests.engine.helpers import conversation, drain

TAGS = ["work", "family", "sleep", "health", "friends"]
CHECK_IN = {
    "type": "object",
    "properties": {
        "mood": {"enum": ["calm", "tense", "sad", "glad"]},
        "tags": {"type": "array", "items": {"enum": TAGS}, "minItems": 1, "maxItems": 3},
        "summary": {"type": "string", "maxLength": 80},
        "note": {"type": "string"},
    },
    "required": ["mood", "tags", "summary", "note"],
    "additionalProperties": False,
}
STORY = {"type": "object", "properties": {"story": {"type": "string"}}, "required": ["story"]}
DAY = "Summarise my day as JSON: long meeting at work, then dinner with my sister, slept badly."


def violations(value: object, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """The ways `value` breaks `schema`, for the keywords these tests use (no JSON-schema validator is
    installed, and one is not worth a dependency for this)."""
    if "enum" in schema:
        return [] if value in schema["enum"] else [f"{path}: {value!r} is not one of the enum"]
    kind = schema["type"]
    if kind == "string":
        if not isinstance(value, str):
            return [f"{path}: not a string"]
        too_long = len(value) > schema.get("maxLength", len(value))
        return [f"{path}: too long"] if too_long else []
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: not an array"]
        problems = [f"{path}: too few items"] if len(value) < schema.get("minItems", 0) else []
        if len(value) > schema.get("maxItems", len(value)):
            problems.append(f"{path}: too many items")
        for index, item in enumerate(value):
            problems += violations(item, schema["items"], f"{path}[{index}]")
        return problems
    if kind == "object":
        if not isinstance(value, dict):
            return [f"{path}: not an object"]
        properties = schema["properties"]
        problems = [f"{path}: {key} missing" for key in schema["required"] if key not in value]
        problems += [f"{path}: {key} not allowed" for key in value if key not in properties]
        for key, item in value.items():
            if key in properties:
                problems += violations(item, properties[key], f"{path}.{key}")
        return problems
    raise AssertionError(f"the test validator does not know {schema}")


def test_the_validator_catches_what_a_schema_forbids() -> None:
    valid = {"mood": "calm", "tags": ["work"], "summary": "ok", "note": ""}
    assert violations(valid, CHECK_IN) == []
    assert violations({"mood": "angry", "tags": [], "summary": 3, "extra": 1}, CHECK_IN) == [
        "$: note missing", "$: extra not allowed", "$.mood: 'angry' is not one of the enum",
        "$.tags: too few items", "$.summary: not a string",
    ]


@pytest.mark.parametrize(
    "temperature, seed", [(0.0, None), (0.7, 1), (0.7, 2), (1.2, 3)],
    ids=["greedy", "warm-1", "warm-2", "hot"],
)
def test_a_reply_parses_and_matches_the_schema(
    engine: Engine, temperature: float, seed: int | None
) -> None:
    sampling = SamplingOptions(
        temperature=temperature, seed=seed, max_tokens=400, json_schema=CHECK_IN
    )
    stream = engine.chat(conversation(DAY), sampling)
    reply = drain(stream)

    stats = stream.stats
    assert stats is not None
    assert stats.stop_reason is StopReason.EOS, reply  # the grammar was complete, then the turn ended
    assert violations(json.loads(reply), CHECK_IN) == []
    assert stats.completion_tokens > 5
    assert stats.decode_tokens_per_s is not None and stats.time_to_first_token_s is not None


def test_without_the_schema_the_same_request_is_not_this_json(engine: Engine) -> None:
    # The constraint is what makes the reply parse: the starter model does not write it unasked.
    sampling = SamplingOptions(temperature=0, max_tokens=120)
    reply = drain(engine.chat(conversation(DAY), sampling))
    try:
        parsed = json.loads(reply)
    except json.JSONDecodeError:
        return
    assert violations(parsed, CHECK_IN)


def test_constrained_turns_reuse_the_cache_and_repeat_exactly(engine: Engine) -> None:
    sampling = SamplingOptions(temperature=0, max_tokens=400, json_schema=CHECK_IN)
    first = engine.chat(conversation(DAY), sampling)
    reply = drain(first)
    again = engine.chat(conversation(DAY), sampling)
    assert drain(again) == reply
    assert again.stats is not None and again.stats.reused_tokens == again.stats.prompt_tokens - 2

    follow_up = engine.chat(conversation(DAY, "And tomorrow?", replies=(reply,)), sampling)
    assert violations(json.loads(drain(follow_up)), CHECK_IN) == []
    assert follow_up.stats is not None and follow_up.stats.reused_tokens > len(first.fit.tokens) // 2


def test_a_constrained_reply_stops_when_cancelled(engine: Engine) -> None:
    plain = SamplingOptions(temperature=0, max_tokens=32)
    reference = drain(engine.chat(conversation("Say hello."), plain))
    sampling = SamplingOptions(temperature=0, max_tokens=400, json_schema=STORY)
    stream = engine.chat(conversation("Write a long story about a dragon."), sampling)
    deltas = iter(stream)
    received = [next(deltas) for _ in range(5)]
    thread = threading.Thread(target=engine.cancel)
    thread.start()
    thread.join()
    after_cancel = list(deltas)

    assert stream.stats is not None and stream.stats.stop_reason is StopReason.CANCELLED
    assert len(after_cancel) <= 1
    assert stream.stats.completion_tokens <= len(received) + 1
    assert "".join(received).lstrip().startswith('{')
    # The engine is consistent afterwards, constrained or not.
    assert drain(engine.chat(conversation("Say hello."), plain)) == reference
    story = SamplingOptions(temperature=0, json_schema=STORY)
    finished = engine.chat(conversation("Say hello."), story)
    assert isinstance(json.loads(drain(finished))["story"], str)


@pytest.mark.parametrize(
    "schema, says",
    [
        ({"type": "colour"}, "Unrecognized schema"),  # the converter does not know it
        # The converter writes it; llama.cpp refuses to compile it.
        ({"type": "object", "properties": {"x": {"$ref": "#/properties/x"}}}, "left recursion"),
        ({"enum": []}, "no value can match"),
        ({"$ref": "https://example.com/schema.json"}, "not allowed"),  # and nothing is fetched
    ],
    ids=["unknown-type", "self-reference", "empty-enum", "remote-ref"],
)
def test_a_schema_that_cannot_be_enforced_is_a_clear_error_at_once(
    engine: Engine, schema: dict[str, object], says: str
) -> None:
    with pytest.raises(ReplyFormatInvalid) as raised:
        engine.chat(conversation("Hello"), SamplingOptions(json_schema=schema))
    error = raised.value
    assert isinstance(error, MiniGiantsError)
    assert says in error.message and error.message.startswith("The reply format")
    assert "Simplify the schema" in error.hint
    # Nothing was started: the engine answers the next request normally.
    assert drain(engine.chat(conversation("Say hello."), SamplingOptions(max_tokens=8)))


def tokens_where(path: Path, wanted: Callable[[bytes], bool]) -> list[int]:
    """The starter model's tokens whose bytes are `wanted`."""
    vocabulary = Model(path, LoadOptions(), vocab_only=True)
    try:
        count = llama_cpp.llama_vocab_n_tokens(vocabulary.vocab)
        return [token for token in range(count) if wanted(vocabulary.piece(token))]
    finally:
        vocabulary.close()


def test_a_string_never_holds_a_raw_control_character(engine: Engine, starter_path: Path) -> None:
    # JSON forbids a raw newline or tab inside a string (json.loads refuses it): push the model
    # hard towards them, and the grammar must still keep them out.
    controls = tokens_where(starter_path, lambda piece: any(byte < 0x20 for byte in piece))
    sampling = SamplingOptions(
        temperature=0.8, seed=5, max_tokens=200, json_schema=STORY,
        logit_bias={token: 8.0 for token in controls},
    )
    stream = engine.chat(conversation("Write a poem with many short lines."), sampling)
    reply = drain(stream)
    assert stream.stats is not None and stream.stats.stop_reason is StopReason.EOS
    assert isinstance(json.loads(reply)["story"], str)


def test_logit_bias_that_leaves_the_grammar_nothing_ends_the_turn_with_an_error(
    engine: Engine, starter_path: Path
) -> None:
    # Every JSON string starts with a token beginning with a quote: forbid all of them.
    quotes = tokens_where(starter_path, lambda piece: piece.startswith(b'"'))
    sampling = SamplingOptions(
        temperature=0, logit_bias={token: float("-inf") for token in quotes},
        json_schema={"enum": ["yes", "no"]},
    )
    stream = engine.chat(conversation("Yes or no?"), sampling)
    assert drain(stream) == ""
    assert stream.stats is not None and stream.stats.stop_reason is StopReason.ERROR
    assert stream.stats.error is not None and "logit_bias" in stream.stats.error
