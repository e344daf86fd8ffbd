"""Structured output: a JSON schema for the reply, turned into the GBNF grammar that llama.cpp's
grammar sampler enforces token by token (see native.Grammar), so the reply parses as that JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping

from llama_cpp.llama_grammar import PRIMITIVE_RULES, json_schema_to_gbnf

from app.engine.errors import ReplyFormatInvalid

# llama-cpp-python's converter lets a JSON string hold raw control characters (a newline, a tab),
# which JSON forbids: json.loads refuses such a reply. llama.cpp's own converter excludes them.
_LAX_CHAR = f"char ::= {PRIMITIVE_RULES['char'].content}"
_STRICT_CHAR = _LAX_CHAR.replace(r'[^"\\]', r'[^"\\\x7F\x00-\x1F]', 1)


def schema_grammar(schema: Mapping[str, object]) -> str:
    """The GBNF grammar of `schema`; ReplyFormatInvalid when the converter cannot express it."""
    try:
        # Remote $refs are refused by the converter (it is told not to fetch): nothing goes online.
        grammar = json_schema_to_gbnf(json.dumps(schema))
    except Exception as problem:
        # The converter reports an unsupported schema with asserts, KeyErrors and whatever else its
        # code trips over: each means "this schema cannot be used".
        raise ReplyFormatInvalid(_describe(problem)) from problem
    if any(not rule.partition("::=")[2].strip() for rule in grammar.splitlines()):
        # An empty enum or anyOf becomes an empty rule. llama.cpp would refuse it too, but prints
        # that parse error on stderr rather than through its log.
        raise ReplyFormatInvalid("no value can match it (an empty enum, anyOf or oneOf)")
    return grammar.replace(_LAX_CHAR, _STRICT_CHAR)


def _describe(problem: Exception) -> str:
    detail = str(problem).strip() or type(problem).__name__
    if isinstance(problem, KeyError):
        detail = f"the reference {detail} cannot be resolved"
    return detail[:200]
