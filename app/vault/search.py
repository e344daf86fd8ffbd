"""Full-text search over decrypted text, held only in memory: built after unlock, kept current as
rows change, and dropped on lock. Nothing of it ever reaches the disk."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

SNIPPET_TOKENS = 12

# What a hit is (SearchHit.kind). Hits of the journal's kinds open in the journal, the others in
# their conversation.
CONVERSATION = "conversation"
MESSAGE = "message"
JOURNAL_ENTRY = "journal"
MOOD_CHECKIN = "mood_checkin"
THOUGHT_RECORD = "thought_record"
JOURNAL_KINDS = frozenset({JOURNAL_ENTRY, MOOD_CHECKIN, THOUGHT_RECORD})


class Document(NamedTuple):
    """What the index holds of one row; each record kind says what text its rows are found by."""

    kind: str  # one of the kinds above
    ref: str  # the row id
    parent: str | None  # the conversation of a message; None for the other kinds
    text: str


@dataclass(frozen=True)
class SearchHit:
    kind: str  # one of the kinds above
    ref: str  # the row id
    parent: str | None  # the conversation of a message; None for the other kinds
    snippet: str  # the matching passage, matches wrapped in the highlight markers


def _fts_query(text: str) -> str:
    """A person's words as an FTS5 query: every word must occur, the last one as a prefix (so
    results appear while typing); quotes keep FTS5's operators out of the person's text."""
    words = [word.replace('"', '""') for word in text.split()]
    if not words:
        return ""
    return " ".join(f'"{word}"' for word in words[:-1]) + f' "{words[-1]}"*'


class SearchIndex:
    def __init__(self) -> None:
        self._db = sqlite3.connect(":memory:", isolation_level=None)
        self._db.execute(
            "create virtual table documents using fts5("
            "text, kind unindexed, ref unindexed, parent unindexed, tokenize='unicode61 remove_diacritics 2')"
        )
        # FTS5 finds rows fast only by rowid or by text: these maps turn ids into rowids.
        self._rowids: dict[str, int] = {}
        self._children: dict[str, set[str]] = {}

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        """Many changes as one transaction: building the index this way is twice as fast."""
        self._db.execute("begin")
        try:
            yield
        except BaseException:
            self._db.execute("rollback")
            raise
        self._db.execute("commit")

    def put(self, kind: str, ref: str, parent: str | None, text: str) -> None:
        self.remove(ref)
        cursor = self._db.execute(
            "insert into documents (text, kind, ref, parent) values (?, ?, ?, ?)",
            [text, kind, ref, parent],
        )
        assert cursor.lastrowid is not None
        self._rowids[ref] = cursor.lastrowid
        if parent is not None:
            self._children.setdefault(parent, set()).add(ref)

    def remove(self, *refs: str) -> None:
        for ref in refs:
            rowid = self._rowids.pop(ref, None)
            if rowid is not None:
                self._db.execute("delete from documents where rowid = ?", [rowid])

    def remove_children(self, parent: str) -> None:
        self.remove(*self._children.pop(parent, set()))

    def search(
        self, text: str, *, limit: int = 50, highlight: tuple[str, str] = ("[", "]")
    ) -> list[SearchHit]:
        query = _fts_query(text)
        if not query:
            return []
        rows = self._db.execute(
            "select kind, ref, parent, snippet(documents, 0, ?, ?, '…', ?) from documents "
            "where documents match ? order by rank limit ?",
            [highlight[0], highlight[1], SNIPPET_TOKENS, query, limit],
        )
        return [SearchHit(kind, ref, parent, snippet) for kind, ref, parent, snippet in rows]

    def close(self) -> None:
        self._db.close()
