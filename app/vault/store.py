"""The vault: one SQLite file (WAL, synchronous=FULL, secure_delete) whose sensitive columns are
sealed with the data key. Open it locked, unlock with the passphrase or the recovery key, lock to
drop every key and decrypted cache.

A vault belongs to one connection, on one thread, in one process at a time: it holds SQLite's
exclusive lock for as long as it is open, so a second writer is refused instead of interleaving."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import hashlib
import hmac
import sqlite3
import uuid
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import cast

from sqlite_utils import Database

from app.vault.errors import (
    ConversationNotFound,
    JournalEntryNotFound,
    MessageNotFound,
    MoodCheckinNotFound,
    RowTampered,
    ThoughtRecordNotFound,
    VaultAlreadyOpen,
    VaultDiskFull,
    VaultExists,
    VaultFromNewerVersion,
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
from app.vault.private_files import new_private_file
from app.vault.records import (
    AutomaticThought,
    CheckReport,
    Conversation,
    Dump,
    Emotion,
    JournalEntry,
    Message,
    MoodCheckin,
    PlainRow,
    Protection,
    Rerating,
    RestoreReport,
    ThoughtRecord,
    ThoughtRecordStatus,
    Version,
)
from app.vault.schema import NewerSchema, migrate, schema_version
from app.vault.sealing import RowAddress, open_sealed, seal
from app.vault.search import (
    CONVERSATION,
    JOURNAL_ENTRY,
    MESSAGE,
    MOOD_CHECKIN,
    THOUGHT_RECORD,
    SearchHit,
    SearchIndex,
)

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


def _int(value: object) -> int:
    assert isinstance(value, int)
    return value


def _bytes(value: object) -> bytes:
    assert isinstance(value, bytes)
    return value


def _optional_int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _optional_text(value: object) -> str | None:
    return None if value is None else str(value)


def _mapping(value: object) -> dict[str, object]:
    return dict(value) if isinstance(value, dict) else {}


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


def _pairs(value: object) -> list[tuple[object, object]]:
    """A sealed list of pairs (emotions, thoughts, reratings), as JSON stores them: lists of two."""
    pairs = []
    for item in _list(value):
        assert isinstance(item, list) and len(item) == 2
        pairs.append((item[0], item[1]))
    return pairs


def _emotions(value: object) -> tuple[Emotion, ...]:
    return tuple(Emotion(str(name), _int(intensity)) for name, intensity in _pairs(value))


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
            raise VaultExists(path)
        vault = cls(path, _connect(path))
        migrate(vault._db)
        data_key = new_data_key()
        wrapped = wrap(data_key, passphrase, kdf or calibrate(), purpose=PASSPHRASE,
                       key_version=KEY_VERSION)
        with vault._transaction():
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
        with self._transaction():
            self._db.table("vault_keys").update(PASSPHRASE, {"wrapped": wrapped.to_json()})

    def add_recovery_key(self) -> str:
        """Create (or replace) the recovery key and return it, to be shown to the person once."""
        key = self._require_key()
        code = new_recovery_key()
        current = self._wrapped(PASSPHRASE)
        wrapped = wrap(key, code, current.kdf.with_new_salt(), purpose=RECOVERY,
                       key_version=current.key_version)
        with self._transaction():
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

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One write: all of it or none of it. A full disk is an error a person can act on."""
        try:
            with self._db.atomic():
                yield
        except sqlite3.OperationalError as error:
            if _is_disk_full(error):
                raise VaultDiskFull(self.path) from None
            raise

    def _seal(
        self, table: str, row_id: str, parent: str | None, payload: Mapping[str, object]
    ) -> bytes:
        return seal(self._require_key(), payload, RowAddress(table, row_id, parent, KEY_VERSION))

    def _open(self, table: str, row: dict[str, object]) -> dict[str, object]:
        address = RowAddress(table, str(row["id"]), _parent(table, row), _int(row["key_version"]))
        return open_sealed(self._require_key(), _bytes(row["sealed"]), address)

    def _put(self, table: str, row_id: str, parent: str | None, payload: Mapping[str, object],
             *, position: int | None = None) -> None:
        """Insert or replace one sealed row; call inside a transaction. A row without a given
        position goes last: for top-level tables that orders them by last change."""
        if position is None:
            position = self._next_position(table, parent)
        row: dict[str, object] = {"id": row_id, "position": position, "key_version": KEY_VERSION,
                                  "sealed": self._seal(table, row_id, parent, payload)}
        if table in PARENT_COLUMNS:
            row[PARENT_COLUMNS[table]] = parent
        self._db.table(table).upsert(row, pk="id")

    def _next_position(self, table: str, parent: str | None = None) -> int:
        where, args = (f" where {PARENT_COLUMNS[table]} = ?", [parent]) if table in PARENT_COLUMNS \
            else ("", [])
        sql = f"select coalesce(max(position), 0) + 1 from {table}{where}"
        return int(self._db.execute(sql, args).fetchone()[0])

    def _row(self, table: str, row_id: str) -> dict[str, object] | None:
        rows = list(self._db.table(table).rows_where("id = ?", [row_id]))
        return rows[0] if rows else None

    def _rows(self, table: str, *, newest_first: bool = False) -> Iterator[dict[str, object]]:
        return self._db.table(table).rows_where(
            order_by="position desc" if newest_first else "position")

    # -- conversations ----------------------------------------------------------------------

    def create_conversation(
        self,
        title: str,
        *,
        system_prompt: str = "",
        model: str | None = None,
        sampling: dict[str, object] | None = None,
    ) -> Conversation:
        now = now_utc()
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
        with self._transaction():
            self._put("conversations", conversation.id, None, payload)
        if self._index is not None:
            self._index.put(CONVERSATION, conversation.id, None, conversation.title)

    def conversations(self) -> list[Conversation]:
        """Newest first."""
        return [self._conversation(row) for row in self._rows("conversations", newest_first=True)]

    def conversation(self, conversation_id: str) -> Conversation:
        row = self._row("conversations", conversation_id)
        if row is None:
            raise ConversationNotFound(conversation_id)
        return self._conversation(row)

    def _conversation(self, row: dict[str, object]) -> Conversation:
        data = self._open("conversations", row)
        return Conversation(
            id=str(row["id"]), title=str(data["title"]), system_prompt=str(data["system_prompt"]),
            model=_optional_text(data["model"]), sampling=_mapping(data["sampling"]),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def update_conversation(self, conversation: Conversation) -> Conversation:
        """Store changed settings or title; the conversation moves to the top of the list."""
        self.conversation(conversation.id)  # it must exist
        changed = Conversation(conversation.id, conversation.title, conversation.system_prompt,
                               conversation.model, conversation.sampling, conversation.created,
                               now_utc())
        self._write_conversation(changed)
        return changed

    def rename_conversation(self, conversation_id: str, title: str) -> Conversation:
        current = self.conversation(conversation_id)
        return self.update_conversation(
            Conversation(current.id, title, current.system_prompt, current.model,
                         current.sampling, current.created, current.updated))

    def delete_conversation(self, conversation_id: str) -> None:
        """The conversation and all its messages, in one transaction."""
        self._require_key()
        with self._transaction():
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
        answers: int | None = None,
    ) -> Message:
        """`answers`: for a reply, which version of the question before it it answers."""
        message = Message(uuid.uuid4().hex, conversation_id, role, text, model, dict(stats or {}),
                          now_utc(), answers=answers)
        with self._transaction():
            self._put("messages", message.id, conversation_id, _message_payload(message))
        self._index_message(message)
        return message

    def update_message(self, message: Message) -> None:
        """Store a changed message (a reply growing while it streams, an added alternative)."""
        row = self._row("messages", message.id)
        if row is None:
            raise MessageNotFound(message.id)
        with self._transaction():
            self._put("messages", message.id, message.conversation_id, _message_payload(message),
                      position=_int(row["position"]))
        self._index_message(message)

    def _index_message(self, message: Message) -> None:
        if self._index is not None:
            self._index.put(MESSAGE, message.id, message.conversation_id, message.text)

    def messages(self, conversation_id: str) -> list[Message]:
        rows = self._db.table("messages").rows_where(
            "conversation_id = ?", [conversation_id], order_by="position"
        )
        return [self._message(row) for row in rows]

    def _message(self, row: dict[str, object]) -> Message:
        data = self._open("messages", row)
        return Message(
            id=str(row["id"]), conversation_id=str(row["conversation_id"]), role=str(data["role"]),
            text=str(data["text"]), model=_optional_text(data["model"]),
            stats=_mapping(data["stats"]), created=str(data["created"]),
            alternatives=tuple(_version(item) for item in _list(data["alternatives"])),
            position=_optional_int(data.get("position")), answers=_optional_int(data.get("answers")),
        )

    # -- journal ----------------------------------------------------------------------------

    def add_journal_entry(self, text: str, *, title: str = "", tags: Iterable[str] = (),
                          day: str | None = None) -> JournalEntry:
        """`day` defaults to today; a day that is no YYYY-MM-DD date raises JournalValueInvalid."""
        now = now_utc()
        entry = JournalEntry(uuid.uuid4().hex, day or today(), title, text, tuple(tags), now, now)
        self._write_journal_entry(entry)
        return entry

    def update_journal_entry(self, entry: JournalEntry) -> JournalEntry:
        self.journal_entry(entry.id)  # it must exist
        changed = JournalEntry(entry.id, entry.day, entry.title, entry.text, tuple(entry.tags),
                               entry.created, now_utc())
        self._write_journal_entry(changed)
        return changed

    def _write_journal_entry(self, entry: JournalEntry) -> None:
        payload = {"day": entry.day, "title": entry.title, "text": entry.text,
                   "tags": list(entry.tags), "created": entry.created, "updated": entry.updated}
        self._put_in_place("journal_entries", entry.id, payload)
        if self._index is not None:
            self._index.put(JOURNAL_ENTRY, entry.id, None, _journal_text(entry))

    def _put_in_place(self, table: str, row_id: str, payload: Mapping[str, object]) -> None:
        """Write a top-level row in one transaction; a changed row keeps its place, so the file
        shows only the order in which rows were first written, not which was edited last."""
        row = self._row(table, row_id)
        with self._transaction():
            self._put(table, row_id, None, payload,
                      position=None if row is None else _int(row["position"]))

    def journal_entries(self) -> list[JournalEntry]:
        """Newest day first; entries of one day newest written first."""
        entries = [self._journal_entry(row) for row in self._rows("journal_entries", newest_first=True)]
        return sorted(entries, key=lambda entry: entry.day, reverse=True)  # stable: keeps the rest

    def journal_entry(self, entry_id: str) -> JournalEntry:
        row = self._row("journal_entries", entry_id)
        if row is None:
            raise JournalEntryNotFound(entry_id)
        return self._journal_entry(row)

    def _journal_entry(self, row: dict[str, object]) -> JournalEntry:
        data = self._open("journal_entries", row)
        return JournalEntry(
            id=str(row["id"]), day=str(data["day"]), title=str(data["title"]),
            text=str(data["text"]), tags=tuple(str(t) for t in _list(data["tags"])),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def delete_journal_entry(self, entry_id: str) -> None:
        """The entry goes, in one transaction with the links to it: check-ins made with it stay in
        the mood history."""
        self._require_key()
        with self._transaction():
            self._db.table("journal_entries").delete_where("id = ?", [entry_id])
            for row in list(self._rows("mood_checkins")):
                try:
                    checkin = self._mood_checkin(row)
                except RowTampered:  # `check` reports it; it must not stop this delete
                    continue
                if checkin.entry_id == entry_id:
                    self._put("mood_checkins", checkin.id, None,
                              _checkin_payload(dataclasses.replace(checkin, entry_id=None)),
                              position=_int(row["position"]))
        if self._index is not None:
            self._index.remove(entry_id)

    # -- mood check-ins ---------------------------------------------------------------------

    def add_mood_checkin(self, mood: int, *, emotions: Iterable[tuple[str, int]] = (),
                         note: str = "", day: str | None = None,
                         entry_id: str | None = None) -> MoodCheckin:
        """A mood from 0 to 10 with named emotions of intensity 0-100 (else JournalValueInvalid),
        for `day` (default today), optionally made with the journal entry `entry_id`."""
        now = now_utc()
        checkin = MoodCheckin(uuid.uuid4().hex, day or today(), mood,
                              tuple(Emotion(*emotion) for emotion in emotions), note, entry_id,
                              now, now)
        self._write_mood_checkin(checkin)
        return checkin

    def update_mood_checkin(self, checkin: MoodCheckin) -> MoodCheckin:
        if self._row("mood_checkins", checkin.id) is None:
            raise MoodCheckinNotFound(checkin.id)
        changed = dataclasses.replace(checkin, updated=now_utc())
        self._write_mood_checkin(changed)
        return changed

    def _write_mood_checkin(self, checkin: MoodCheckin) -> None:
        if checkin.entry_id is not None and self._row("journal_entries", checkin.entry_id) is None:
            raise JournalEntryNotFound(checkin.entry_id)
        self._put_in_place("mood_checkins", checkin.id, _checkin_payload(checkin))
        if self._index is not None:
            self._index.put(MOOD_CHECKIN, checkin.id, None, _checkin_text(checkin))

    def mood_checkins(self) -> list[MoodCheckin]:
        """The mood history: newest day first; check-ins of one day newest first."""
        rows = self._rows("mood_checkins", newest_first=True)
        checkins = [self._mood_checkin(row) for row in rows]
        return sorted(checkins, key=lambda checkin: checkin.day, reverse=True)  # stable

    def mood_checkin(self, checkin_id: str) -> MoodCheckin:
        row = self._row("mood_checkins", checkin_id)
        if row is None:
            raise MoodCheckinNotFound(checkin_id)
        return self._mood_checkin(row)

    def _mood_checkin(self, row: dict[str, object]) -> MoodCheckin:
        data = self._open("mood_checkins", row)
        return MoodCheckin(
            id=str(row["id"]), day=str(data["day"]), mood=_int(data["mood"]),
            emotions=_emotions(data["emotions"]), note=str(data["note"]),
            entry_id=_optional_text(data["entry_id"]), created=str(data["created"]),
            updated=str(data["updated"]),
        )

    def delete_mood_checkin(self, checkin_id: str) -> None:
        self._delete_top_level("mood_checkins", checkin_id)

    # -- thought records --------------------------------------------------------------------

    def add_thought_record(
        self,
        *,
        situation: str = "",
        thoughts: Iterable[tuple[str, int]] = (),
        emotions: Iterable[tuple[str, int]] = (),
        distortions: Iterable[str] = (),
        evidence_for: str = "",
        evidence_against: str = "",
        balanced_thought: str = "",
        rerated_beliefs: Iterable[tuple[int, int]] = (),
        rerated_emotions: Iterable[tuple[str, int]] = (),
        status: ThoughtRecordStatus = "draft",
        step: str = "situation",
    ) -> ThoughtRecord:
        """Start a thought record, usually a draft with only the situation; the guided flow then
        saves each change with update_thought_record. Values out of range raise
        JournalValueInvalid."""
        now = now_utc()
        record = ThoughtRecord(
            uuid.uuid4().hex, situation, tuple(AutomaticThought(*thought) for thought in thoughts),
            tuple(Emotion(*emotion) for emotion in emotions), tuple(distortions), evidence_for,
            evidence_against, balanced_thought,
            tuple(Rerating(*rerating) for rerating in rerated_beliefs),
            tuple(Emotion(*emotion) for emotion in rerated_emotions), status, step, now, now,
        )
        self._write_thought_record(record)
        return record

    def update_thought_record(self, record: ThoughtRecord) -> ThoughtRecord:
        """Save a changed record, a draft's autosave included: one small transaction, in place."""
        if self._row("thought_records", record.id) is None:
            raise ThoughtRecordNotFound(record.id)
        changed = dataclasses.replace(record, updated=now_utc())
        self._write_thought_record(changed)
        return changed

    def _write_thought_record(self, record: ThoughtRecord) -> None:
        self._put_in_place("thought_records", record.id, _thought_record_payload(record))
        if self._index is not None:
            self._index.put(THOUGHT_RECORD, record.id, None, _thought_record_text(record))

    def thought_records(self) -> list[ThoughtRecord]:
        """Newest first, by when each was started (restored ones among the others)."""
        rows = self._rows("thought_records", newest_first=True)
        records = [self._thought_record(row) for row in rows]
        return sorted(records, key=lambda record: record.created, reverse=True)  # stable

    def thought_record(self, record_id: str) -> ThoughtRecord:
        row = self._row("thought_records", record_id)
        if row is None:
            raise ThoughtRecordNotFound(record_id)
        return self._thought_record(row)

    def _thought_record(self, row: dict[str, object]) -> ThoughtRecord:
        data = self._open("thought_records", row)
        return ThoughtRecord(
            id=str(row["id"]), situation=str(data["situation"]),
            thoughts=tuple(AutomaticThought(str(text), _int(belief))
                           for text, belief in _pairs(data["thoughts"])),
            emotions=_emotions(data["emotions"]),
            distortions=tuple(str(distortion) for distortion in _list(data["distortions"])),
            evidence_for=str(data["evidence_for"]), evidence_against=str(data["evidence_against"]),
            balanced_thought=str(data["balanced_thought"]),
            rerated_beliefs=tuple(Rerating(_int(thought), _int(belief))
                                  for thought, belief in _pairs(data["rerated_beliefs"])),
            rerated_emotions=_emotions(data["rerated_emotions"]),
            # the record checks both against what they can be
            status=cast(ThoughtRecordStatus, data["status"]), step=str(data["step"]),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def delete_thought_record(self, record_id: str) -> None:
        self._delete_top_level("thought_records", record_id)

    def _delete_top_level(self, table: str, row_id: str) -> None:
        self._require_key()
        with self._transaction():
            self._db.table(table).delete_where("id = ?", [row_id])
        if self._index is not None:
            self._index.remove(row_id)

    # -- settings ---------------------------------------------------------------------------

    def setting(self, name: str, default: object = None) -> object:
        """A personal setting (a Hugging Face token, the last persona used ...), stored sealed
        under an id that does not reveal its name."""
        row = self._row("settings", self._setting_id(name))
        return default if row is None else self._open("settings", row)["value"]

    def set_setting(self, name: str, value: object) -> None:
        with self._transaction():
            self._put("settings", self._setting_id(name), None, {"name": name, "value": value})

    def delete_setting(self, name: str) -> None:
        setting_id = self._setting_id(name)
        with self._transaction():
            self._db.table("settings").delete_where("id = ?", [setting_id])

    def _setting_id(self, name: str) -> str:
        return hmac.new(self._require_key(), f"setting:{name}".encode(), hashlib.sha256).hexdigest()[:32]

    # -- search -----------------------------------------------------------------------------

    def search(self, text: str, *, limit: int = 50,
               highlight: tuple[str, str] = ("[", "]")) -> list[SearchHit]:
        """Ranked matches across conversation titles, messages, journal entries, mood check-ins and
        thought records, with snippets whose matches are wrapped in `highlight`. The first search
        after unlocking builds the index."""
        self.build_search_index()
        assert self._index is not None
        return self._index.search(text, limit=limit, highlight=highlight)

    def build_search_index(self) -> None:
        """Decrypt everything searchable into the in-memory index, if it is not built yet; the GUI
        calls this right after unlocking so that the first search is quick."""
        self._require_key()
        if self._index is not None:
            return
        index = SearchIndex()
        with index.batch():
            for conversation in self.conversations():
                index.put(CONVERSATION, conversation.id, None, conversation.title)
            for row in self._rows("messages"):  # one query for all, not one per conversation
                message = self._message(row)
                index.put(MESSAGE, message.id, message.conversation_id, message.text)
            for entry in self.journal_entries():
                index.put(JOURNAL_ENTRY, entry.id, None, _journal_text(entry))
            for checkin in self.mood_checkins():
                index.put(MOOD_CHECKIN, checkin.id, None, _checkin_text(checkin))
            for record in self.thought_records():
                index.put(THOUGHT_RECORD, record.id, None, _thought_record_text(record))
        self._index = index

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
            for row in self._rows(table):
                try:
                    payload = self._open(table, row)
                except RowTampered:
                    damaged.append((table, str(row["id"])))
                    continue
                rows.append(PlainRow(table, str(row["id"]), _parent(table, row),
                                     _int(row["position"]), payload))
        return Dump(rows, damaged)

    def restore(self, rows: Iterable[PlainRow]) -> RestoreReport:
        """Add rows from a backup of this or another vault, sealed under this vault's key, in one
        transaction. A row whose id is already here is kept as it is here, and so are the children
        of such a row: the copy here may be newer. Restored rows keep their order, after what is
        already here."""
        self._require_key()
        added = {table: 0 for table in SEALED_TABLES}
        skipped = {table: 0 for table in SEALED_TABLES}
        kept_here: set[str] = set()
        offsets: dict[str, int] = {}
        with self._transaction():
            for row in rows:
                if row.table not in SEALED_TABLES:
                    raise ValueError(f"unknown table {row.table!r}")
                if row.table == "settings":  # its id is keyed by the vault it lives in
                    row = dataclasses.replace(row, id=self._setting_id(str(row.payload["name"])))
                if row.parent in kept_here or self._row(row.table, row.id) is not None:
                    kept_here.add(row.id)
                    skipped[row.table] += 1
                    continue
                if row.table in PARENT_COLUMNS:  # the parent is new here: positions carry over
                    position = row.position
                else:
                    offset = offsets.setdefault(row.table, self._next_position(row.table))
                    position = offset + row.position
                self._put(row.table, row.id, row.parent, row.payload, position=position)
                added[row.table] += 1
        if self._index is not None:  # rebuilt on the next search, with what was added
            self._index.close()
            self._index = None
        return RestoreReport(added, skipped)

    def copy_to(self, target: str | Path) -> None:
        """A complete, consistent copy of the vault file, as encrypted as the vault itself and
        opened with the same passphrase (SQLite's VACUUM INTO); never a partial file."""
        with new_private_file(Path(target)) as partial:
            try:
                self._db.execute("VACUUM INTO ?", [str(partial)])
            except sqlite3.OperationalError as error:
                if _is_disk_full(error):
                    raise VaultDiskFull(Path(target)) from None
                raise


def _is_disk_full(error: sqlite3.OperationalError) -> bool:
    return "disk is full" in str(error)  # SQLITE_FULL: "database or disk is full"


def _parent(table: str, row: Mapping[str, object]) -> str | None:
    return str(row[PARENT_COLUMNS[table]]) if table in PARENT_COLUMNS else None


def _message_payload(message: Message) -> dict[str, object]:
    return {
        "role": message.role, "text": message.text, "model": message.model,
        "stats": message.stats, "created": message.created, "answers": message.answers,
        "alternatives": [{"text": version.text, "stats": version.stats, "model": version.model,
                          "answers": version.answers} for version in message.alternatives],
        "position": message.position,
    }


def _version(item: object) -> Version:
    """An alternative as stored; before versions kept their own statistics it was only text."""
    if not isinstance(item, dict):
        return Version(str(item))
    return Version(str(item["text"]), _mapping(item.get("stats")),
                   _optional_text(item.get("model")), _optional_int(item.get("answers")))


def _journal_text(entry: JournalEntry) -> str:
    return "\n".join(part for part in (entry.title, entry.text, " ".join(entry.tags)) if part)


def _checkin_payload(checkin: MoodCheckin) -> dict[str, object]:
    return {"day": checkin.day, "mood": checkin.mood,
            "emotions": [list(emotion) for emotion in checkin.emotions], "note": checkin.note,
            "entry_id": checkin.entry_id, "created": checkin.created, "updated": checkin.updated}


def _checkin_text(checkin: MoodCheckin) -> str:
    return "\n".join(part for part in (checkin.note, _emotion_names(checkin.emotions)) if part)


def _thought_record_payload(record: ThoughtRecord) -> dict[str, object]:
    return {
        "situation": record.situation, "thoughts": [list(t) for t in record.thoughts],
        "emotions": [list(e) for e in record.emotions], "distortions": list(record.distortions),
        "evidence_for": record.evidence_for, "evidence_against": record.evidence_against,
        "balanced_thought": record.balanced_thought,
        "rerated_beliefs": [list(r) for r in record.rerated_beliefs],
        "rerated_emotions": [list(e) for e in record.rerated_emotions],
        "status": record.status, "step": record.step, "created": record.created,
        "updated": record.updated,
    }


def _thought_record_text(record: ThoughtRecord) -> str:
    parts = (record.situation, *(text for text, _ in record.thoughts),
             _emotion_names(record.emotions), record.evidence_for, record.evidence_against,
             record.balanced_thought, _emotion_names(record.rerated_emotions))
    return "\n".join(part for part in parts if part)


def _emotion_names(emotions: Iterable[Emotion]) -> str:
    return " ".join(name for name, _ in emotions)
