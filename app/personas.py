"""The system-prompt presets shipped in resources/personas.toml."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from app.resource_files import RESOURCES, prompt

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

DEFAULT_PERSONA = "assistant"


@dataclass(frozen=True)
class Persona:
    id: str
    name: str
    prompt: str


def personas() -> list[Persona]:
    with open(RESOURCES / "personas.toml", "rb") as file:
        data = tomllib.load(file)
    return [Persona(p["id"], p["name"], prompt(p["prompt_file"]) if "prompt_file" in p
                    else " ".join(p["prompt"].split()))
            for p in data["persona"]]


def persona(persona_id: str) -> Persona:
    return next(p for p in personas() if p.id == persona_id)
