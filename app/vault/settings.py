"""Personal settings, as sealed rows. Named VaultSettings: `Settings` is already the hub's name
for what it needs of them."""

from __future__ import annotations

import hashlib
import hmac

from app.vault.rows import SealedRows


class VaultSettings:
    """`vault.settings`: a personal setting (a Hugging Face token, the last persona used ...),
    stored sealed under an id that does not reveal its name."""

    def __init__(self, sealed: SealedRows) -> None:
        self._sealed = sealed

    def get(self, name: str, default: object = None) -> object:
        row = self._sealed.row("settings", self.row_id(name))
        return default if row is None else self._sealed.open("settings", row)["value"]

    def set(self, name: str, value: object) -> None:
        with self._sealed.transaction():
            self._sealed.put("settings", self.row_id(name), None, {"name": name, "value": value})

    def delete(self, name: str) -> None:
        setting_id = self.row_id(name)
        with self._sealed.transaction():
            self._sealed.db.table("settings").delete_where("id = ?", [setting_id])

    def row_id(self, name: str) -> str:
        """The id a setting is stored under: keyed by the vault's data key, so that a restored
        setting takes the id of the vault it lands in."""
        key = self._sealed.require_key()
        return hmac.new(key, f"setting:{name}".encode(), hashlib.sha256).hexdigest()[:32]
