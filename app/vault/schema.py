"""The vault's schema, as named migrations applied once each and recorded in `_migrations`
(the pattern of simonw/llm). Plaintext columns are limited to ids, ordering numbers, kinds and key
versions; everything else lives in the `sealed` column (see sealing.py)."""

from __future__ import annotations

from collections.abc import Callable

from sqlite_utils import Database

Migration = Callable[[Database], None]


class NewerSchema(Exception):
    """The vault was changed by a newer version of the app; the store turns this into an error
    for a person, naming the file."""

    def __init__(self, unknown: list[str]) -> None:
        super().__init__(", ".join(unknown))
        self.unknown = unknown
MIGRATIONS: list[tuple[str, Migration]] = []


def migration(function: Migration) -> Migration:
    MIGRATIONS.append((function.__name__, function))
    return function


@migration
def m001_initial(db: Database) -> None:
    db.table("vault_keys").create({"purpose": str, "wrapped": str}, pk="purpose")
    db.table("conversations").create(
        {"id": str, "position": int, "key_version": int, "sealed": bytes}, pk="id"
    )
    db.table("messages").create(
        {"id": str, "conversation_id": str, "position": int, "key_version": int, "sealed": bytes},
        pk="id",
        foreign_keys=[("conversation_id", "conversations", "id")],
    )
    db.table("messages").create_index(["conversation_id", "position"])
    # Shapes the journal issue fills in; the tables exist from the start so a vault never has to
    # move rows between files.
    for table in ("journal_entries", "mood_checkins", "thought_records", "settings"):
        db.table(table).create({"id": str, "position": int, "key_version": int, "sealed": bytes}, pk="id")


@migration
def m002_position_indexes(db: Database) -> None:
    # Lists are read in position order (newest conversation first, journal by time written): an
    # index turns the sort over every row into a walk along the index.
    for table in ("conversations", "journal_entries", "mood_checkins", "thought_records"):
        db.table(table).create_index(["position"])


def schema_version(db: Database) -> int:
    if not db.table("_migrations").exists():
        return 0
    return db.execute("select count(*) from _migrations").fetchone()[0]


def migrate(db: Database) -> list[str]:
    """Apply the migrations this vault has not had yet, each in its own transaction. Raises
    NewerSchema, changing nothing, when the vault has had migrations this version does not know."""
    if not db.table("_migrations").exists():
        with db.atomic():
            db.table("_migrations").create({"position": int, "name": str}, pk="position")
    applied = {row["name"] for row in db.table("_migrations").rows}
    unknown = sorted(applied - {name for name, _ in MIGRATIONS})
    if unknown:
        raise NewerSchema(unknown)
    done = []
    for position, (name, function) in enumerate(MIGRATIONS, start=1):
        if name in applied:
            continue
        with db.atomic():
            function(db)
            db.table("_migrations").insert({"position": position, "name": name})
        done.append(name)
    return done
