"""What the vault hands out: plain, typed, decrypted records. Nothing here touches the disk."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    system_prompt: str
    model: str | None
    sampling: dict[str, object]
    created: str
    updated: str


@dataclass(frozen=True)
class Message:
    id: str
    conversation_id: str
    role: str
    text: str
    model: str | None
    stats: dict[str, object]
    created: str
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class JournalEntry:
    id: str
    day: str  # the ISO date the entry is about, which need not be the day it was written
    title: str
    text: str
    tags: tuple[str, ...]
    created: str
    updated: str


@dataclass(frozen=True)
class Protection:
    """How the vault is protected, readable while it is locked."""

    schema_version: int
    memory_kib: int
    iterations: int
    lanes: int
    has_recovery_key: bool


@dataclass(frozen=True)
class CheckReport:
    counts: dict[str, int]
    damaged: list[tuple[str, str]] = field(default_factory=list)  # (table, row id)
    integrity: tuple[str, ...] = ("ok",)  # SQLite's own integrity_check of the file

    @property
    def ok(self) -> bool:
        return not self.damaged and self.integrity == ("ok",)


@dataclass(frozen=True)
class PlainRow:
    """One decrypted row of any sealed table, as a backup carries it between vaults."""

    table: str
    id: str
    parent: str | None
    position: int
    payload: dict[str, object]


@dataclass(frozen=True)
class Dump:
    rows: list[PlainRow]
    damaged: list[tuple[str, str]]  # rows that failed authentication and were left out


@dataclass(frozen=True)
class RestoreReport:
    added: dict[str, int]
    skipped: dict[str, int]  # already in this vault (same id): kept as they are here
