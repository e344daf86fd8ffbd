"""The user's Hugging Face access token, kept sealed among the vault's personal settings (never in
a plain config file), for gated and private repositories. Takes anything shaped like the vault's
settings (`vault.settings`), so the hub does not depend on the vault."""

from __future__ import annotations

import re
from typing import Protocol

from app.hub.errors import HubError

SETTING = "huggingface_token"
# What huggingface.co issues: "hf_" and letters/digits (older ones had "api_"); no spaces.
_TOKEN = re.compile(r"(hf|api)_[A-Za-z0-9]{20,}")


class Settings(Protocol):
    def get(self, name: str, default: object = None) -> object: ...
    def set(self, name: str, value: object) -> None: ...
    def delete(self, name: str) -> None: ...


class NotAnAccessToken(HubError):
    def __init__(self) -> None:
        super().__init__(
            "That does not look like a Hugging Face access token.",
            "Tokens start with \"hf_\"; copy one from https://huggingface.co/settings/tokens "
            "(a read token is enough).")


def stored_token(settings: Settings) -> str | None:
    token = settings.get(SETTING)
    return token if isinstance(token, str) else None


def store_token(settings: Settings, token: str) -> str:
    """Keeps the token (surrounding spaces and newlines from a paste removed); refuses what
    cannot be one, so a mistyped token shows now, not as a refusal at the next download."""
    token = token.strip()
    if not _TOKEN.fullmatch(token):
        raise NotAnAccessToken()
    settings.set(SETTING, token)
    return token


def forget_token(settings: Settings) -> None:
    settings.delete(SETTING)


def masked(token: str) -> str:
    """Enough of the token to tell two apart, not enough to use it."""
    return f"{token[:3]}…{token[-4:]}"
