"""The vault: one SQLite file (WAL, synchronous=FULL, secure_delete) whose sensitive columns are
sealed with the data key. Open it locked, unlock with the passphrase or the recovery key, lock to
drop every key and decrypted cache.

A vault belongs to one connection, on one thread, in one process at a time: it holds SQLite's
exclusive lock for as long as it is open, so a second writer is refused instead of interleaving."""

from __future__ import annotations

import dataclasses
import itertools
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sqlite_utils import Database

from app.vault.conversations import Conversations
from app.vault.errors import (
    RowTampered,
    VaultAlreadyOpen,
    VaultDiskFull,
    VaultExists,
    VaultFromNewerVersion,
    VaultMissing,
    VaultNotFound,
    VaultUnreadable,
)
from app.vault.journal_entries import JournalEntries
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
from app.vault.mood_checkins import MoodCheckins
from app.vault.private_files import new_private_file
from app.vault.records import CheckReport, Dump, PlainRow, Protection, RestoreReport
from app.vault.rows import (
    KEY_VERSION,
    PARENT_COLUMNS,
    SEALED_TABLES,
    SealedRows,
    as_int,
    is_disk_full,
    parent_of,
)
from app.vault.schema import NewerSchema, migrate, schema_version
from app.vault.search import SearchHit, SearchIndex
from app.vault.settings import VaultSettings
from app.vault.state_files import StateFiles, state_key
from app.vault.thought_records import ThoughtRecords


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
    """The file, its keys and its upkeep; each record kind has a repository of its own
    (`vault.conversations`, `vault.journal`, `vault.checkins`, `vault.thought_records`,
    `vault.settings`), all writing through one SealedRows."""

    def __init__(self, path: Path, db: Database) -> None:
        self.path = path
        self._db = db
        self._sealed = SealedRows(path, db)
        self.conversations = Conversations(self._sealed)
        self.checkins = MoodCheckins(self._sealed)
        self.journal = JournalEntries(self._sealed, self.checkins)
        self.thought_records = ThoughtRecords(self._sealed)
        self.settings = VaultSettings(self._sealed)

    # -- life cycle -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, passphrase: str, *, kdf: KdfParams | None = None) -> Vault:
        """A new, unlocked vault. `kdf` defaults to settings calibrated on this machine."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            raise VaultExists(path)
        vault = cls(path, _connect(path))
        migrate(vault._db)
        data_key = new_data_key()
        wrapped = wrap(data_key, passphrase, kdf or calibrate(), purpose=PASSPHRASE,
                       key_version=KEY_VERSION)
        with vault._sealed.transaction():
            vault._db.table("vault_keys").insert({"purpose": PASSPHRASE, "wrapped": wrapped.to_json()})
        vault._sealed.key = data_key
        return vault

    @classmethod
    def open(cls, path: str | Path) -> Vault:
        """Open an existing vault, locked. Raises VaultNotFound, or VaultAlreadyOpen when another
        process (or window) has it."""
        path = Path(path)
        if not path.is_file():
            raise VaultNotFound(path)
        vault = cls(path, _connect(path))
        try:
            migrate(vault._db)
        except NewerSchema as newer:
            vault._db.close()
            raise VaultFromNewerVersion(path, newer.unknown) from None
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
        return self._sealed.key is None

    def unlock(self, passphrase: str) -> None:
        """Raises WrongPassphrase (the file is not touched) or KeySettingsTampered."""
        self._sealed.key = unwrap(self._wrapped(PASSPHRASE), passphrase)

    def unlock_with_recovery_key(self, code: str) -> None:
        self._sealed.key = unwrap(self._wrapped(RECOVERY), code)

    def lock(self) -> None:
        """Forget the data key and drop the search index: nothing decrypted stays behind."""
        self._sealed.key = None
        self._sealed.drop_index()

    def change_passphrase(self, new_passphrase: str) -> None:
        """Re-wrap the data key under the new passphrase, in one transaction; no row changes."""
        key = self._sealed.require_key()
        current = self._wrapped(PASSPHRASE)
        wrapped = wrap(key, new_passphrase, current.kdf.with_new_salt(), purpose=PASSPHRASE,
                       key_version=current.key_version)
        with self._sealed.transaction():
            self._db.table("vault_keys").update(PASSPHRASE, {"wrapped": wrapped.to_json()})

    def add_recovery_key(self) -> str:
        """Create (or replace) the recovery key and return it, to be shown to the person once."""
        key = self._sealed.require_key()
        code = new_recovery_key()
        current = self._wrapped(PASSPHRASE)
        wrapped = wrap(key, code, current.kdf.with_new_salt(), purpose=RECOVERY,
                       key_version=current.key_version)
        with self._sealed.transaction():
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

    # -- search -----------------------------------------------------------------------------

    def state_files(self, folder: Path) -> StateFiles:
        """The sealed KV-cache files in `folder`, under a key derived from the data key (the
        vault must be unlocked); they stay usable after a lock only as long as they are held."""
        return StateFiles(folder, state_key(self._sealed.require_key()))

    def search(self, text: str, *, limit: int = 50,
               highlight: tuple[str, str] = ("[", "]")) -> list[SearchHit]:
        """Ranked matches across conversation titles, messages, journal entries, mood check-ins and
        thought records, with snippets whose matches are wrapped in `highlight`. The first search
        after unlocking builds the index."""
        self.build_search_index()
        assert self._sealed.index is not None
        return self._sealed.index.search(text, limit=limit, highlight=highlight)

    def build_search_index(self) -> None:
        """Decrypt everything searchable into the in-memory index, if it is not built yet; the GUI
        calls this right after unlocking so that the first search is quick."""
        self._sealed.require_key()
        if self._sealed.index is not None:
            return
        index = SearchIndex()
        with index.batch():  # each kind says what text its rows are found by
            for document in itertools.chain(
                self.conversations.documents(), self.journal.documents(),
                self.checkins.documents(), self.thought_records.documents(),
            ):
                index.put(*document)
        self._sealed.index = index

    # -- integrity, backup and restore ------------------------------------------------------

    def check(self) -> CheckReport:
        """Open every sealed row and check the file: counts, each row that fails authentication,
        and SQLite's integrity check."""
        dump = self.dump()
        counts = {table: 0 for table in SEALED_TABLES}
        for table in [row.table for row in dump.rows] + [table for table, _ in dump.damaged]:
            counts[table] += 1
        integrity = tuple(str(row[0]) for row in self._db.execute("PRAGMA integrity_check"))
        return CheckReport(counts, dump.damaged, integrity)

    def dump(self) -> Dump:
        """Every sealed row decrypted, parents before children; rows that fail authentication are
        listed instead."""
        rows: list[PlainRow] = []
        damaged: list[tuple[str, str]] = []
        for table in SEALED_TABLES:
            for row in self._sealed.rows(table):
                try:
                    payload = self._sealed.open(table, row)
                except RowTampered:
                    damaged.append((table, str(row["id"])))
                    continue
                rows.append(PlainRow(table, str(row["id"]), parent_of(table, row),
                                     as_int(row["position"]), payload))
        return Dump(rows, damaged)

    def restore(self, rows: Iterable[PlainRow]) -> RestoreReport:
        """Add rows from a backup of this or another vault, sealed under this vault's key, in one
        transaction. A row whose id is already here is kept as it is here, and so are the children
        of such a row: the copy here may be newer. Restored rows keep their order, after what is
        already here."""
        self._sealed.require_key()
        added = {table: 0 for table in SEALED_TABLES}
        skipped = {table: 0 for table in SEALED_TABLES}
        kept_here: set[str] = set()
        offsets: dict[str, int] = {}
        with self._sealed.transaction():
            for row in rows:
                if row.table not in SEALED_TABLES:
                    raise ValueError(f"unknown table {row.table!r}")
                if row.table == "settings":  # its id is keyed by the vault it lives in
                    name = str(row.payload["name"])
                    row = dataclasses.replace(row, id=self.settings.row_id(name))
                if row.parent in kept_here or self._sealed.row(row.table, row.id) is not None:
                    kept_here.add(row.id)
                    skipped[row.table] += 1
                    continue
                if row.table in PARENT_COLUMNS:  # the parent is new here: positions carry over
                    position = row.position
                else:
                    offset = offsets.setdefault(row.table, self._sealed.next_position(row.table))
                    position = offset + row.position
                self._sealed.put(row.table, row.id, row.parent, row.payload, position=position)
                added[row.table] += 1
        self._sealed.drop_index()  # rebuilt on the next search, with what was added
        return RestoreReport(added, skipped)

    def copy_to(self, target: str | Path) -> None:
        """A complete, consistent copy of the vault file, as encrypted as the vault itself and
        opened with the same passphrase (SQLite's VACUUM INTO); never a partial file."""
        with new_private_file(Path(target)) as partial:
            try:
                self._db.execute("VACUUM INTO ?", [str(partial)])
            except sqlite3.OperationalError as error:
                if is_disk_full(error):
                    raise VaultDiskFull(Path(target)) from None
                raise

