"""Conversations and their messages, as sealed rows: each message is bound to its conversation, and
a conversation is deleted with all its messages."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from app.vault.errors import ConversationNotFound, MessageNotFound
from app.vault.records import Conversation, Message, Version
from app.vault.rows import (
    SealedRows,
    as_int,
    as_list,
    as_mapping,
    as_optional_int,
    as_optional_text,
    now_utc,
)
from app.vault.search import CONVERSATION, MESSAGE, Document


class Conversations:
    """`vault.conversations`: the conversations, newest first, and the messages of each."""

    def __init__(self, sealed: SealedRows) -> None:
        self._sealed = sealed

    def create(
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
        self._write(conversation)
        return conversation

    def _write(self, conversation: Conversation) -> None:
        payload = {
            "title": conversation.title, "system_prompt": conversation.system_prompt,
            "model": conversation.model, "sampling": conversation.sampling,
            "created": conversation.created, "updated": conversation.updated,
        }
        with self._sealed.transaction():
            self._sealed.put("conversations", conversation.id, None, payload)
        self._sealed.index_put(_conversation_document(conversation))

    def all(self) -> list[Conversation]:
        """Newest first."""
        rows = self._sealed.rows("conversations", newest_first=True)
        return [self._conversation(row) for row in rows]

    def get(self, conversation_id: str) -> Conversation:
        row = self._sealed.existing("conversations", conversation_id, ConversationNotFound)
        return self._conversation(row)

    def _conversation(self, row: dict[str, object]) -> Conversation:
        data = self._sealed.open("conversations", row)
        return Conversation(
            id=str(row["id"]), title=str(data["title"]), system_prompt=str(data["system_prompt"]),
            model=as_optional_text(data["model"]), sampling=as_mapping(data["sampling"]),
            created=str(data["created"]), updated=str(data["updated"]),
        )

    def update(self, conversation: Conversation) -> Conversation:
        """Store changed settings or title; the conversation moves to the top of the list."""
        self.get(conversation.id)  # it must exist
        changed = Conversation(conversation.id, conversation.title, conversation.system_prompt,
                               conversation.model, conversation.sampling, conversation.created,
                               now_utc())
        self._write(changed)
        return changed

    def rename(self, conversation_id: str, title: str) -> Conversation:
        current = self.get(conversation_id)
        return self.update(
            Conversation(current.id, title, current.system_prompt, current.model,
                         current.sampling, current.created, current.updated))

    def delete(self, conversation_id: str) -> None:
        """The conversation and all its messages, in one transaction."""
        self._sealed.require_key()
        with self._sealed.transaction():
            self._sealed.db.table("messages").delete_where("conversation_id = ?", [conversation_id])
            self._sealed.db.table("conversations").delete(conversation_id)
        self._sealed.index_remove(conversation_id, children=True)

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
        with self._sealed.transaction():
            self._sealed.put("messages", message.id, conversation_id, _message_payload(message))
        self._sealed.index_put(_message_document(message))
        return message

    def update_message(self, message: Message) -> None:
        """Store a changed message (a reply growing while it streams, an added alternative)."""
        row = self._sealed.existing("messages", message.id, MessageNotFound)
        with self._sealed.transaction():
            self._sealed.put("messages", message.id, message.conversation_id,
                             _message_payload(message), position=as_int(row["position"]))
        self._sealed.index_put(_message_document(message))

    def messages(self, conversation_id: str) -> list[Message]:
        rows = self._sealed.db.table("messages").rows_where(
            "conversation_id = ?", [conversation_id], order_by="position"
        )
        return [self._message(row) for row in rows]

    def _message(self, row: dict[str, object]) -> Message:
        data = self._sealed.open("messages", row)
        return Message(
            id=str(row["id"]), conversation_id=str(row["conversation_id"]), role=str(data["role"]),
            text=str(data["text"]), model=as_optional_text(data["model"]),
            stats=as_mapping(data["stats"]), created=str(data["created"]),
            alternatives=tuple(_version(item) for item in as_list(data["alternatives"])),
            position=as_optional_int(data.get("position")),
            answers=as_optional_int(data.get("answers")),
        )

    def documents(self) -> Iterator[Document]:
        """What search finds: every conversation by its title, every message by its text."""
        for conversation in self.all():
            yield _conversation_document(conversation)
        for row in self._sealed.rows("messages"):  # one query for all, not one per conversation
            yield _message_document(self._message(row))


def _conversation_document(conversation: Conversation) -> Document:
    return Document(CONVERSATION, conversation.id, None, conversation.title)


def _message_document(message: Message) -> Document:
    return Document(MESSAGE, message.id, message.conversation_id, message.text)


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
    return Version(str(item["text"]), as_mapping(item.get("stats")),
                   as_optional_text(item.get("model")), as_optional_int(item.get("answers")))
