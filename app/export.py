"""Readable exports of conversations and the journal (entries, mood history, thought records), in
Markdown or JSON. These files are NOT encrypted: they are made only on a person's explicit request,
say so at their top, and are written readable by their owner only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from app import __version__
from app.journal.distortions import distortions
from app.vault.records import (
    Conversation,
    Emotion,
    JournalEntry,
    Message,
    MoodCheckin,
    ThoughtRecord,
)
from app.vault.rows import now_utc
from app.vault.store import Vault

PLAINTEXT_WARNING = (
    "This file is not encrypted: anyone who can open it can read everything in it. "
    "Keep it somewhere private and delete it when you no longer need it."
)
_ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}


@dataclass(frozen=True)
class Export:
    conversations: list[tuple[Conversation, list[Message]]]
    journal: list[JournalEntry]
    mood_checkins: list[MoodCheckin]
    thought_records: list[ThoughtRecord]


def collect(vault: Vault, conversation_id: str | None = None) -> Export:
    """One conversation, or every conversation and the whole journal."""
    if conversation_id is not None:
        conversation = vault.conversations.get(conversation_id)
        return Export([(conversation, vault.conversations.messages(conversation.id))], [], [], [])
    journal = collect_journal(vault)
    return Export(
        [(conversation, vault.conversations.messages(conversation.id))
         for conversation in vault.conversations.all()],
        journal.journal, journal.mood_checkins, journal.thought_records,
    )


def collect_journal(vault: Vault) -> Export:
    """The journal alone: entries, mood history and thought records, without conversations."""
    return Export([], vault.journal.all(), vault.checkins.all(), vault.thought_records.all())


def as_json(export: Export) -> str:
    return json.dumps(
        {
            "warning": PLAINTEXT_WARNING,
            "exported": now_utc(),
            "app": f"Mini-Giants {__version__}",
            "conversations": [
                {**asdict(conversation), "messages": [asdict(message) for message in messages]}
                for conversation, messages in export.conversations
            ],
            "journal": [asdict(entry) for entry in export.journal],
            "mood_checkins": [asdict(checkin) for checkin in export.mood_checkins],
            "thought_records": [asdict(record) for record in export.thought_records],
        },
        ensure_ascii=False,
        indent=2,
    )


def as_markdown(export: Export) -> str:
    lines = ["# Mini-Giants export", "", f"> **{PLAINTEXT_WARNING}**", "",
             f"Exported {_readable(now_utc())} by Mini-Giants {__version__}.", ""]
    for conversation, messages in export.conversations:
        lines += [f"## {conversation.title or 'Untitled conversation'}", ""]
        details = [f"Started {_readable(conversation.created)}"]
        if conversation.model:
            details.append(f"model {conversation.model}")
        lines += ["*" + " · ".join(details) + "*", ""]
        if conversation.system_prompt:
            lines += ["System prompt:", "", *_quoted(conversation.system_prompt), ""]
        for message in messages:
            lines += [f"### {_ROLE_NAMES.get(message.role, message.role.title())}", "",
                      message.text, ""]
            kind = "wording" if message.role == "user" else "answer"
            for number, version in enumerate(message.alternatives, start=1):
                lines += [f"*Other {kind} {number}:*", "", *_quoted(version.text), ""]
    if export.journal:
        lines += ["## Journal", ""]
        for entry in export.journal:
            heading = entry.day + (f" — {entry.title}" if entry.title else "")
            lines += [f"### {heading}", ""]
            if entry.tags:
                lines += ["Tags: " + ", ".join(entry.tags), ""]
            lines += [entry.text, ""]
    if export.mood_checkins:
        lines += ["## Mood history", ""]
        for checkin in export.mood_checkins:
            lines += _checkin_lines(checkin)
        lines.append("")
    if export.thought_records:
        lines += ["## Thought records", ""]
        for record in export.thought_records:
            lines += _thought_record_lines(record)
    return "\n".join(lines)


def _checkin_lines(checkin: MoodCheckin) -> list[str]:
    """One list item: day, mood and emotions, with the note quoted under it."""
    details = [f"**{checkin.day}**", f"mood {checkin.mood}/10"]
    if checkin.emotions:
        details.append(_emotions(checkin.emotions))
    return ["- " + " · ".join(details), *(f"  {line}" for line in _quoted(checkin.note))]


def _thought_record_lines(record: ThoughtRecord) -> list[str]:
    status = "complete" if record.status == "complete" else "draft, not finished"
    lines = [f"### {_readable(record.created)} ({status})", ""]
    names = {distortion.id: distortion.name for distortion in distortions()}
    sections = [
        ("Situation", [record.situation] if record.situation else []),
        ("Automatic thoughts", [f"- {thought.text} (believed {thought.belief}%)"
                                for thought in record.thoughts]),
        ("Emotions", [_emotions(record.emotions)] if record.emotions else []),
        # an id this version does not know (written by a newer one) is shown as it is
        ("Thinking distortions", [", ".join(names.get(d, d) for d in record.distortions)]
         if record.distortions else []),
        ("Evidence for the thoughts", [record.evidence_for] if record.evidence_for else []),
        ("Evidence against the thoughts",
         [record.evidence_against] if record.evidence_against else []),
        ("Balanced thought", [record.balanced_thought] if record.balanced_thought else []),
        ("Belief in the thoughts afterwards",
         [f"- {record.thoughts[rerating.thought].text} ({rerating.belief}%)"
          for rerating in record.rerated_beliefs]),
        ("Emotions afterwards",
         [_emotions(record.rerated_emotions)] if record.rerated_emotions else []),
    ]
    for heading, body in sections:
        if body:  # a draft shows what it has so far
            lines += [f"#### {heading}", "", *body, ""]
    return lines


def _emotions(emotions: tuple[Emotion, ...]) -> str:
    return ", ".join(f"{emotion.name} {emotion.intensity}%" for emotion in emotions)


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


def _readable(timestamp: str) -> str:
    """'2026-11-21T09:30:00.000+00:00' → '2026-11-21 09:30 UTC'."""
    return timestamp[:16].replace("T", " ") + " UTC"
