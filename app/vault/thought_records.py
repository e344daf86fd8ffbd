"""Thought records, as sealed rows: the guided CBT exercise, from a draft with only the situation
to a complete record, saved at every step."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable, Iterator
from typing import cast

from app.vault.errors import ThoughtRecordNotFound
from app.vault.records import (
    AutomaticThought,
    Emotion,
    Rerating,
    ThoughtRecord,
    ThoughtRecordStatus,
)
from app.vault.rows import (
    SealedRows,
    as_emotions,
    as_int,
    as_list,
    as_pairs,
    emotion_names,
    now_utc,
)
from app.vault.search import THOUGHT_RECORD, Document


class ThoughtRecords:
    """`vault.thought_records`: newest started first."""

    def __init__(self, sealed: SealedRows) -> None:
        self._sealed = sealed

    def add(
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
        saves each change with update. Values out of range raise JournalValueInvalid."""
        now = now_utc()
        record = ThoughtRecord(
            uuid.uuid4().hex, situation, tuple(AutomaticThought(*thought) for thought in thoughts),
            tuple(Emotion(*emotion) for emotion in emotions), tuple(distortions), evidence_for,
            evidence_against, balanced_thought,
            tuple(Rerating(*rerating) for rerating in rerated_beliefs),
            tuple(Emotion(*emotion) for emotion in rerated_emotions), status, step, now, now,
        )
        self._write(record)
        return record

    def update(self, record: ThoughtRecord) -> ThoughtRecord:
        """Save a changed record, a draft's autosave included: one small transaction, in place."""
        self._sealed.existing("thought_records", record.id, ThoughtRecordNotFound)
        changed = dataclasses.replace(record, updated=now_utc())
        self._write(changed)
        return changed

    def _write(self, record: ThoughtRecord) -> None:
        self._sealed.put_in_place("thought_records", record.id, _payload(record))
        self._sealed.index_put(_document(record))

    def all(self) -> list[ThoughtRecord]:
        """Newest first, by when each was started (restored ones among the others)."""
        rows = self._sealed.rows("thought_records", newest_first=True)
        records = [self._record(row) for row in rows]
        return sorted(records, key=lambda record: record.created, reverse=True)  # stable

    def get(self, record_id: str) -> ThoughtRecord:
        row = self._sealed.existing("thought_records", record_id, ThoughtRecordNotFound)
        return self._record(row)

    def _record(self, row: dict[str, object]) -> ThoughtRecord:
        data = self._sealed.open("thought_records", row)
        return ThoughtRecord(
            id=str(row["id"]), situation=str(data["situation"]),
            thoughts=tuple(AutomaticThought(str(text), as_int(belief))
                           for text, belief in as_pairs(data["thoughts"])),
            emotions=as_emotions(data["emotions"]),
            distortions=tuple(str(distortion) for distortion in as_list(data["distortions"])),
            evidence_for=str(data["evidence_for"]), evidence_against=str(data["evidence_against"]),
            balanced_thought=str(data["balanced_thought"]),
            rerated_beliefs=tuple(Rerating(as_int(thought), as_int(belief))
                                  for thought, belief in as_pairs(data["rerated_beliefs"])),
            rerated_emotions=as_emotions(data["rerated_emotions"]),
            # the record checks both against what they can be
            status=cast(ThoughtRecordStatus, data["status"]), step=str(data["step"]),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def delete(self, record_id: str) -> None:
        self._sealed.delete_top_level("thought_records", record_id)

    def documents(self) -> Iterator[Document]:
        """What search finds: every record."""
        return (_document(record) for record in self.all())


def _payload(record: ThoughtRecord) -> dict[str, object]:
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


def _document(record: ThoughtRecord) -> Document:
    """A record is found by all it says in words: the situation, thoughts, emotions, evidence
    and the balanced thought."""
    parts = (record.situation, *(text for text, _ in record.thoughts),
             emotion_names(record.emotions), record.evidence_for, record.evidence_against,
             record.balanced_thought, emotion_names(record.rerated_emotions))
    return Document(THOUGHT_RECORD, record.id, None, "\n".join(part for part in parts if part))
