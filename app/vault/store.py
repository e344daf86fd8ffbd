"""The vault: one SQLite file (WAL, synchronous=FULL, secure_delete) whose sensitive columns are
sealed with the data key. Open it locked, unlock with the passphrase or the recovery key, lock to
drop every key and decrypted cache.

A vault belongs to one connection, on one thread, in one process at a time: it holds SQLite's
exclusive lock for as long as it is open, so a second writer is refused instead of interleaving."""

from __future__ import annotations

import datetime
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from app.vault.errors import (
    ConversationNotFound,
    RowTampered,
    VaultAlreadyOpen,
    VaultLocked,
    VaultMissing,
    VaultNotFound,
    VaultUnreadable,
)
from app.vault.keys import (
    PASSPHRASE,
    RECOVERY,
    KdfParams,
    WrappedKey,
    calibrate,
    new_data_key,
    new_recovery_key,
    unwrap,
    wrap,
)
from app.vault.schema import migrate, schema_version
from app.vault.sealing import RowAddress, open_sealed, seal
from app.vault.search import SearchHit, SearchIndex

KEY_VERSION = 1
SEALED_TABLES = (
    "conversations", "messages", "journal_entries", "mood_checkins", "thought_records", "settings",
)


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


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _bytes(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _mapping(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _connect(path: Path) -> Database:
    # Autocommit at the driver level: every write goes through db.atomic()'s explicit BEGIN/COMMIT.
    connection = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    db = Database(connection)
    try:
        for pragma in (
            "locking_mode=EXCLUSIVE",  # before WAL is first touched: no shared-memory file either
            "journal_mode=WAL",
            "synchronous=FULL",
            "secure_delete=ON",  # deleted text is overwritten, not left in free pages
            "foreign_keys=ON",
            "temp_store=MEMORY",  # no temporary files with sorted or indexed data
        ):
            db.execute(f"PRAGMA {pragma}")
        db.execute("BEGIN EXCLUSIVE")  # take (and keep, in exclusive mode) the write lock now
        db.execute("COMMIT")
    except sqlite3.DatabaseError as error:
        connection.close()
        if "locked" in str(error):
            raise VaultAlreadyOpen(path) from None
        raise VaultUnreadable(path) from None
    return db


class Vault:
    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self._db = db
        self._key: bytes | None = None
        self._index: SearchIndex | None = None  # built on the first search after unlock

    # -- life cycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, passphrase: str, *, kdf: KdfParams | None = None) -> Vault:
        """A new, unlocked vault. `kdf` defaults to settings calibrated on this machine."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise FileExistsError(path)
        vault = cls(path, _connect(path))
        migrate(vault._db)
        data_key = new_data_key()
        wrapped = wrap(data_key, passphrase, kdf or calibrate(), purpose=PASSPHRASE,
                       key_version=KEY_VERSION)
        with vault._db.atomic():
            vault._db.table("vault_keys").insert({"purpose": PASSPHRASE, "wrapped": wrapped.to_json()})
        vault._key = data_key
        return vault

    @classmethod
    def open(cls, path: str | Path) -> Vault:
        """Open an existing vault, locked. Raises VaultNotFound, or VaultAlreadyOpen when another
        process (or window) has it."""
        path = Path(path)
        if not path.is_file():
            raise VaultNotFound(path)
        vault = cls(path, _connect(path))
        migrate(vault._db)
        return vault

    def close(self) -> None:
        self.lock()
        self._db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @property
    def is_locked(self) -> bool:
        return self._key is None

    def unlock(self, passphrase: str) -> None:
        """Raises WrongPassphrase (the file is not touched) or KeySettingsTampered."""
        self._key = unwrap(self._wrapped(PASSPHRASE), passphrase)

    def unlock_with_recovery_key(self, code: str) -> None:
        self._key = unwrap(self._wrapped(RECOVERY), code)

    def lock(self) -> None:
        """Forget the data key and drop the search index: nothing decrypted stays behind."""
        self._key = None
        if self._index is not None:
            self._index.close()
            self._index = None

    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-wrap the data key under the new passphrase, in one transaction; no row changes."""
        key = self._require_key()
        current = self._wrapped(PASSPHRASE)
        wrapped = wrap(key, new_passphrase, current.kdf.with_new_salt(), purpose=PASSPHRASE,
                       key_version=current.key_version)
        with self._db.atomic():
            self._db.table("vault_keys").update(PASSPHRASE, {"wrapped": wrapped.to_json()})

    def add_recovery_key(self) -> str:
        """Create (or replace) the recovery key and return it, to be shown to the person once."""
        key = self._require_key()
        code = new_recovery_key()
        current = self._wrapped(PASSPHRASE)
        wrapped = wrap(key, code, current.kdf.with_new_salt(), purpose=RECOVERY,
                       key_version=current.key_version)
        with self._db.atomic():
            self._db.table("vault_keys").upsert({"purpose": RECOVERY, "wrapped": wrapped.to_json()},
                                          pk="purpose")
        return code

    def protection(self) -> Protection:
        kdf = self._wrapped(PASSPHRASE).kdf
        has_recovery = self._db.table("vault_keys").count_where("purpose = ?", [RECOVERY]) > 0
        return Protection(schema_version(self._db), kdf.memory_kib, kdf.iterations, kdf.lanes,
                          has_recovery)

    def _wrapped(self, purpose: str) -> WrappedKey:
        rows = list(self._db.table("vault_keys").rows_where("purpose = ?", [purpose]))
        if not rows:
            raise VaultMissing(purpose)
        return WrappedKey.from_json(rows[0]["wrapped"])

    def _require_key(self) -> bytes:
        if self._key is None:
            raise VaultLocked()
        return self._key

    # -- sealed rows ------------------------------------------------------------------------

    def _seal(
        self, table: str, row_id: str, parent: str | None, payload: Mapping[str, object]
    ) -> bytes:
        return seal(self._require_key(), payload, RowAddress(table, row_id, parent, KEY_VERSION))

    def _open(self, table: str, row: dict[str, object], parent: str | None) -> dict[str, object]:
        address = RowAddress(table, str(row["id"]), parent, _int(row["key_version"]))
        return open_sealed(self._require_key(), _bytes(row["sealed"]), address)

    def _next_position(self, table: str, where: str = "", args: list[object] | None = None) -> int:
        sql = f"select coalesce(max(position), 0) + 1 from {table}" + (f" where {where}" if where else "")
        return int(self._db.execute(sql, args or []).fetchone()[0])

    # -- conversations ----------------------------------------------------------------------

    def create_conversation(
        self,
        title: str,
        *,
        system_prompt: str = "",
        model: str | None = None,
        sampling: dict[str, object] | None = None,
    ) -> Conversation:
        now = _now()
        conversation = Conversation(uuid.uuid4().hex, title, system_prompt, model,
                                    dict(sampling or {}), now, now)
        self._write_conversation(conversation)
        return conversation

    def _write_conversation(self, conversation: Conversation) -> None:
        payload = {
            "title": conversation.title, "system_prompt": conversation.system_prompt,
            "model": conversation.model, "sampling": conversation.sampling,
            "created": conversation.created, "updated": conversation.updated,
        }
        with self._db.atomic():
            # The position orders conversations by last change, newest highest.
            self._db.table("conversations").upsert(
                {"id": conversation.id, "position": self._next_position("conversations"),
                 "key_version": KEY_VERSION,
                 "sealed": self._seal("conversations", conversation.id, None, payload)},
                pk="id",
            )
        if self._index is not None:
            self._index.put("conversation", conversation.id, None, conversation.title)

    def conversations(self) -> list[Conversation]:
        """Newest first."""
        return [
            self._conversation(row)
            for row in self._db.table("conversations").rows_where(order_by="position desc")
        ]

    def conversation(self, conversation_id: str) -> Conversation:
        rows = list(self._db.table("conversations").rows_where("id = ?", [conversation_id]))
        if not rows:
            raise ConversationNotFound(conversation_id)
        return self._conversation(rows[0])

    def _conversation(self, row: dict[str, object]) -> Conversation:
        data = self._open("conversations", row, None)
        return Conversation(
            id=str(row["id"]), title=str(data["title"]), system_prompt=str(data["system_prompt"]),
            model=_optional_text(data["model"]), sampling=_mapping(data["sampling"]),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def rename_conversation(self, conversation_id: str, title: str) -> Conversation:
        current = self.conversation(conversation_id)
        renamed = Conversation(current.id, title, current.system_prompt, current.model,
                               current.sampling, current.created, _now())
        self._write_conversation(renamed)
        return renamed

    def delete_conversation(self, conversation_id: str) -> None:
        """The conversation and all its messages, in one transaction."""
        self._require_key()
        with self._db.atomic():
            self._db.table("messages").delete_where("conversation_id = ?", [conversation_id])
            self._db.table("conversations").delete(conversation_id)
        if self._index is not None:
            self._index.remove_children(conversation_id)
            self._index.remove(conversation_id)

    # -- messages ---------------------------------------------------------------------------

    def add_message(
        self,
        conversation_id: str,
        role: str,
        text: str,
        *,
        model: str | None = None,
        stats: dict[str, object] | None = None,
    ) -> Message:
        message = Message(uuid.uuid4().hex, conversation_id, role, text, model, dict(stats or {}),
                          _now())
        with self._db.atomic():
            position = self._next_position("messages", "conversation_id = ?", [conversation_id])
            self._db.table("messages").insert(
                {"id": message.id, "conversation_id": conversation_id, "position": position,
                 "key_version": KEY_VERSION,
                 "sealed": self._seal("messages", message.id, conversation_id,
                                      self._message_payload(message))},
            )
        self._index_message(message)
        return message

    def update_message(self, message: Message) -> None:
        """Store a changed message (a reply growing while it streams, an added alternative)."""
        with self._db.atomic():
            self._db.table("messages").update(
                message.id,
                {"sealed": self._seal("messages", message.id, message.conversation_id,
                                      self._message_payload(message))},
            )
        self._index_message(message)

    def _index_message(self, message: Message) -> None:
        if self._index is not None:
            self._index.put("message", message.id, message.conversation_id, message.text)

    @staticmethod
    def _message_payload(message: Message) -> dict[str, object]:
        return {
            "role": message.role, "text": message.text, "model": message.model,
            "stats": message.stats, "created": message.created,
            "alternatives": list(message.alternatives),
        }

    def messages(self, conversation_id: str) -> list[Message]:
        rows = self._db.table("messages").rows_where(
            "conversation_id = ?", [conversation_id], order_by="position"
        )
        return [self._message(row) for row in rows]

    def _message(self, row: dict[str, object]) -> Message:
        data = self._open("messages", row, str(row["conversation_id"]))
        return Message(
            id=str(row["id"]), conversation_id=str(row["conversation_id"]), role=str(data["role"]),
            text=str(data["text"]), model=_optional_text(data["model"]),
            stats=_mapping(data["stats"]), created=str(data["created"]),
            alternatives=tuple(str(a) for a in _list(data["alternatives"])),
        )

    # -- search -----------------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50) -> list[SearchHit]:
        """Ranked matches across conversation titles and messages, with highlighted snippets."""
        self._require_key()
        if self._index is None:
            index = SearchIndex()
            for conversation in self.conversations():
                index.put("conversation", conversation.id, None, conversation.title)
            for row in self._rows("messages"):  # one query for all, not one per conversation
                message = self._message(row)
                index.put("message", message.id, message.conversation_id, message.text)
            self._index = index
        return self._index.search(text, limit=limit)

    # -- integrity --------------------------------------------------------------------------

    def check(self) -> CheckReport:
        """Open every sealed row and check the file: counts, each row that fails authentication,
        and SQLite's integrity check."""
        counts: dict[str, int] = {}
        damaged: list[tuple[str, str]] = []
        for table in SEALED_TABLES:
            counts[table] = 0
            for row in self._rows(table):
                counts[table] += 1
                parent = str(row["conversation_id"]) if table == "messages" else None
                try:
                    self._open(table, row, parent)
                except RowTampered:
                    damaged.append((table, str(row["id"])))
        integrity = tuple(str(row[0]) for row in self._db.execute("PRAGMA integrity_check"))
        return CheckReport(counts, damaged, integrity)

    def _rows(self, table: str) -> Iterator[dict[str, object]]:
        return self._db.table(table).rows_where(order_by="position")
