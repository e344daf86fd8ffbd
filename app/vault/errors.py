"""Vault errors: what went wrong with the vault, in words a person can act on."""

from __future__ import annotations

from app.errors import MiniGiantsError


class VaultError(MiniGiantsError):
    """Base class of every vault error."""


class WrongPassphrase(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "That passphrase does not unlock this vault.",
            "Check for typing mistakes and the keyboard layout, or use your recovery key.",
        )


class WrongRecoveryKey(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "That recovery key does not unlock this vault.",
            "Type the key exactly as it was shown (dashes and case do not matter).",
        )


class KeySettingsTampered(VaultError):
    """The stored key-derivation settings are weaker than Mini-Giants ever writes."""

    def __init__(self, detail: str) -> None:
        super().__init__(
            f"The vault's key settings were changed outside Mini-Giants ({detail}); "
            "it was not unlocked.",
            "Restore the vault from a backup; your passphrase was not tried on the weakened settings.",
        )


class RowTampered(VaultError):
    """A stored row failed authentication: changed on disk, or moved from another row."""

    def __init__(self, table: str, row_id: object) -> None:
        super().__init__(
            f"A stored {table} item (id {row_id}) is damaged or was changed outside Mini-Giants.",
            "The other items are unaffected; restore this one from a backup if you have one.",
        )
        self.table = table
        self.row_id = row_id
