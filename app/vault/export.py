"""Readable exports of conversations and the journal, in Markdown or JSON. These files are NOT
encrypted: they are made only on a person's explicit request, say so at their top, and are written
readable by their owner only."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from app import __version__
from app.vault.records import Conversation, JournalEntry, Message
from app.vault.store import Vault, now_utc

PLAINTEXT_WARNING = (
    "This file is not encrypted: anyone who can open it can read everything in it. "
    "Keep it somewhere private and delete it when you no longer need it."
)
_ROLE_NAMES = {"user": "You", "assistant": "Assistant", "system": "System"}


@dataclass(frozen=True)
class Export:
    conversations: list[tuple[Conversation, list[Message]]]
    journal: list[JournalEntry]


def collect(vault: Vault, conversation_id: str | None = None) -> Export:
    """One conversation, or every conversation and the whole journal."""
    if conversation_id is not None:
        conversation = vault.conversation(conversation_id)
        return Export([(conversation, vault.messages(conversation.id))], [])
    return Export(
        [(conversation, vault.messages(conversation.id)) for conversation in vault.conversations()],
        vault.journal_entries(),
    )


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
            for number, alternative in enumerate(message.alternatives, start=1):
                lines += [f"*Earlier answer {number}:*", "", *_quoted(alternative), ""]
    if export.journal:
        lines += ["## Journal", ""]
        for entry in export.journal:
            heading = entry.day + (f" — {entry.title}" if entry.title else "")
            lines += [f"### {heading}", ""]
            if entry.tags:
                lines += ["Tags: " + ", ".join(entry.tags), ""]
            lines += [entry.text, ""]
    return "\n".join(lines)


def _quoted(text: str) -> list[str]:
    return [f"> {line}" if line else ">" for line in text.splitlines()]


def _readable(timestamp: str) -> str:
    """'2026-11-21T09:30:00.000+00:00' → '2026-11-21 09:30 UTC'."""
    return timestamp[:16].replace("T", " ") + " UTC"
