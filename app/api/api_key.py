"""The API's key: made the first time it is needed, kept sealed in the vault, shown in Settings
and renewable there (a program that had the old one is then refused)."""

from __future__ import annotations

import secrets

from app.vault.store import Vault

SETTING = "api_key"
PREFIX = "mg-"


def api_key(vault: Vault) -> str:
    stored = vault.settings.get(SETTING)
    return stored if isinstance(stored, str) and stored.startswith(PREFIX) else renew_api_key(vault)


def renew_api_key(vault: Vault) -> str:
    key = PREFIX + secrets.token_urlsafe(32)
    vault.settings.set(SETTING, key)
    return key
