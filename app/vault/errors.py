"""Vault errors: what went wrong with the vault, in words a person can act on."""

from __future__ import annotations

from pathlib import Path

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


class VaultLocked(VaultError):
    def __init__(self) -> None:
        super().__init__("The vault is locked.", "Unlock it with your passphrase first.")


class VaultNotFound(VaultError):
    def __init__(self, path: Path) -> None:
        super().__init__(f"No vault was found at {path}.", "Create one, or choose the right folder.")
        self.path = path


class VaultExists(VaultError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"There is already a vault at {path}; it was left as it is.",
            "Open it with its passphrase, or move it away first to start a new one.",
        )
        self.path = path


class VaultAlreadyOpen(VaultError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The vault {path.name} is already open in another Mini-Giants window or process.",
            "Close the other one, then try again.",
        )
        self.path = path


class VaultMissing(VaultError):
    """A key the vault should hold is not there (for example no recovery key was ever made)."""

    def __init__(self, purpose: str) -> None:
        super().__init__(
            f"This vault has no {purpose} key.",
            "Unlock it with your passphrase instead." if purpose != "passphrase"
            else "The vault file is incomplete; restore it from a backup.",
        )
        self.purpose = purpose


class VaultUnreadable(VaultError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path.name} is not a Mini-Giants vault, or it is damaged beyond opening.",
            "Choose the right file, or restore the vault from a backup.",
        )
        self.path = path


class ConversationNotFound(VaultError):
    def __init__(self, conversation_id: str) -> None:
        super().__init__(
            f"There is no conversation with the id {conversation_id}.",
            "List them with `minigiants conversations list`.",
        )


class MessageNotFound(VaultError):
    def __init__(self, message_id: str) -> None:
        super().__init__(
            f"There is no message with the id {message_id}.",
            "Its conversation may have been deleted meanwhile.",
        )


class JournalEntryNotFound(VaultError):
    def __init__(self, entry_id: str) -> None:
        super().__init__(
            f"There is no journal entry with the id {entry_id}.",
            "It may have been deleted already.",
        )


class MoodCheckinNotFound(VaultError):
    def __init__(self, checkin_id: str) -> None:
        super().__init__(
            f"There is no mood check-in with the id {checkin_id}.",
            "It may have been deleted already.",
        )


class ThoughtRecordNotFound(VaultError):
    def __init__(self, record_id: str) -> None:
        super().__init__(
            f"There is no thought record with the id {record_id}.",
            "It may have been deleted already.",
        )


class JournalValueInvalid(VaultError):
    """A journal value out of its range (a mood of 11, a belief of 120, a day that is no date).
    The message names the field and the range, never the person's text."""

    def __init__(self, what: str, allowed: str) -> None:
        super().__init__(f"{what} must be {allowed}.",
                         "Correct it and save again; nothing was saved.")
        self.what = what


class VaultDiskFull(VaultError):
    """SQLite could not write: nothing of the failed change was stored, everything before it was."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"The disk that holds {path.name} is full; the last change was not saved.",
            "Free some space (models are the largest files), then try again. "
            "Everything saved before is intact.",
        )
        self.path = path


class TargetExists(VaultError):
    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} already exists; it was left as it is.",
            "Choose a new file name, or move the old file away first.",
        )
        self.path = path


class VaultFromNewerVersion(VaultError):
    def __init__(self, path: Path, unknown: list[str]) -> None:
        super().__init__(
            f"{path.name} was last used by a newer Mini-Giants (it has {len(unknown)} change(s) "
            "to its layout that this version does not know); it was not opened.",
            "Update Mini-Giants, then open the vault again. Nothing in it was changed.",
        )
        self.path = path


class WrongBackupPassphrase(VaultError):
    def __init__(self) -> None:
        super().__init__(
            "That passphrase does not open this backup.",
            "Use the passphrase chosen when the backup was made (it may differ from the vault's).",
        )


class BackupUnreadable(VaultError):
    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(
            f"{path.name} cannot be restored: {reason}.",
            "Choose a Mini-Giants backup (.mgbackup) or vault copy, made by this or an older version.",
        )
        self.path = path
