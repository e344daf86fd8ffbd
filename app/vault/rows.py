"""Sealed rows: the mechanics every record kind of the vault shares. One connection, the data key
while the vault is unlocked, and the search index once it is built; each row's payload sealed to
its table, row, parent and key version, and every write in a transaction."""

from __future__ import annotations

import contextlib
import datetime
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from sqlite_utils import Database

from app.vault.errors import VaultDiskFull, VaultError, VaultLocked
from app.vault.records import Emotion
from app.vault.sealing import RowAddress, open_sealed, seal
from app.vault.search import Document, SearchIndex

KEY_VERSION = 1
# In dependency order: a parent table comes before the tables whose rows point into it.
SEALED_TABLES = (
    "conversations", "messages", "journal_entries", "mood_checkins", "thought_records", "settings",
)
PARENT_COLUMNS = {"messages": "conversation_id"}  # sealed rows bound to a parent row


def now_utc() -> str:
    """The time now, as stored inside sealed rows."""
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds")


def today() -> str:
    """The person's own date (local time), the default day of journal entries and check-ins: an
    evening entry west of Greenwich belongs to that evening, not to tomorrow in UTC."""
    return datetime.date.today().isoformat()


class SealedRows:
    """What the vault's repositories write and read through. The vault owns it: it sets `key` on
    unlock and clears it on lock, and sets `index` when search builds it."""

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self.db = db
        self.key: bytes | None = None
        self.index: SearchIndex | None = None  # built on the first search after unlock

    def require_key(self) -> bytes:
        if self.key is None:
            raise VaultLocked()
        return self.key

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """One write: all of it or none of it. A full disk is an error a person can act on."""
        try:
            with self.db.atomic():
                yield
        except sqlite3.OperationalError as error:
            if is_disk_full(error):
                raise VaultDiskFull(self.path) from None
            raise

    def seal(
        self, table: str, row_id: str, parent: str | None, payload: Mapping[str, object]
    ) -> bytes:
        return seal(self.require_key(), payload, RowAddress(table, row_id, parent, KEY_VERSION))

    def open(self, table: str, row: dict[str, object]) -> dict[str, object]:
        address = RowAddress(table, str(row["id"]), parent_of(table, row),
                             as_int(row["key_version"]))
        return open_sealed(self.require_key(), as_bytes(row["sealed"]), address)

    def put(self, table: str, row_id: str, parent: str | None, payload: Mapping[str, object],
            *, position: int | None = None) -> None:
        """Insert or replace one sealed row; call inside a transaction. A row without a given
        position goes last: for top-level tables that orders them by last change."""
        if position is None:
            position = self.next_position(table, parent)
        row: dict[str, object] = {"id": row_id, "position": position, "key_version": KEY_VERSION,
                                  "sealed": self.seal(table, row_id, parent, payload)}
        if table in PARENT_COLUMNS:
            row[PARENT_COLUMNS[table]] = parent
        self.db.table(table).upsert(row, pk="id")

    def put_in_place(self, table: str, row_id: str, payload: Mapping[str, object]) -> None:
        """Write a top-level row in one transaction; a changed row keeps its place, so the file
        shows only the order in which rows were first written, not which was edited last."""
        row = self.row(table, row_id)
        with self.transaction():
            self.put(table, row_id, None, payload,
                     position=None if row is None else as_int(row["position"]))

    def next_position(self, table: str, parent: str | None = None) -> int:
        where, args = (f" where {PARENT_COLUMNS[table]} = ?", [parent]) if table in PARENT_COLUMNS \
            else ("", [])
        sql = f"select coalesce(max(position), 0) + 1 from {table}{where}"
        return int(self.db.execute(sql, args).fetchone()[0])

    def row(self, table: str, row_id: str) -> dict[str, object] | None:
        rows = list(self.db.table(table).rows_where("id = ?", [row_id]))
        return rows[0] if rows else None

    def existing(self, table: str, row_id: str,
                 missing: Callable[[str], VaultError]) -> dict[str, object]:
        """A row that must be there; else `missing(row_id)` is raised (ConversationNotFound ...)."""
        row = self.row(table, row_id)
        if row is None:
            raise missing(row_id)
        return row

    def rows(self, table: str, *, newest_first: bool = False) -> Iterator[dict[str, object]]:
        return self.db.table(table).rows_where(
            order_by="position desc" if newest_first else "position")

    def delete_top_level(self, table: str, row_id: str) -> None:
        self.require_key()
        with self.transaction():
            self.db.table(table).delete_where("id = ?", [row_id])
        self.index_remove(row_id)

    # -- the search index follows every change, once it is built ----------------------------

    def index_put(self, document: Document) -> None:
        if self.index is not None:
            self.index.put(*document)

    def index_remove(self, row_id: str, *, children: bool = False) -> None:
        """Drop a row from the index, and with `children` the rows bound to it (the messages of
        a conversation)."""
        if self.index is not None:
            if children:
                self.index.remove_children(row_id)
            self.index.remove(row_id)

    def drop_index(self) -> None:
        if self.index is not None:
            self.index.close()
            self.index = None


def is_disk_full(error: sqlite3.OperationalError) -> bool:
    return "disk is full" in str(error)  # SQLITE_FULL: "database or disk is full"


def parent_of(table: str, row: Mapping[str, object]) -> str | None:
    return str(row[PARENT_COLUMNS[table]]) if table in PARENT_COLUMNS else None


# -- sealed values back into Python types ---------------------------------------------------------


def as_int(value: object) -> int:
    assert isinstance(value, int)
    return value


def as_bytes(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


def as_optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def as_optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def as_mapping(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def as_list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def as_pairs(value: object) -> list[tuple[object, object]]:
    """A sealed list of pairs (emotions, thoughts, reratings), as JSON stores them: lists of two."""
    pairs = []
    for item in as_list(value):
        assert isinstance(item, list) and len(item) == 2
        pairs.append((item[0], item[1]))
    return pairs


def as_emotions(value: object) -> tuple[Emotion, ...]:
    return tuple(Emotion(str(name), as_int(intensity)) for name, intensity in as_pairs(value))


def emotion_names(emotions: Iterable[Emotion]) -> str:
    """The emotions' names, as search finds a check-in or a thought record by them."""
    return " ".join(name for name, _ in emotions)
